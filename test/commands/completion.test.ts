/**
 * `layerdelta completion bash|zsh|fish` (issue 15, point 5), through the built CLI and the real
 * shells: bash runs the completion function as readline would (COMP_WORDS/COMP_CWORD), fish answers
 * `complete -C`. Ground truth for the flags: what `compare --help` lists.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from './cli.js';

let dir: string;
const scripts: Record<string, string> = {};

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'layerdelta-completion-'));
  for (const shell of ['bash', 'zsh', 'fish']) {
    const result = await runCli(['completion', shell]);
    expect(result.status, result.stderr).toBe(0);
    scripts[shell] = join(dir, `completion.${shell}`);
    writeFileSync(scripts[shell]!, result.stdout);
  }
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What bash's completion function offers for the words typed so far (the last one being completed). */
function bashComplete(...words: string[]): string[] {
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const out = execFileSync(
    'bash',
    [
      '-c',
      `source "$1"; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _layerdelta; printf '%s\\n' "\${COMPREPLY[@]}"`,
      'bash',
      scripts.bash!,
    ],
    { encoding: 'utf8', cwd: dir },
  );
  return out.split('\n').filter(Boolean);
}

describe('bash', () => {
  it('offers the commands that start with what was typed', () => {
    expect(bashComplete('layerdelta', 'com')).toEqual(['compare', 'completion']);
    expect(bashComplete('layerdelta', 'ch')).toEqual(['check']);
  });

  it("offers exactly compare's flags, as compare --help lists them", async () => {
    const help = await runCli(['compare', '--help']);
    const listed = new Set([...help.stdout.matchAll(/(?:^|[\s,[])(--[a-z][a-z-]*)/gm)].map((m) => m[1]!));
    // --help and --version are oclif's own and not per command.
    listed.delete('--help');
    const offered = new Set(bashComplete('layerdelta', 'compare', '--'));
    expect(offered.size).toBeGreaterThan(10);
    expect(offered).toEqual(listed);
    expect(bashComplete('layerdelta', 'compare', '--pla')).toEqual(['--platform']);
  });

  it("completes a flag's fixed values, and file names for arguments", () => {
    expect(bashComplete('layerdelta', 'compare', '--output', '')).toEqual([
      'text',
      'json',
      'markdown',
      'html',
    ]);
    expect(bashComplete('layerdelta', 'inspect', '-o', 'j')).toEqual(['json']);
    writeFileSync(join(dir, 'image.tar'), '');
    expect(bashComplete('layerdelta', 'compare', 'image.')).toEqual(['image.tar']);
  });
});

describe('fish', () => {
  it('offers commands with their summaries and the flag values', () => {
    const complete = (line: string) =>
      execFileSync('fish', ['-c', `source ${scripts.fish}; complete -C '${line}'`], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean);
    expect(complete('layerdelta com')).toEqual([
      'compare\tCompare two images layer by layer: what got bigger, and where.',
      'completion\tPrint a shell completion script (bash, zsh or fish).',
    ]);
    expect(complete('layerdelta compare --pla').map((l) => l.split('\t')[0])).toEqual(['--platform']);
    expect(complete('layerdelta inspect --output ').map((l) => l.split('\t')[0])).toEqual([
      'html',
      'json',
      'text',
    ]);
  });
});

describe('zsh', () => {
  it('loads through bashcompinit and registers the function for layerdelta', () => {
    const out = execFileSync('zsh', ['-c', `source ${scripts.zsh}; complete -p`], {
      encoding: 'utf8',
      cwd: dir,
    });
    expect(out).toContain('complete -o filenames -F _layerdelta layerdelta');
  });
});

describe('bad input', () => {
  it('an unknown shell is a usage error naming the choices', async () => {
    const result = await runCli(['completion', 'powershell']);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/bash, zsh, fish/);
  });
});
