/** A real Debian `prometheus-pushgateway` on a free loopback port, for metrics tests. */
import { freePort, startProcess } from './process.js';

export interface Pushgateway {
  /** Base URL, e.g. http://127.0.0.1:PORT */
  url: string;
  /** The gateway's exposition (/metrics) as text. */
  scrape(): Promise<string>;
  stop(): Promise<void>;
}

export async function startPushgateway(): Promise<Pushgateway> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = await startProcess(
    'prometheus-pushgateway',
    // Debian's build persists to /var/lib/prometheus/pushgateway.data by default: keep each test's
    // gateway in memory only, so no group leaks from one run into the next.
    [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file=', '--log.level=warn'],
    { readyUrl: `${url}/-/ready` },
  );
  return {
    url,
    scrape: async () => {
      const res = await fetch(`${url}/metrics`);
      if (!res.ok) throw new Error(`pushgateway /metrics answered ${res.status}`);
      return await res.text();
    },
    stop: () => proc.stop(),
  };
}
