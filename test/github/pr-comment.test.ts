/**
 * `check` under GitHub Actions through the built CLI: step outputs in `$GITHUB_OUTPUT`, the report
 * file, and the sticky pull-request comment against a local server speaking GitHub's REST calls
 * (test/support/github-api.ts). Ground truth for the numbers: the demo layout's manifests.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT, runCli } from '../commands/cli.js';
import { type FakeGitHub, startFakeGitHub } from '../support/github-api.js';
import { memoize } from '../support/memo.js';
import { demoCompressedSizes, parseStepOutputs } from './outputs.js';

const DEMO = join(ROOT, 'fixtures', 'demo');
const PR = 7;
let dir: string;
let github: FakeGitHub;
let run = 0;

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'layerdelta-gh-'));
  github = await startFakeGitHub('octo', 'app');
  writeFileSync(
    join(dir, 'pr.json'),
    JSON.stringify({ action: 'synchronize', number: PR, pull_request: { number: PR } }),
  );
  writeFileSync(join(dir, 'push.json'), JSON.stringify({ ref: 'refs/heads/main', commits: [] }));
  // More than a page of other people's comments: ours must be found on a later page.
  for (let i = 0; i < 130; i++) github.addComment(PR, `comment ${i}`);
});

afterAll(async () => {
  await github?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  github.failWith = undefined;
  github.requests.length = 0;
});

/** `check demo:v2 --baseline demo:v1` as a workflow step runs it; returns its outputs too. */
async function check(args: string[], env: NodeJS.ProcessEnv = {}) {
  run++;
  const outputFile = join(dir, `output-${run}`);
  writeFileSync(outputFile, '');
  const result = await runCli(
    ['check', `oci:${DEMO}:v2`, '--baseline', `oci:${DEMO}:v1`, '--cache-dir', join(dir, 'cache'), ...args],
    {
      cwd: dir,
      env: {
        GITHUB_ACTIONS: 'true',
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: join(dir, `summary-${run}`),
        GITHUB_REPOSITORY: 'octo/app',
        GITHUB_EVENT_PATH: join(dir, 'pr.json'),
        GITHUB_API_URL: github.url,
        GITHUB_TOKEN: github.token,
        ...env,
      },
    },
  );
  return { ...result, outputs: parseStepOutputs(readFileSync(outputFile, 'utf8')) };
}

/**
 * The first passing run, with a report file and --pr-comment: its step outputs are one test's, the
 * comment it creates (and the requests it made, kept before the next test clears them) the next's.
 */
const firstRun = memoize(async () => {
  const result = await check(['--max-growth', '500%', '--report-file', 'report.md', '--pr-comment']);
  return { result, requests: [...github.requests] };
});

const ours = () => (github.comments.get(PR) ?? []).filter((c) => c.body.includes('<!-- layerdelta-report'));

describe('check under GitHub Actions', () => {
  it('writes verdict, deltas and the report path as step outputs', async () => {
    const sizes = demoCompressedSizes(DEMO);
    const { result } = await firstRun();
    expect(result.status, result.stderr).toBe(0);
    expect(result.outputs).toMatchObject({
      verdict: 'pass',
      'delta-bytes': String(sizes.v2 - sizes.v1),
      'delta-percent': String(Math.round(((sizes.v2 - sizes.v1) / sizes.v1) * 10_000) / 100),
      'threshold-errors': '0',
      'report-path': join(dir, 'report.md'),
    });
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toMatch(/^### layerdelta: /);
  });

  it('creates one pull-request comment, then edits that one in place on the next run', async () => {
    const { result: first, requests } = await firstRun();
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/created the report comment on pull request #7/);
    expect(ours()).toHaveLength(1);
    const comment = ours()[0]!;
    // The marker names the image repository (an OCI layout's is its directory name).
    expect(comment.body.split('\n')[0]).toBe('<!-- layerdelta-report demo -->');
    expect(comment.body).toContain('#### ✅ Check passed');
    const posts = requests.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.headers['x-github-api-version']).toBe('2022-11-28');

    github.requests.length = 0;
    const second = await check(['--max-growth', '10%', '--pr-comment']);
    expect(second.status, second.stderr).toBe(1);
    expect(second.outputs.verdict).toBe('fail');
    expect(ours()).toHaveLength(1);
    expect(ours()[0]!.id).toBe(comment.id);
    expect(ours()[0]!.body).toContain('Check failed');
    expect(github.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'PATCH']);
    expect(github.requests.at(-1)!.path).toBe(`/repos/octo/app/issues/comments/${comment.id}`);
    expect(github.violations).toEqual([]);
  });

  it('a refused comment is one line and exit 3, the report whole; a crossed threshold still wins', async () => {
    github.failWith = 403;
    const refused = await check(['--pr-comment', '--json']);
    expect(refused.status).toBe(3);
    expect(JSON.parse(refused.stdout)).toHaveProperty('schemaVersion');
    expect(refused.stderr.trim().split('\n').at(-1)).toMatch(
      /^layerdelta: --pr-comment: .*HTTP 403 \(.*pull-requests: write/,
    );
    const both = await check(['--pr-comment', '--max-growth', '10%']);
    expect(both.status).toBe(1);
    expect(both.stderr).toMatch(/HTTP 403/);
  });

  it('on a push (no pull request) says so and posts nothing; without a token fails before any work', async () => {
    const push = await check(['--pr-comment'], { GITHUB_EVENT_PATH: join(dir, 'push.json') });
    expect(push.status, push.stderr).toBe(0);
    expect(push.stderr).toMatch(/not for a pull request; no comment written/);
    expect(github.requests).toEqual([]);
    const noToken = await check(['--pr-comment'], { GITHUB_TOKEN: '' });
    expect(noToken.status).toBe(2);
    expect(noToken.stdout).toBe('');
    expect(noToken.stderr).toMatch(/^layerdelta: --pr-comment needs GITHUB_TOKEN/);
  });
});
