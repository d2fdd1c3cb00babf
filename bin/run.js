#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { arch, platform, release } from 'node:os';

const argv = process.argv.slice(2);

// `--version` without loading oclif (most of the start-up time, docs/design.md §8): the line oclif's
// Config.userAgent prints (test/commands/version.test.ts keeps them equal). WSL is left to oclif,
// which names the platform `wsl`.
if (argv[0] === '--version' && !(platform() === 'linux' && /microsoft/i.test(release()))) {
  const { name, version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const cpu = arch() === 'ia32' ? 'x86' : arch();
  process.stdout.write(`${name}/${version} ${platform()}-${cpu} node-${process.version}\n`);
} else {
  // The AWS SDK warns on every run under Node 20 about its future requirements; that notice is not
  // ours to show in a CI log (the pinned SDK works on 20). Users can still opt in by setting it to false.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Node 22.1+ keeps the compiled code of the modules on disk (in the OS temporary directory), so a later
  // run skips most of oclif's start-up (docs/design.md §8). Node 20 has no such cache; nothing happens.
  const { enableCompileCache } = await import('node:module');
  enableCompileCache?.();
  const { execute } = await import('@oclif/core');
  await execute({ dir: import.meta.url });
}
