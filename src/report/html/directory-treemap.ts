/**
 * The directory treemap of an image (docs/design.md §11): area = bytes of files and symlinks below a
 * directory in the new image, colour = growth against the old one. Directories nest: a cell large
 * enough holds its children below a one-line header; its own files are the part no child covers.
 */
import type { DirectoryDelta } from '../../files/types.js';
import { baseName, parentOf } from '../../layer/paths.js';
import { changeRatio, formatBytes, formatDelta, formatPercent } from '../../units.js';
import { html, type SafeHtml } from './escape.js';
import { type Rect, squarify } from './treemap.js';
import { cellSvg, deltaTone } from './treemap-svg.js';

/** What the treemap needs of a directory (a DirectoryDelta; inspect gives old = 0, delta = 0). */
export type TreemapDirectory = Pick<DirectoryDelta, 'path' | 'oldBytes' | 'newBytes' | 'delta' | 'change'>;

interface Node {
  dir: TreemapDirectory;
  children: Node[];
}

/** Header strip of a directory drawn with its children inside, and the padding around them. */
const HEADER = 16;
const PAD = 2;
/** A directory smaller than this on either side is drawn whole, without its children. */
const MIN_NESTED = 44;

/** The tree of the listed directories (a parent is listed before its children: files/rollup.ts). */
function tree(dirs: readonly TreemapDirectory[]): Node | undefined {
  const byPath = new Map<string, Node>();
  let root: Node | undefined;
  for (const dir of dirs) {
    const node: Node = { dir, children: [] };
    byPath.set(dir.path, node);
    if (dir.path === '/') root = node;
    else byPath.get(parentOf(dir.path))?.children.push(node);
  }
  return root;
}

function tooltip(dir: TreemapDirectory, neutral: boolean): string {
  const exact = (bytes: number) => `${formatBytes(bytes)} (${bytes} bytes)`;
  if (neutral) return `${dir.path}\n${exact(dir.newBytes)}`;
  const ratio = changeRatio(dir.oldBytes, dir.newBytes);
  const percent = ratio === undefined ? undefined : formatPercent(ratio);
  return [
    dir.path,
    `old: ${dir.change === 'added' ? 'absent' : exact(dir.oldBytes)}`,
    `new: ${exact(dir.newBytes)}`,
    `Δ: ${formatDelta(dir.delta)}${percent ? ` (${percent})` : ''}`,
  ].join('\n');
}

/** Each node's cell, parents before children (so children are painted over their parent). */
function layout(root: Node, bounds: Rect): Array<{ node: Node; rect: Rect; depth: number; nested: boolean }> {
  const out: Array<{ node: Node; rect: Rect; depth: number; nested: boolean }> = [];
  const inside = (parent: Node, area: Rect, depth: number) => {
    const covered = parent.children.reduce((s, c) => s + c.dir.newBytes, 0);
    // The parent's own files take their share of the area and stay in the parent's colour.
    const own: Node | undefined =
      parent.dir.newBytes > covered
        ? { dir: { ...parent.dir, newBytes: parent.dir.newBytes - covered }, children: [] }
        : undefined;
    const items = own ? [...parent.children, own] : parent.children;
    for (const { item, ...rect } of squarify(items, (n) => n.dir.newBytes, area)) {
      if (item !== own) place(item, rect, depth);
    }
  };
  const place = (node: Node, rect: Rect, depth: number) => {
    const nested = node.children.length > 0 && rect.width >= MIN_NESTED && rect.height >= MIN_NESTED;
    out.push({ node, rect, depth, nested });
    if (!nested) return;
    inside(
      node,
      {
        x: rect.x + PAD,
        y: rect.y + HEADER,
        width: rect.width - 2 * PAD,
        height: rect.height - HEADER - PAD,
      },
      depth + 1,
    );
  };
  inside(root, bounds, 1);
  return out;
}

/** Cells of the directory treemap in `bounds`; `neutral` (inspect) paints one colour and labels sizes. */
export function directoryCells(
  dirs: readonly TreemapDirectory[],
  neutral: boolean,
  bounds: Rect,
): SafeHtml[] {
  const root = tree(dirs);
  if (!root) return [];
  return layout(root, bounds).map(({ node, rect, depth, nested }) => {
    const { dir } = node;
    return cellSvg(rect, {
      tone: neutral ? 'tm-neutral' : deltaTone(dir),
      title: tooltip(dir, neutral),
      // A top-level directory by its path (`/usr`), below that by its name: the header above says where.
      name: depth === 1 ? dir.path : baseName(dir.path),
      // An unchanged directory says its size: its colour already says it did not change.
      detail: neutral || dir.delta === 0 ? formatBytes(dir.newBytes) : formatDelta(dir.delta),
      data: html` data-path="${dir.path}"`,
      header: nested,
    });
  });
}
