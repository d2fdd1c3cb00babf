/**
 * The start-up shortcuts (docs/design.md §8): `--version` answered without loading oclif, and the
 * command list and help read from oclif.manifest.json. Each must say what oclif itself says.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Config } from '@oclif/core';
import { beforeAll, expect, it } from 'vitest';
import { ensureBuilt, ROOT, runCli } from './cli.js';

beforeAll(ensureBuilt, 300_000);

it('--version prints the line oclif’s Config.userAgent gives', async () => {
  const config = await Config.load({ root: ROOT });
  const result = await runCli(['--version']);
  expect(result.status).toBe(0);
  expect(result.stderr).toBe('');
  expect(result.stdout).toBe(`${config.userAgent}\n`);
});

it('the manifest lists every built command with the flags the command class declares (base flags included)', async () => {
  const file = join(ROOT, 'oclif.manifest.json');
  expect(existsSync(file)).toBe(true);
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as {
    version: string;
    commands: Record<string, { flags: Record<string, unknown> }>;
  };
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  expect(manifest.version).toBe(pkg.version);
  const config = await Config.load({ root: ROOT });
  const ids = Object.keys(manifest.commands).sort();
  expect(ids).toEqual(['check', 'compare', 'completion', 'gobin', 'help', 'inspect', 'scan', 'version']);
  for (const id of ids) {
    const command = await config.findCommand(id)?.load();
    expect(Object.keys(manifest.commands[id]?.flags ?? {}).sort(), id).toEqual(
      Object.keys({ ...command?.baseFlags, ...command?.flags }).sort(),
    );
  }
});

it('compare --help is rendered from the manifest and names its flags', async () => {
  const result = await runCli(['compare', '--help']);
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('--no-binaries');
});
