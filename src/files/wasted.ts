/**
 * Wasted bytes (dive's "efficiency"): regular-file bytes a layer wrote that the final filesystem does not
 * show, because a later layer overwrote the path, whited it out, or made a directory above it opaque
 * (and a path written twice in one layer wastes its first copy).
 */
import type { ImageFilesystem } from '../layer/filesystem.js';
import { segments } from '../layer/paths.js';
import type { FileEntry, LayerRead } from '../layer/types.js';
import type { WastedBytes } from './types.js';

/** One regular-file write the final filesystem does not show, and the first layer that hid it. */
export interface HiddenWrite {
  /** The layer that wrote it. */
  layer: number;
  entry: FileEntry;
  /** The first later layer that overwrote or deleted it; `layer` itself when the layer wrote the path twice. */
  by: number;
  how: 'overwritten' | 'deleted';
}

/** `path` and its parents, deepest first. */
function selfAndParents(path: string): string[] {
  const parts = segments(path);
  return parts.map((_, i) => `/${parts.slice(0, parts.length - i).join('/')}`);
}

/** Every hidden regular-file write, in layer then entry order: the one home of the wasted-bytes fact. */
export function hiddenWrites(scans: LayerRead[], fs: ImageFilesystem): HiddenWrite[] {
  // Per layer: what it writes (any type but directories), deletes and makes opaque, for lookups by path.
  const touched = scans.map((scan) => ({
    written: new Set(scan.entries.filter((e) => e.type !== 'dir').map((e) => e.path)),
    deleted: new Set(scan.whiteouts),
    opaque: new Set(scan.opaqueDirs),
  }));
  const firstHider = (layer: number, path: string): Pick<HiddenWrite, 'by' | 'how'> => {
    const chain = selfAndParents(path);
    for (let later = layer + 1; later < touched.length; later++) {
      const t = touched[later]!;
      if (t.written.has(path)) return { by: later, how: 'overwritten' };
      // A parent replaced by a file or link takes the whole tree with it.
      if (chain.slice(1).some((p) => t.written.has(p))) return { by: later, how: 'overwritten' };
      if (chain.some((p) => t.deleted.has(p))) return { by: later, how: 'deleted' };
      if (chain.slice(1).some((p) => t.opaque.has(p))) return { by: later, how: 'deleted' };
    }
    return { by: layer, how: 'overwritten' };
  };
  const hidden: HiddenWrite[] = [];
  scans.forEach((scan, layer) => {
    for (const entry of scan.entries) {
      if (entry.type !== 'file') continue;
      const shown = fs.files.get(entry.path);
      // The filesystem view keeps the very entry object that won: identity says "this write survived".
      if (shown?.layer === layer && shown.entry === entry) continue;
      hidden.push({ layer, entry, ...firstHider(layer, entry.path) });
    }
  });
  return hidden;
}

/** The hidden writes summed per layer and for the image. */
export function wastedBytes(scans: LayerRead[], fs: ImageFilesystem): WastedBytes {
  const byLayer = scans.map((scan, index) => ({ index, digest: scan.digest, bytes: 0, files: 0 }));
  for (const { layer, entry } of hiddenWrites(scans, fs)) {
    byLayer[layer]!.bytes += entry.size;
    byLayer[layer]!.files++;
  }
  return {
    bytes: byLayer.reduce((sum, l) => sum + l.bytes, 0),
    files: byLayer.reduce((sum, l) => sum + l.files, 0),
    byLayer,
  };
}
