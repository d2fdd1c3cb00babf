/**
 * The build machine's directories a binary built without -trimpath carries in its pclntab file table
 * (docs/design.md §4), and the bytes -trimpath would take off them. -trimpath writes GOROOT's files as
 * `runtime/proc.go`, the module cache's as `module@version/file`, and the main module's as
 * `module/path/file`; without it every name is absolute. Names whose trimmed form the binary does not
 * tell (a module replaced by a local directory, cgo's temporary files) count 0 and are `unmapped`.
 */
import type { BuildPaths, GoBuildInfo } from './types.js';

/** `…/src/` of GOROOT, told by where the runtime's own files are. */
const GOROOT_SRC = /^(\/.*\/src\/)runtime\/[^/]+$/;
/** `…/pkg/mod/` of the module cache: the rest is `module@version/file` (capitals escaped as `!c`). */
const MODULE_CACHE = /^\/.*?\/pkg\/mod\/(?=[^/].*@[^/]+\/)/;

const MAX_CANDIDATES = 16;

const bytes = (text: string) => Buffer.byteLength(text, 'latin1');

export function buildPaths(fileNames: string[], buildInfo: GoBuildInfo): BuildPaths {
  const absolute = fileNames.filter((name) => name.startsWith('/'));
  let savableBytes = 0;
  let unmapped = 0;
  const goroot = absolute.map((name) => GOROOT_SRC.exec(name)?.[1]).find((dir) => dir !== undefined);
  const rest: string[] = [];
  for (const name of absolute) {
    if (goroot !== undefined && name.startsWith(goroot)) {
      savableBytes += bytes(goroot);
      continue;
    }
    const cache = MODULE_CACHE.exec(name);
    if (cache) {
      const inCache = name.slice(cache[0].length);
      savableBytes += bytes(name) - bytes(inCache.replace(/!([a-z])/g, (_, c: string) => c.toUpperCase()));
      continue;
    }
    rest.push(name);
  }
  const root = mainModuleRoot(rest, buildInfo);
  const modulePath = buildInfo.main?.path ?? '';
  for (const name of rest) {
    if (root !== undefined && name.startsWith(`${root}/`)) savableBytes += bytes(root) - bytes(modulePath);
    else unmapped++;
  }
  return { files: absolute.length, savableBytes: Math.max(0, savableBytes), unmapped };
}

/**
 * The main module's directory: the main package's path is the module path plus a directory inside it,
 * so a file in `ROOT + that directory` tells ROOT. Of several candidates, the one most names are under.
 */
function mainModuleRoot(names: string[], buildInfo: GoBuildInfo): string | undefined {
  const modulePath = buildInfo.main?.path;
  if (!modulePath || !(buildInfo.path === modulePath || buildInfo.path.startsWith(`${modulePath}/`)))
    return undefined;
  const inside = buildInfo.path.slice(modulePath.length); // '' or '/cmd/app'
  const candidates = new Set<string>();
  for (const name of names) {
    const dir = name.slice(0, name.lastIndexOf('/'));
    if (dir.endsWith(inside) && dir.length > inside.length)
      candidates.add(dir.slice(0, dir.length - inside.length));
    if (candidates.size === MAX_CANDIDATES) break; // a crafted table's many names stay linear
  }
  let best: string | undefined;
  let bestCount = 0;
  for (const root of candidates) {
    const count = names.filter((name) => name.startsWith(`${root}/`)).length;
    if (count > bestCount || (count === bestCount && best !== undefined && root.length < best.length)) {
      best = root;
      bestCount = count;
    }
  }
  return best;
}
