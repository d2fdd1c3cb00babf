/**
 * action.yml run as GitHub's runner runs a composite action: every step's `${{ }}` expressions
 * replaced from the inputs a workflow passes (defaults filled in), its script run by
 * `bash --noprofile --norc -eo pipefail` with the runner's environment (GITHUB_ACTION_PATH,
 * GITHUB_OUTPUT, RUNNER_TEMP, the pull-request event…), step outputs read back from $GITHUB_OUTPUT and
 * mapped to the action's outputs. The action path is a fresh copy of the checkout, so the install step
 * really runs `npm ci` and the build. A real Pushgateway and a local GitHub REST server take the pushes.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { copySource } from '../../scripts/pack.js';
import { ROOT } from '../commands/cli.js';
import { demoCompressedSizes, parseStepOutputs } from '../github/outputs.js';
import { type FakeGitHub, startFakeGitHub } from '../support/github-api.js';
import { type Pushgateway, startPushgateway } from '../support/pushgateway.js';

interface ActionStep {
  name?: string;
  id?: string;
  shell?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
  'working-directory'?: string;
}

interface Action {
  inputs: Record<string, { required?: boolean; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

const DEMO = join(ROOT, 'fixtures', 'demo');
const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as Action;

let work: string;
let actionPath: string;
let github: FakeGitHub;
let gateway: Pushgateway;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'layerdelta-action-'));
  actionPath = join(work, 'action');
  copySource(actionPath);
  mkdirSync(join(work, 'workspace'));
  writeFileSync(join(work, 'event.json'), JSON.stringify({ number: 12, pull_request: { number: 12 } }));
  github = await startFakeGitHub('octo', 'app');
  gateway = await startPushgateway();
});

afterAll(async () => {
  await github?.close();
  await gateway?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** `${{ … }}` as the runner evaluates it, for the contexts a composite action may use here. */
function expand(
  text: string,
  contexts: { inputs: Record<string, string>; steps: Record<string, Record<string, string>> },
) {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => {
    const input = /^inputs\.([\w-]+)$/.exec(expression);
    if (input) return contexts.inputs[input[1]!] ?? '';
    if (expression === 'github.action_path') return actionPath;
    if (expression === 'github.token') return github.token;
    const output = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expression);
    if (output) return contexts.steps[output[1]!]?.[output[2]!] ?? '';
    throw new Error(`action.yml uses an expression this runner does not know: ${expression}`);
  });
}

interface ActionRun {
  statuses: Array<{ step: string; status: number | null; stderr: string }>;
  outputs: Record<string, string>;
  runnerTemp: string;
}

let runs = 0;

async function runAction(given: Record<string, string>, options: { skip?: RegExp } = {}): Promise<ActionRun> {
  expect(action.runs.using).toBe('composite');
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs)) {
    const value =
      given[name] ??
      (spec.default === undefined ? undefined : expand(spec.default, { inputs: {}, steps: {} }));
    if (spec.required && !value) throw new Error(`input ${name} is required`);
    inputs[name] = value ?? '';
  }
  for (const name of Object.keys(given)) expect(Object.keys(action.inputs), `input ${name}`).toContain(name);
  const runnerTemp = join(work, `runner-temp-${++runs}`);
  mkdirSync(runnerTemp);
  const steps: Record<string, Record<string, string>> = {};
  const statuses: ActionRun['statuses'] = [];
  for (const [index, step] of action.runs.steps.entries()) {
    expect(step.uses, 'steps this test cannot run').toBeUndefined();
    expect(step.shell).toBe('bash');
    if (options.skip?.test(step.name ?? '')) continue;
    const outputFile = join(runnerTemp, `output-${index}`);
    writeFileSync(outputFile, '');
    const script = join(runnerTemp, `step-${index}.sh`);
    writeFileSync(script, expand(step.run!, { inputs, steps }));
    const stepEnv = Object.fromEntries(
      Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v), { inputs, steps })]),
    );
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTION_PATH: actionPath,
      GITHUB_WORKSPACE: join(work, 'workspace'),
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: join(runnerTemp, 'summary.md'),
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: join(work, 'event.json'),
      GITHUB_REPOSITORY: 'octo/app',
      GITHUB_API_URL: github.url,
      RUNNER_TEMP: runnerTemp,
      XDG_CACHE_HOME: join(work, 'cache'),
      // npm ci from the npm cache this checkout's own `npm ci` filled, without asking the registry
      // whether each package changed (the lockfile pins them): 122–159 s → 69–91 s at load 25.
      npm_config_prefer_offline: 'true',
      ...stepEnv,
    };
    const cwd = step['working-directory']
      ? expand(step['working-directory'], { inputs, steps })
      : env.GITHUB_WORKSPACE!;
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      cwd,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    statuses.push({ step: step.name ?? String(index), status, stderr });
    if (step.id) steps[step.id] = parseStepOutputs(readFileSync(outputFile, 'utf8'));
    if (status !== 0) break; // the runner skips the remaining steps of a failed composite action
  }
  const outputs = Object.fromEntries(
    Object.entries(action.outputs).map(([name, spec]) => [name, expand(spec.value, { inputs, steps })]),
  );
  return { statuses, outputs, runnerTemp };
}

