/**
 * The image's final filesystem: layer scans applied in order, as a container runtime would
 * (OCI image spec, "Applying changesets"): in each layer, opaque directories and whiteouts first hide
 * lower content, then the layer's entries are written in tar order. Hard links take their target's
 * content, so a hard-linked Go binary appears at both paths with the same analysis.
 */
import type { GoBinaryReport, NotAnalysable } from '../golang/types.js';
import { segments } from './paths.js';
import type { FileEntry, LayerRead } from './types.js';

/** A path of the final filesystem and what it holds. */
export interface ImageFile {
  entry: FileEntry;
  /** Index of the layer (in `scans`) that last wrote this path. */
  layer: number;
  /** For regular files and hard links to them: the Go analysis of the content. */
  goBinary?: GoBinaryReport;
  /** For ELF executables that are not analysable Go binaries. */
  otherExecutable?: NotAnalysable;
}

export interface LocatedBinary {
  path: string;
  layer: number;
  report: GoBinaryReport;
}

export interface LocatedExecutable {
  path: string;
  layer: number;
  info: NotAnalysable;
}

export interface ImageFilesystem {
  /** Every path of the final filesystem except `/`, sorted. */
  files: Map<string, ImageFile>;
  /** Go executables by path, sorted by path. */
  goBinaries: Map<string, LocatedBinary>;
  /** Non-Go (or not analysable) ELF executables by path, sorted by path. */
  otherExecutables: Map<string, LocatedExecutable>;
}

/** A directory tree: removing a path removes everything under it in one step. */
interface Node {
  file?: ImageFile;
  children?: Map<string, Node>;
}

export function buildFilesystem(scans: LayerRead[]): ImageFilesystem {
  const root: Node = { children: new Map() };
  scans.forEach((scan, layer) => {
    for (const dir of scan.opaqueDirs) lookup(root, dir)?.children?.clear();
    for (const path of scan.whiteouts) remove(root, path);
    for (const entry of scan.entries) write(root, entry, layer, scan);
  });
  return collect(root);
}

function write(root: Node, entry: FileEntry, layer: number, scan: LayerRead): void {
  if (entry.path === '/') return;
  const file: ImageFile = { entry, layer };
  if (entry.type === 'file') {
    const goBinary = scan.goBinaries[entry.path];
    const other = scan.otherExecutables[entry.path];
    if (goBinary) file.goBinary = goBinary;
    if (other) file.otherExecutable = other;
  } else if (entry.type === 'hardlink' && entry.linkname !== undefined) {
    // The target is resolved now: a later layer replacing it does not change this link's content.
    const target = lookup(root, entry.linkname)?.file;
    if (target) {
      file.entry = { ...entry, size: target.entry.size };
      if (target.goBinary) file.goBinary = target.goBinary;
      if (target.otherExecutable) file.otherExecutable = target.otherExecutable;
    }
  }
  const node = ensure(root, entry.path);
  node.file = file;
  // A directory keeps what lies under it; anything else replaces a directory with its content.
  if (entry.type === 'dir') node.children ??= new Map();
  else delete node.children;
}

function lookup(root: Node, path: string): Node | undefined {
  let node: Node | undefined = root;
  for (const name of segments(path)) {
    node = node.children?.get(name);
    if (!node) return undefined;
  }
  return node;
}

/** The node for `path`, creating missing parent directories as implicit ones. */
function ensure(root: Node, path: string): Node {
  let node = root;
  for (const name of segments(path)) {
    node.children ??= new Map();
    let child = node.children.get(name);
    if (!child) {
      child = {};
      node.children.set(name, child);
    }
    node = child;
  }
  return node;
}

function remove(root: Node, path: string): void {
  const parts = segments(path);
  const name = parts.pop();
  if (name === undefined) return;
  const parent = lookup(root, `/${parts.join('/')}`);
  parent?.children?.delete(name);
}

/** Every path in sorted order. Iterative (an explicit stack): a tree may be 20,000 levels deep (docs/design.md §9). */
function collect(root: Node): ImageFilesystem {
  const fs: ImageFilesystem = { files: new Map(), goBinaries: new Map(), otherExecutables: new Map() };
  const stack: Array<{ node: Node; path: string }> = [{ node: root, path: '' }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { node, path } = next;
    if (path !== '') record(fs, path, node.file);
    // Pushed in reverse, so the smallest name is visited next: the same order as a sorted recursion.
    const names = [...(node.children?.keys() ?? [])].sort().reverse();
    for (const name of names) stack.push({ node: node.children!.get(name)!, path: `${path}/${name}` });
  }
  return fs;
}

function record(fs: ImageFilesystem, path: string, file: ImageFile | undefined): void {
  if (!file) return;
  fs.files.set(path, file);
  if (file.goBinary) fs.goBinaries.set(path, { path, layer: file.layer, report: file.goBinary });
  if (file.otherExecutable) {
    fs.otherExecutables.set(path, { path, layer: file.layer, info: file.otherExecutable });
  }
}
