/**
 * Advice on the image's files, from the layer scans' entries and the final filesystem
 * (docs/design.md §11): bytes hidden by a later layer, package-manager caches, documentation.
 * Sizes are regular files' bytes: hard links share their target's bytes and are not counted again.
 */
import { type HiddenWrite, hiddenWrites } from '../files/wasted.js';
import type { ImageFile } from '../layer/filesystem.js';
import { segments } from '../layer/paths.js';
import { formatBytes } from '../units.js';
import { goBinaryCopies, layerName } from './go-rules.js';
import { TOOLCHAINS } from './toolchains.js';
import type { AdviceInput, AdviceItem, AnalysedImage } from './types.js';

function within(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

/** Regular files of the final filesystem that `select` takes, with their bytes per writing layer. */
function visibleBytes(image: AnalysedImage, select: (path: string, file: ImageFile) => boolean) {
  let bytes = 0;
  let files = 0;
  const byLayer = new Map<number, number>();
  for (const [path, file] of image.filesystem.files) {
    if (file.entry.type !== 'file' || !select(path, file)) continue;
    bytes += file.entry.size;
    files++;
    byLayer.set(file.layer, (byLayer.get(file.layer) ?? 0) + file.entry.size);
  }
  const layers = [...byLayer.entries()]
    .filter(([, b]) => b > 0)
    .sort((a, b) => a[0] - b[0])
    .map(([layer, b]) => `${layerName(image, layer)} wrote ${formatBytes(b)}`);
  return { bytes, files, layers };
}

/** Caches package managers leave behind, and the flag or step that avoids each. */
const LEFTOVERS: Array<{ dir: string; what: string; change: string }> = [
  {
    dir: '/var/lib/apt/lists',
    what: 'apt package lists',
    change: 'end the RUN step that runs apt-get update/install with && rm -rf /var/lib/apt/lists/*',
  },
  {
    dir: '/var/cache/apt',
    what: 'apt package cache',
    change: 'end the RUN step that runs apt-get install with && apt-get clean (or use a cache mount)',
  },
  { dir: '/var/cache/apk', what: 'apk package cache', change: 'install with apk add --no-cache' },
  { dir: '/root/.cache/pip', what: 'pip cache', change: 'install with pip install --no-cache-dir' },
  {
    dir: '/root/.npm',
    what: 'npm cache',
    change:
      'end the RUN step with && npm cache clean --force, or use RUN --mount=type=cache,target=/root/.npm',
  },
  {
    dir: '/usr/local/share/.cache/yarn',
    what: 'yarn cache',
    change: 'end the RUN step with && yarn cache clean, or use a cache mount for it',
  },
];

const PYCACHE = '__pycache__';

/** Package-manager caches and Python bytecode caches in the final filesystem. */
export function packageManagerLeftovers(input: AdviceInput): AdviceItem[] {
  const image = input.image;
  const items: AdviceItem[] = [];
  for (const { dir, what, change } of LEFTOVERS) {
    const found = visibleBytes(image, (path) => within(path, dir));
    if (found.bytes === 0) continue;
    items.push({
      rule: 'package-manager-leftovers',
      title: `${dir}: ${formatBytes(found.bytes)} of ${what} in ${found.files} file${found.files === 1 ? '' : 's'}`,
      savableBytes: found.bytes,
      measure: 'measured',
      change,
      evidence: found.layers,
      paths: [dir],
    });
  }
  const pycache = new Set<string>();
  const found = visibleBytes(image, (path) => {
    const parts = segments(path);
    const at = parts.indexOf(PYCACHE);
    if (at < 0) return false;
    pycache.add(`/${parts.slice(0, at + 1).join('/')}`);
    return true;
  });
  if (found.bytes > 0) {
    items.push({
      rule: 'package-manager-leftovers',
      title: `${pycache.size} ${PYCACHE} director${pycache.size === 1 ? 'y' : 'ies'}: ${formatBytes(found.bytes)} of Python bytecode`,
      savableBytes: found.bytes,
      measure: 'measured',
      change:
        'set ENV PYTHONDONTWRITEBYTECODE=1 and pip install --no-compile (Python then compiles at start-up: a little slower to start)',
      evidence: found.layers,
      paths: [...pycache].sort(),
    });
  }
  return items;
}

/** Documentation, man pages, locales: what each dpkg path-exclude line removes, and what it keeps. */
const DOCS: Array<{ dir: string; what: string; keep?: (path: string) => boolean; dpkg: string[] }> = [
  {
    dir: '/usr/share/doc',
    what: 'documentation',
    // Licences stay: the copyright files are what a distribution must keep.
    keep: (path) => path.endsWith('/copyright'),
    dpkg: ['path-exclude=/usr/share/doc/*', 'path-include=/usr/share/doc/*/copyright'],
  },
  { dir: '/usr/share/man', what: 'man pages', dpkg: ['path-exclude=/usr/share/man/*'] },
  {
    dir: '/usr/share/locale',
    what: 'translations',
    keep: (path) => path === '/usr/share/locale/locale.alias',
    dpkg: ['path-exclude=/usr/share/locale/*', 'path-include=/usr/share/locale/locale.alias'],
  },
];

const DPKG_DATABASE = '/var/lib/dpkg/status';

/**
 * /usr/share/doc, /usr/share/man, /usr/share/locale. For a dpkg image the change is the dpkg.cfg.d
 * recipe (written before the packages are installed, so the files are never unpacked); the kept files
 * (copyright, locale.alias) are not counted.
 */
export function docsManLocale(input: AdviceInput): AdviceItem[] {
  const image = input.image;
  const dpkg = image.filesystem.files.has(DPKG_DATABASE);
  const items: AdviceItem[] = [];
  for (const { dir, what, keep, dpkg: lines } of DOCS) {
    const found = visibleBytes(image, (path) => within(path, dir) && !keep?.(path));
    if (found.bytes === 0) continue;
    const recipe = `printf '${lines.join('\\n')}\\n' > /etc/dpkg/dpkg.cfg.d/01-slim`;
    items.push({
      rule: 'docs-man-locale',
      title: `${dir}: ${formatBytes(found.bytes)} of ${what} in ${found.files} file${found.files === 1 ? '' : 's'}`,
      savableBytes: found.bytes,
      measure: 'measured',
      change: dpkg
        ? `before installing packages, RUN ${recipe} (dpkg then never unpacks them; ${lines.join(' ')})`
        : `delete ${dir} in the same RUN step that installs the packages`,
      evidence: found.layers,
      paths: [dir],
    });
  }
  return items;
}

/**
 * Bytes a layer wrote that a later layer overwrote or deleted (whiteout, opaque directory): they are
 * still shipped in the earlier layer. One item per pair of layers, naming both instructions. Read from
 * the files view's hidden writes (the wasted-bytes fact, src/files/wasted.ts). Copies of a Go binary
 * written more than once are the go-duplicate rule's bytes, not counted here; nor is a path one layer
 * wrote twice (no later instruction to name).
 */
export function hiddenBytes(input: AdviceInput): AdviceItem[] {
  const image = input.image;
  const duplicated = new Set(
    [...goBinaryCopies(image).entries()].filter(([, copies]) => copies.length > 1).map(([digest]) => digest),
  );
  const pairs = new Map<
    string,
    { from: number; to: number; bytes: number; paths: Array<[string, number]> }
  >();
  const hows = new Map<string, Set<HiddenWrite['how']>>();
  for (const hidden of hiddenWrites(image.scans, image.filesystem)) {
    const { layer, entry } = hidden;
    if (entry.size === 0 || hidden.by === layer) continue;
    const binary = image.scans[layer]!.goBinaries[entry.path];
    if (binary && duplicated.has(binary.digest)) continue;
    const key = `${layer}>${hidden.by}`;
    const pair = pairs.get(key) ?? { from: layer, to: hidden.by, bytes: 0, paths: [] };
    pair.bytes += entry.size;
    pair.paths.push([entry.path, entry.size]);
    pairs.set(key, pair);
    hows.set(key, (hows.get(key) ?? new Set()).add(hidden.how));
  }

  return [...pairs.entries()].map(([key, pair]) => {
    const how = [...hows.get(key)!].sort().join(' or ');
    const largest = [...pair.paths].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return {
      rule: 'hidden-bytes',
      title: `${formatBytes(pair.bytes)} written by layer ${pair.from} is ${how} by layer ${pair.to}, yet still shipped`,
      savableBytes: pair.bytes,
      measure: 'measured' as const,
      change:
        'do both in one RUN step (create and remove in the same step), or build in a separate stage and COPY --from only the result (multi-stage build)',
      evidence: [
        `written by ${layerName(image, pair.from)}`,
        `${how} by ${layerName(image, pair.to)}`,
        ...largest.slice(0, 5).map(([path, size]) => `${path}: ${formatBytes(size)}`),
        ...(largest.length > 5 ? [`… ${largest.length - 5} more files`] : []),
      ],
      paths: largest.map(([path]) => path),
    };
  });
}

/** Whether the docs-man-locale rule counts this path (its bytes are not counted again here). */
function countedAsDocs(path: string): boolean {
  return DOCS.some(({ dir, keep }) => within(path, dir) && !keep?.(path));
}

/**
 * Build toolchains left in the image: Go, gcc, C headers. Where a package database lists them, by
 * package (dpkg's names, e.g. cpp-12, libc6-dev), each with the bytes of the files it owns in the image
 * (what removing it frees) and dpkg's Installed-Size beside it; files no toolchain package counted (a Go
 * tarball in /usr/local/go; apk and rpm toolchains, whose names are not matched yet) by directory.
 * Documentation, man pages and translations are docs-man-locale's bytes.
 */
export function buildToolchains(input: AdviceInput): AdviceItem[] {
  const image = input.image;
  const packages = image.packages ?? { databases: [], packages: new Map(), owners: new Map() };
  const items: AdviceItem[] = [];
  const claimed = new Set<string>();
  const counted = new Set<string>();
  for (const { what, packages: pattern } of TOOLCHAINS) {
    const names = new Set(
      [...packages.packages.keys()].filter(
        (key) => !claimed.has(key) && pattern.test(packages.packages.get(key)!.name),
      ),
    );
    for (const name of names) claimed.add(name);
    const owned = new Map<string, { bytes: number; files: number }>();
    const found = visibleBytes(image, (path, file) => {
      const owner = packages.owners.get(path);
      if (owner === undefined || !names.has(owner) || countedAsDocs(path)) return false;
      counted.add(path);
      const sum = owned.get(owner) ?? { bytes: 0, files: 0 };
      sum.bytes += file.entry.size;
      sum.files++;
      owned.set(owner, sum);
      return true;
    });
    if (found.bytes > 0) {
      const listed = [...owned.entries()].sort((a, b) => b[1].bytes - a[1].bytes || (a[0] < b[0] ? -1 : 1));
      const shown = listed.slice(0, 4).map(([name]) => name);
      items.push({
        rule: 'build-toolchains',
        title: `${what}: ${listed.length} package${listed.length === 1 ? '' : 's'} (${shown.join(', ')}${listed.length > 4 ? ', …' : ''}): ${formatBytes(found.bytes)} in ${found.files} file${found.files === 1 ? '' : 's'}`,
        savableBytes: found.bytes,
        measure: 'measured',
        change: `if this is a runtime image: build in a separate stage and COPY --from=build only what runs (multi-stage build); or apt-get purge --auto-remove ${shown.join(' ')} in the same RUN step that installed them`,
        evidence: [
          ...listed.map(([name, sum]) => {
            const p = packages.packages.get(name)!;
            return `${name} ${p.version}: ${formatBytes(sum.bytes)} of files in the image (dpkg Installed-Size ${formatBytes(p.installedSize)})`;
          }),
          ...found.layers,
        ],
      });
    }
  }
  // Then by directory, what no package above counted (a Go tarball, an apk or rpm toolchain).
  for (const { what, dirs } of TOOLCHAINS) {
    const where = new Set<string>();
    const loose = visibleBytes(image, (path) => {
      if (counted.has(path)) return false;
      const dir = dirs(path);
      if (dir !== undefined) where.add(dir);
      return dir !== undefined;
    });
    if (loose.bytes === 0) continue;
    const places = [...where].sort();
    items.push({
      rule: 'build-toolchains',
      title: `${what} in the image (${places.join(', ')}): ${formatBytes(loose.bytes)} in ${loose.files} file${loose.files === 1 ? '' : 's'}`,
      savableBytes: loose.bytes,
      measure: 'measured',
      change:
        'if this is a runtime image: build in a separate stage and COPY --from=build only what runs (multi-stage build)',
      evidence: [
        packages.databases.length === 0
          ? 'no package database read: measured by directory'
          : 'not from a dpkg toolchain package: measured by directory',
        ...loose.layers,
      ],
      paths: places,
    });
  }
  return items;
}