describe('action.yml', () => {
  const sizes = demoCompressedSizes(DEMO);

  it('installs the tool, fails a crossed threshold with outputs, summary, metrics and a pull-request comment', async () => {
    const run = await runAction({
      image: `oci:${DEMO}:v2`,
      baseline: `oci:${DEMO}:v1`,
      thresholds: 'max-growth: 10%\nmax-growth-bytes: 50MB\n',
      pushgateway: gateway.url,
      labels: 'branch=main\nenv=ci',
    });
    const [install, check] = run.statuses;
    expect(install?.status, install?.stderr).toBe(0);
    expect(check?.status, check?.stderr).toBe(1);
    expect(run.outputs).toEqual({
      verdict: 'fail',
      'delta-bytes': String(sizes.v2 - sizes.v1),
      'delta-percent': String(Math.round(((sizes.v2 - sizes.v1) / sizes.v1) * 10_000) / 100),
      'uncompressed-delta-bytes': expect.stringMatching(/^\d+$/),
      'report-path': join(run.runnerTemp, 'layerdelta-report.md'),
    });
    expect(readFileSync(run.outputs['report-path']!, 'utf8')).toContain('max-growth');
    expect(readFileSync(join(run.runnerTemp, 'summary.md'), 'utf8')).toContain('Check failed');
    const groups = (await (await fetch(`${gateway.url}/api/v1/metrics`)).json()) as {
      data: Array<{ labels: Record<string, string> }>;
    };
    expect(groups.data.map((g) => g.labels)).toContainEqual(
      expect.objectContaining({ job: 'layerdelta', repository: 'demo', branch: 'main', env: 'ci' }),
    );
    const comments = github.comments.get(12) ?? [];
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toMatch(/^<!-- layerdelta-report demo -->\n### layerdelta: /);
    expect(github.violations).toEqual([]);
  }, 900_000);

  it('on the next push edits the same comment; pr-comment "false" leaves it alone', async () => {
    expect(existsSync(join(actionPath, 'dist', 'commands', 'check.js'))).toBe(true);
    // The first test ran the install step; the runner of a later job would run it again.
    const pass = await runAction(
      { image: `oci:${DEMO}:v2`, baseline: `oci:${DEMO}:v1`, thresholds: 'max-growth: 500%' },
      { skip: /^Install/ },
    );
    expect(pass.statuses.map((s) => [s.status, s.stderr])).toEqual([[0, expect.any(String)]]);
    expect(pass.outputs.verdict).toBe('pass');
    const comments = github.comments.get(12) ?? [];
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('Check passed');
    const before = comments[0]!.body;
    const quiet = await runAction(
      { image: `oci:${DEMO}:v1`, baseline: `oci:${DEMO}:v1`, 'pr-comment': 'false' },
      { skip: /^Install/ },
    );
    expect(quiet.outputs).toMatchObject({ verdict: 'pass', 'delta-bytes': '0', 'delta-percent': '0' });
    expect(github.comments.get(12)![0]!.body).toBe(before);
  }, 300_000);
});
