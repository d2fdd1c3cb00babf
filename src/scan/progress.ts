/**
 * One progress line on stderr for a scan, only on a TTY and without --quiet: repositories done of
 * total and the bytes fetched so far. Redraws at most ten times a second; `finish` erases the line.
 */
import type { ScanRunProgress } from './run.js';

const REDRAW_MS = 100;

export interface ScanProgressLine {
  update(progress: ScanRunProgress): void;
  finish(): void;
}

export function createScanProgress(
  options: { stream?: NodeJS.WriteStream; quiet?: boolean } = {},
): ScanProgressLine | undefined {
  const stream = options.stream ?? process.stderr;
  if (options.quiet || !stream.isTTY) return undefined;
  let last = 0;
  let drawn = false;
  return {
    update(progress) {
      const now = Date.now();
      const done = progress.repositoriesDone === progress.repositoriesTotal;
      if (now - last < REDRAW_MS && !done) return;
      last = now;
      stream.write(`\r${scanProgressText(progress).slice(0, (stream.columns ?? 80) - 1)}\x1b[K`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}

/** `repositories 12/50, 34.5 MB of 80.1 MB fetched, 40/96 layers` (compressed bytes). */
export function scanProgressText(progress: ScanRunProgress): string {
  const { layers } = progress;
  const mb = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;
  return `repositories ${progress.repositoriesDone}/${progress.repositoriesTotal}, ${mb(layers.bytesDone)} of ${mb(layers.bytesTotal)} fetched (compressed), ${layers.layersDone}/${layers.layersTotal} layers`;
}
