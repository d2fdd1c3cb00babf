/**
 * Starting real servers (Debian packages) as plain child processes on free loopback ports, and
 * stopping them afterwards. Every service helper in test/support builds on these three functions.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';

/** A free TCP port on 127.0.0.1 (the OS picks it; a tiny race with other processes is accepted). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

export interface RunningProcess {
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** Spawn `command`, then poll `readyUrl` until it answers (any HTTP status) or `timeoutMs` passes. */
export async function startProcess(
  command: string,
  args: string[],
  options: { readyUrl: string; timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string },
): Promise<RunningProcess> {
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => {
    log += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    log += d.toString();
  });
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const running: RunningProcess = {
    child,
    output: () => log,
    stop: async () => {
      if (exited) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      });
    },
  };
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${command} exited before it was ready:\n${log}`);
    try {
      // An HTTPS server with a test CA (or demanding client certificates) is ready once it listens.
      if (options.readyUrl.startsWith('https:')) await tcpConnect(new URL(options.readyUrl));
      else await fetch(options.readyUrl, { signal: AbortSignal.timeout(1000) });
      return running;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await running.stop();
  throw new Error(
    `${command} did not answer on ${options.readyUrl} within ${options.timeoutMs ?? 20_000} ms:\n${log}`,
  );
}

function tcpConnect(url: URL): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) }, () => {
      socket.destroy();
      resolve();
    });
    socket.on('error', reject);
  });
}
