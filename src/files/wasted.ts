/**
 * Wasted bytes (dive's "efficiency"): regular-file bytes a layer wrote that the final filesystem does not
 * show, because a later layer overwrote the path, whited it out, or made a directory above it opaque
 * (and a path written twice in one layer wastes its first copy).
 */
import type { ImageFilesystem } from '../layer/filesystem.js';
import type { LayerRead } from '../layer/types.js';
import type { WastedBytes } from './types.js';

export function wastedBytes(scans: LayerRead[], fs: ImageFilesystem): WastedBytes {
  const result: WastedBytes = { bytes: 0, files: 0, byLayer: [] };
  scans.forEach((scan, index) => {
    let bytes = 0;
    let files = 0;
    for (const entry of scan.entries) {
      if (entry.type !== 'file') continue;
      const shown = fs.files.get(entry.path);
      // The filesystem view keeps the very entry object that won: identity says "this write survived".
      if (shown?.layer === index && shown.entry === entry) continue;
      bytes += entry.size;
      files++;
    }
    result.byLayer.push({ index, digest: scan.digest, bytes, files });
    result.bytes += bytes;
    result.files += files;
  });
  return result;
}
