/**
 * docs/design.md §9 through the built CLI: each bad input gives its exit code and exactly one line on
 * stderr (what, where, what to do), no stack trace, nothing on stdout, and no hang.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformFlag } from '../../src/cli/report-flags.js';
import { loadCredentialStore } from '../../src/registry/auth/docker-config.js';
import { openSource, parseImageReference } from '../../src/source/open.js';
import { type CliResult, ensureBuilt, runCli } from '../commands/cli.js';
import { OCI_MANIFEST, TestLayout } from '../source/layout-builder.js';
import { expectFailure } from '../support/failure.js';
import { freePort } from '../support/process.js';
import { startProxy, startRegistry, type TestRegistry } from '../support/registry.js';

let root: string;
let layoutDir: string;
let open: TestRegistry;
let basic: TestRegistry;

function expectOneLineFailure(result: CliResult, exitCode: number, message: RegExp): void {
  expect(result.stdout, result.stderr).toBe('');
  const lines = result.stderr.split('\n').filter((l) => l !== '');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^layerdelta: /);
  expect(lines[0]).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.status, result.stderr).toBe(exitCode);
}

/** A DOCKER_CONFIG directory whose config.json logs in to `host` as user:password. */
function dockerConfig(name: string, host: string, user: string, password: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const auth = Buffer.from(`${user}:${password}`).toString('base64');
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { [host]: { auth } } }));
  return dir;
}

/** Resolve `ref` in-process, as inspect does first, with the credentials it would read from `env`. */
async function resolveIn(ref: string, env: NodeJS.ProcessEnv = {}) {
  const credentials = loadCredentialStore({ DOCKER_CONFIG: join(root, 'no-docker-config'), ...env });
  const source = await openSource(ref, { credentials });
  try {
    return await source.resolve();
  } finally {
    await source.close();
  }
}

beforeAll(async () => {
  await ensureBuilt();
  root = mkdtempSync(join(tmpdir(), 'layerdelta-bad-'));
  [open, basic] = await Promise.all([startRegistry(), startRegistry({ auth: 'basic' })]);
  layoutDir = join(root, 'layout');
  const layout = new TestLayout(layoutDir);
  const good = await layout.image({ layers: [{ files: { a: 'a' } }] });
  layout.tag(good, 'v1');
  // A config whose bytes no longer match its digest.
  const corrupt = await layout.image({ layers: [{ files: { b: 'b' } }] });
  const configPath = join(layoutDir, 'blobs', 'sha256', corrupt.config.digest.slice(7));
  writeFileSync(configPath, readFileSync(configPath, 'utf8').replace('"linux"', '"Linux"'));
  layout.tag(corrupt, 'corrupt');
  layout.tag(
    layout.json({ schemaVersion: 2, mediaType: 'application/vnd.example.thing+json' }, OCI_MANIFEST),
    'strange',
  );
  layout.finish();
  const push = (target: string, creds: string[] = []) =>
    execFileSync(
      'skopeo',
      ['copy', '-q', '--dest-tls-verify=false', ...creds, `oci:${layoutDir}:v1`, `docker://${target}`],
      {
        stdio: 'pipe',
      },
    );
  push(`${open.host}/app:v1`);
  push(`${basic.host}/app:v1`, ['--dest-creds', `${basic.username}:${basic.password}`]);
});

afterAll(async () => {
  await Promise.all([open?.stop(), basic?.stop()]);
  if (root) rmSync(root, { recursive: true, force: true });
});

// One case per failure path through the built CLI (stdout empty, one stderr line, the exit code); the
// cases that take a path already covered run in-process through the same functions and failureOf.
describe('inspect: bad input gives one line and its exit code', { timeout: 180_000 }, () => {
  it('missing tag → exit 3', async () => {
    expectOneLineFailure(
      await runCli(['inspect', `${open.host}/app:nope`]),
      3,
      /manifest unknown: .*app:nope.*check the tag/,
    );
  });

  // The same registry-error path as a missing tag, in-process.
  it('unknown repository → exit 3 (in-process)', async () => {
    await expectFailure(() => resolveIn(`${open.host}/no/such-repo:v1`), 3, /unknown.*no\/such-repo/);
  });

  it('wrong credentials on a basic-auth registry → exit 3, password never printed', async () => {
    const config = dockerConfig('wrong', basic.host, basic.username!, 'not-the-password');
    const result = await runCli(['inspect', `${basic.host}/app:v1`], { env: { DOCKER_CONFIG: config } });
    expectOneLineFailure(result, 3, /authentication failed for .*app/);
    expect(result.stderr).not.toContain('not-the-password');
  });

  it('right credentials from DOCKER_CONFIG on the same registry → the image (in-process)', async () => {
    // The credential store the command makes from this environment, and inspect's first step.
    const config = dockerConfig('right', basic.host, basic.username!, basic.password!);
    const image = await resolveIn(`${basic.host}/app:v1`, { DOCKER_CONFIG: config });
    expect(image.layers).toHaveLength(1);
  });

  it('unreachable registry (a closed port) → exit 3, no hang', async () => {
    const port = await freePort();
    expectOneLineFailure(
      await runCli(['inspect', `127.0.0.1:${port}/app:v1`], { timeoutMs: 45_000 }),
      3,
      new RegExp(`127.0.0.1:${port}`),
    );
  });

  it('malformed reference → exit 2', async () => {
    expectOneLineFailure(
      await runCli(['inspect', 'Registry.example.com/App:v1']),
      2,
      /invalid image reference .*must be lowercase/,
    );
    // The same parse, in-process.
    await expectFailure(
      () => parseImageReference('app@sha256:1234'),
      2,
      /invalid image reference .*not a digest/,
    );
  });

  it('digest mismatch (a corrupted blob in an OCI layout) → exit 3', async () => {
    expectOneLineFailure(
      await runCli(['inspect', `oci:${layoutDir}:corrupt`]),
      3,
      /digest mismatch: expected sha256:[a-f0-9]{64}, got sha256:/,
    );
  });

  it('digest mismatch from the registry (a corrupted manifest or config on the wire) → exit 3 (in-process)', async () => {
    // The same check as the layout's (verifyContent), on what the registry source read through the proxy.
    const proxy = await startProxy(open.url);
    try {
      for (const what of [/\/manifests\//, /\/blobs\//]) {
        proxy.corruptNext(what, 10);
        await expectFailure(() => resolveIn(`${proxy.host}/app:v1`), 3, /digest mismatch/);
      }
    } finally {
      await proxy.stop();
    }
  });

  it('unknown media type → exit 2', async () => {
    expectOneLineFailure(
      await runCli(['inspect', `oci:${layoutDir}:strange`]),
      2,
      /unsupported manifest media type "application\/vnd.example.thing\+json"/,
    );
  });

  it('missing oci directory → exit 2 (in-process)', async () => {
    await expectFailure(
      () => resolveIn(`oci:${join(root, 'absent')}:v1`),
      2,
      /OCI layout directory .*absent does not exist/,
    );
  });

  it('a platform the image does not have, or a malformed one → exit 2', async () => {
    expectOneLineFailure(
      await runCli(['inspect', `oci:${layoutDir}:v1`, '--platform', 'linux/s390x']),
      2,
      /platform linux\/s390x not found .*available: linux\/amd64/,
    );
    // inspect parses --platform with platformFlag before reading anything: in-process.
    await expectFailure(() => platformFlag('linux'), 2, /invalid platform "linux"/);
  });
});
