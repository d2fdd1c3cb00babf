/**
 * The deploy/ configuration checked by the tools that consume it: promtool checks and unit-tests the
 * alert rules, amtool checks the Alertmanager example and where it routes each alert.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const RULES = 'deploy/prometheus/layerdelta.rules.yml';
const ALERTMANAGER = 'deploy/alertmanager/alertmanager.yml';

async function tool(command: string, args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(command, args, { timeout: 60_000 });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('Prometheus alert rules', () => {
  it('promtool check rules is clean', async () => {
    const { code, output } = await tool('promtool', ['check', 'rules', RULES]);
    expect(output).toContain('SUCCESS');
    expect(output).not.toMatch(/WARNING|FAILED/);
    expect(code).toBe(0);
  });

  it('promtool test rules passes every unit test in deploy/prometheus/tests', async () => {
    const files = (await readdir('deploy/prometheus/tests')).filter((f) => f.endsWith('.yml'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    const { code, output } = await tool('promtool', [
      'test',
      'rules',
      ...files.map((f) => `deploy/prometheus/tests/${f}`),
    ]);
    expect(output).not.toContain('FAILED');
    expect(output.match(/SUCCESS/g)).toHaveLength(files.length);
    expect(code).toBe(0);
  });

  it('promtool test rules fails when an expected alert does not fire (the tests can fail)', async () => {
    // A copy of a test whose expectations cannot hold: the static alert at a time it is not firing.
    const dir = await mkdtemp(join(tmpdir(), 'layerdelta-rules-'));
    try {
      const test = join(dir, 'wrong.test.yml');
      await writeFile(
        test,
        [
          'rule_files:',
          `  - ${resolve(RULES)}`,
          'evaluation_interval: 1m',
          'tests:',
          '  - interval: 1m',
          '    input_series:',
          `      - series: 'layerdelta_image_delta_bytes{job="layerdelta",repository="r",encoding="compressed"}'`,
          "        values: '1048576x10'",
          '    alert_rule_test:',
          '      - eval_time: 5m',
          '        alertname: LayerdeltaImageGrowthAboveThreshold',
          '        exp_alerts:',
          '          - exp_labels: { severity: warning, job: layerdelta, repository: r, encoding: compressed }',
          '',
        ].join('\n'),
      );
      const { code, output } = await tool('promtool', ['test', 'rules', test]);
      expect(output).toContain('FAILED');
      expect(code).not.toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('Alertmanager example', () => {
  it('amtool check-config accepts it', async () => {
    const { code, output } = await tool('amtool', ['check-config', ALERTMANAGER]);
    expect(output).toContain('SUCCESS');
    expect(code).toBe(0);
  });

  it.each([
    [{ alertname: 'LayerdeltaImageGrowthAboveThreshold', repository: 'r' }, 'slack-image-size'],
    [{ alertname: 'LayerdeltaImageSizeAboveBaseline', repository: 'r', team: 'china' }, 'wechat-image-size'],
    [{ alertname: 'LayerdeltaNoRecentRun', repository: 'r' }, 'slack-image-size'],
    // The example's comment: stale-run alerts go only to Slack, whatever the team.
    [{ alertname: 'LayerdeltaNoRecentRun', repository: 'r', team: 'china' }, 'slack-image-size'],
  ])('routes %o to %s', async (labels, receiver) => {
    const pairs = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
    const { code, output } = await tool('amtool', [
      'config',
      'routes',
      'test',
      `--config.file=${ALERTMANAGER}`,
      ...pairs,
    ]);
    expect(code).toBe(0);
    expect(output.split('\n')[0]?.trim()).toBe(receiver);
  });
});
