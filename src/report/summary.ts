/** The one-line verdict every report starts with, and the per-layer labels renderers share. */
import type { ImageDelta, LayerChange } from '../delta/types.js';
import { instructionText, truncate } from '../text.js';
import { changeRatio, formatDelta, formatPercent, formatTolerance } from '../units.js';
import { shortDigest } from './format.js';

/**
 * `changed` split the way people read it: within the tolerance, or beyond it (grown / shrunk); a reused
 * layer stored as another blob is `recompressed`.
 */
export type LayerLabel = 'reused' | 'recompressed' | 'new' | 'removed' | 'changed' | 'grown' | 'shrunk';

export function layerLabel(change: LayerChange): LayerLabel {
  if (change.recompressed) return 'recompressed';
  if (change.status !== 'changed') return change.status;
  if (!change.significant) return 'changed';
  return change.delta > 0 ? 'grown' : 'shrunk';
}

/** What a layer is called in one line: its instruction, else its position and short digest. */
export function layerName(change: LayerChange, max = 60): string {
  const side = change.new ?? change.old!;
  const instruction = instructionText(side.createdBy);
  return instruction ? truncate(instruction, max) : `layer ${side.index} (${shortDigest(side.digest)})`;
}

/** `gzip`, `zstd`, or `plain tar` for uncompressed layers. */
export function encodingText(encodings: string[]): string {
  return encodings.map((e) => (e === 'none' ? 'plain tar' : e)).join('+') || 'no layers';
}

/**
 * Said wherever sizes are: why stored sizes are not compared, and which sizes are judged instead
 * (docs/design.md §3.4). undefined when stored sizes compare.
 */
export function storedSizesNote(delta: ImageDelta): string | undefined {
  const { storedSizes } = delta;
  if (storedSizes.comparable) return undefined;
  const stores = `old layers are stored as ${encodingText(storedSizes.old)}, new as ${encodingText(storedSizes.new)}`;
  return delta.judgedSizes === 'uncompressed'
    ? `Stored sizes are not comparable (${stores}): significance and thresholds judge uncompressed sizes.`
    : `Stored sizes are not comparable (${stores}) and the layers were not read: compressed sizes are judged anyway.`;
}

/** Re-encoded layers and their stored-size difference, said apart from growth; undefined if none. */
export function recompressedSentence(delta: ImageDelta): string | undefined {
  const { count, storedDelta } = delta.totals.recompressed;
  if (count === 0) return undefined;
  return `Recompressed: ${plural(count, 'reused layer')} stored as other blobs, ${formatDelta(storedDelta)} stored (the same content: not growth).`;
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/**
 * e.g. `+6.3 MB (+140%) compressed; 1 layer beyond ±5%: COPY app /usr/local/bin/app; 1 new layer (+1.2 MB)`.
 */
export function summaryLine(delta: ImageDelta): string {
  const parts: string[] = [];
  const compressed = `${formatDelta(delta.totals.compressedDelta)} (${formatPercent(
    changeRatio(delta.old.compressedSize, delta.new.compressedSize),
  )}) compressed`;
  const uncompressed =
    delta.totals.uncompressedDelta !== undefined &&
    delta.old.uncompressedSize !== undefined &&
    delta.new.uncompressedSize !== undefined
      ? `${formatDelta(delta.totals.uncompressedDelta)} (${formatPercent(
          changeRatio(delta.old.uncompressedSize, delta.new.uncompressedSize),
        )}) uncompressed`
      : '';
  if (delta.storedSizes.comparable) parts.push(uncompressed ? `${compressed}, ${uncompressed}` : compressed);
  else {
    // Stored bytes of plain tars against gzip blobs say nothing about growth: lead with what does.
    const stored = `stored sizes not comparable (${encodingText(delta.storedSizes.old)} → ${encodingText(delta.storedSizes.new)})`;
    parts.push(uncompressed ? `${uncompressed}; ${stored}` : `${compressed}; ${stored}`);
  }

  const beyond = delta.layers.filter((l) => l.significant === true);
  const tolerance = formatTolerance(delta.tolerance);
  if (beyond.length === 0) {
    parts.push(`no layer beyond ${tolerance}`);
  } else {
    const shown = beyond.slice(0, 3).map((l) => layerName(l));
    const more = beyond.length > 3 ? ` and ${beyond.length - 3} more` : '';
    parts.push(`${plural(beyond.length, 'layer')} beyond ${tolerance}: ${shown.join(', ')}${more}`);
  }
  const { new: added, removed } = delta.totals.byStatus;
  if (added.count > 0) parts.push(`${plural(added.count, 'new layer')} (${formatDelta(added.bytes)})`);
  if (removed.count > 0) {
    parts.push(`${plural(removed.count, 'removed layer')} (${formatDelta(-removed.bytes)})`);
  }
  const { recompressed } = delta.totals;
  if (recompressed.count > 0) {
    parts.push(
      `${plural(recompressed.count, 'recompressed layer')} (${formatDelta(recompressed.storedDelta)} stored, not growth)`,
    );
  }
  return parts.join('; ');
}
