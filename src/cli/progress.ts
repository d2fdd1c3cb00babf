/**
 * One progress line on stderr, only on a TTY and without --quiet (docs/design.md §5): few enough features
 * that a dependency is not worth it. Redraws at most ten times a second (and always the final state);
 * `finish` erases the line. Two texts: a layer download bar (compare, check, inspect) and a scan line.
 */
import type { ReadProgress } from '../pipeline/layer-reader.js';
import type { ScanRunProgress } from '../registry-scan/run.js';

const REDRAW_MS = 100;
const BAR_WIDTH = 24;

export interface ProgressLine<P> {
  update(progress: P): void;
  finish(): void;
}

export interface ProgressLineOptions {
  /** Default stderr. */
  stream?: NodeJS.WriteStream;
  quiet?: boolean;
}

/** A line showing `text(progress)` on `stream`, or undefined when it is not a TTY or `quiet` is set. */
export function createProgressLine<P>(
  text: (progress: P) => string,
  finished: (progress: P) => boolean,
  options: ProgressLineOptions = {},
): ProgressLine<P> | undefined {
  const stream = options.stream ?? process.stderr;
  if (options.quiet || !stream.isTTY) return undefined;
  let last = 0;
  let drawn = false;
  return {
    update(progress) {
      const now = Date.now();
      if (now - last < REDRAW_MS && !finished(progress)) return;
      last = now;
      stream.write(`\r${text(progress).slice(0, (stream.columns ?? 80) - 1)}\x1b[K`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}

/** The layer download bar: `layers [######------] 5.0/20.0 MB, 1/4 scanned`. */
export function createProgressBar(options: ProgressLineOptions = {}): ProgressLine<ReadProgress> | undefined {
  return createProgressLine(layerProgressText, (p) => p.layersDone === p.layersTotal, options);
}

/** The scan line: repositories done, then the layer bytes of the whole run. */
export function createScanProgress(
  options: ProgressLineOptions = {},
): ProgressLine<ScanRunProgress> | undefined {
  return createProgressLine(scanProgressText, (p) => p.repositoriesDone === p.repositoriesTotal, options);
}

export function layerProgressText({ bytesDone, bytesTotal, layersDone, layersTotal }: ReadProgress): string {
  const fraction = bytesTotal > 0 ? Math.min(1, bytesDone / bytesTotal) : 1;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`;
  return `layers [${bar}] ${megabytes(bytesDone)}/${megabytes(bytesTotal)} MB, ${layersDone}/${layersTotal} scanned`;
}

/** `repositories 12/50, 34.5 MB of 80.1 MB fetched (compressed), 40/96 layers`. */
export function scanProgressText(progress: ScanRunProgress): string {
  const { layers } = progress;
  return `repositories ${progress.repositoriesDone}/${progress.repositoriesTotal}, ${megabytes(layers.bytesDone)} MB of ${megabytes(layers.bytesTotal)} MB fetched (compressed), ${layers.layersDone}/${layers.layersTotal} layers`;
}

function megabytes(bytes: number): string {
  return (bytes / 1_000_000).toFixed(1);
}
