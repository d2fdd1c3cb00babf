/**
 * A real Debian `prometheus` on a free loopback port that scrapes the given targets every second
 * with `honor_labels: true` (as one scrapes a Pushgateway), plus helpers for its HTTP query API.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort, startProcess } from './process.js';

export interface ScrapeTarget {
  /** host:port */
  address: string;
  /** The scrape job name; default `pushgateway`. */
  job?: string;
  metricsPath?: string;
}

export interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface Prometheus {
  url: string;
  /** Instant query; throws on a query error so a broken expression fails the test. */
  query(expr: string): Promise<VectorSample[]>;
  /** Poll `expr` until it returns at least one sample (or time out with the last answer). */
  waitFor(expr: string, timeoutMs?: number): Promise<VectorSample[]>;
  stop(): Promise<void>;
}

export async function startPrometheus(options: {
  scrapeTargets: ScrapeTarget[];
  /** Absolute paths of rule files to load (evaluated every second). */
  ruleFiles?: string[];
}): Promise<Prometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'layerdelta-prometheus-'));
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: options.ruleFiles ?? [],
    scrape_configs: options.scrapeTargets.map((t, i) => ({
      job_name: t.job ?? (i === 0 ? 'pushgateway' : `target${i}`),
      honor_labels: true,
      scrape_interval: '1s',
      metrics_path: t.metricsPath ?? '/metrics',
      static_configs: [{ targets: [t.address] }],
    })),
  };
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, stringify(config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = await startProcess(
    'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { readyUrl: `${url}/-/ready`, timeoutMs: 30_000 },
  );
  // /-/ready answers 503 while starting; wait for 200 so queries do not race the TSDB.
  const readyDeadline = Date.now() + 30_000;
  while (Date.now() < readyDeadline) {
    const res = await fetch(`${url}/-/ready`).catch(() => undefined);
    if (res?.ok) break;
    await new Promise((r) => setTimeout(r, 200));
  }

  const query = async (expr: string): Promise<VectorSample[]> => {
    const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr })}`);
    const body = (await res.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: VectorSample[] | [number, string] };
    };
    if (body.status !== 'success' || !body.data) {
      throw new Error(`query ${expr} failed: ${body.error ?? res.status}`);
    }
    if (body.data.resultType === 'scalar') {
      return [{ metric: {}, value: body.data.result as [number, string] }];
    }
    return body.data.result as VectorSample[];
  };

  return {
    url,
    query,
    waitFor: async (expr, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      let last: VectorSample[] = [];
      while (Date.now() < deadline) {
        last = await query(expr);
        if (last.length > 0) return last;
        await new Promise((r) => setTimeout(r, 250));
      }
      return last;
    },
    stop: async () => {
      await proc.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
