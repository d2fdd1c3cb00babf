/**
 * A real forward proxy for tests: Debian's tinyproxy on a free loopback port, logging every request
 * it forwards (`GET http://HOST/...` for plain HTTP, `CONNECT HOST:PORT` for HTTPS tunnels), so a
 * test can prove what went through it and what did not.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcess } from './process.js';

export interface TestProxy {
  /** http://127.0.0.1:PORT */
  url: string;
  /** The request lines tinyproxy logged (`GET http://127.0.0.1:5000/v2/ HTTP/1.1`, `CONNECT 127.0.0.1:5443 HTTP/1.1`). */
  requests(): string[];
  stop(): Promise<void>;
}

export async function startTinyproxy(): Promise<TestProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'layerdelta-tinyproxy-'));
  const port = await freePort();
  const log = join(dir, 'tinyproxy.log');
  const user = process.getuid?.() === 0 ? ['User root', 'Group root'] : [];
  writeFileSync(
    join(dir, 'tinyproxy.conf'),
    [
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Timeout 60',
      `LogFile "${log}"`,
      'LogLevel Info',
      'MaxClients 100',
      'Allow 127.0.0.1',
      ...user,
      '',
    ].join('\n'),
  );
  const proxy = await startProcess('tinyproxy', ['-d', '-c', join(dir, 'tinyproxy.conf')], {
    readyUrl: `http://127.0.0.1:${port}/`,
  });
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => {
      let text = '';
      try {
        text = readFileSync(log, 'utf8');
      } catch {}
      return [...text.matchAll(/Request \(file descriptor \d+\): (.+)$/gm)].map((m) => m[1] ?? '');
    },
    stop: async () => {
      await proxy.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
