// A docker credential helper for tests (protocol: `get` reads the server URL on stdin and prints
// {"ServerURL","Username","Secret"}). Its logins come from the JSON file named by
// $LAYERDELTA_TEST_HELPER_STORE ({ "host": {"Username": "...", "Secret": "..."} }); every call is
// appended to $LAYERDELTA_TEST_HELPER_LOG so tests can see it was asked.
const fs = require('node:fs');

const action = process.argv[2];
let input = '';
process.stdin.on('data', (d) => {
  input += d;
});
process.stdin.on('end', () => {
  const server = input.trim();
  if (process.env.LAYERDELTA_TEST_HELPER_LOG) {
    fs.appendFileSync(process.env.LAYERDELTA_TEST_HELPER_LOG, `${action} ${server}\n`);
  }
  if (action !== 'get') {
    process.stdout.write('unsupported action\n');
    process.exit(1);
  }
  const store = JSON.parse(fs.readFileSync(process.env.LAYERDELTA_TEST_HELPER_STORE, 'utf8'));
  const entry = store[server];
  if (!entry) {
    process.stdout.write('credentials not found in native keychain\n');
    process.exit(1);
  }
  process.stdout.write(JSON.stringify({ ServerURL: server, Username: entry.Username, Secret: entry.Secret }));
});
