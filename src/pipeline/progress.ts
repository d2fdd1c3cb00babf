/**
 * A one-line download progress bar on stderr, only on a TTY (docs/design.md §5): few enough features that a
 * dependency is not worth it. Redraws at most ten times a second; `finish` erases the line.
 */
import type { ScanProgress } from './scan-image.js';

const REDRAW_MS = 100;
const BAR_WIDTH = 24;

export interface ProgressBar {
  update(event: ScanProgress): void;
  finish(): void;
}

/** A bar for `stream` (default stderr), or undefined when it is not a TTY or `quiet` is set. */
export function createProgressBar(
  options: { stream?: NodeJS.WriteStream; quiet?: boolean } = {},
): ProgressBar | undefined {
  const stream = options.stream ?? process.stderr;
  if (options.quiet || !stream.isTTY) return undefined;
  let last = 0;
  let latest: ScanProgress | undefined;
  let drawn = false;
  const draw = () => {
    if (!latest) return;
    const { bytesDone, bytesTotal, layersDone, layersTotal } = latest;
    const fraction = bytesTotal > 0 ? Math.min(1, bytesDone / bytesTotal) : 1;
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`;
    const line = `layers [${bar}] ${megabytes(bytesDone)}/${megabytes(bytesTotal)} MB, ${layersDone}/${layersTotal} scanned`;
    stream.write(`\r${line.slice(0, (stream.columns ?? 80) - 1)}\x1b[K`);
    drawn = true;
  };
  return {
    update(event) {
      latest = event;
      const now = Date.now();
      if (now - last >= REDRAW_MS || event.layersDone === event.layersTotal) {
        last = now;
        draw();
      }
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}

function megabytes(bytes: number): string {
  return (bytes / 1_000_000).toFixed(1);
}
