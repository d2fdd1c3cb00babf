/**
 * Which Go package and module a function belongs to, from its symbol name alone (so it works on
 * stripped binaries): the rules of debug/gosym's Sym.PackageName plus the linker's escaping.
 */
import type { GoBuildInfo } from './types.js';

/** Compiler-generated symbols (`go:…`, `type:…`, pre-1.20 `type..…`) that belong to no package. */
export const GENERATED_PACKAGE = '(compiler-generated)';
/** Code with no Go package and no Go stack map: cgo and C functions linked in by Go's linker. */
export const C_PACKAGE = '(C code)';
/** Assembly with a Go stack map but a package-less (file-local) name, e.g. the runtime's `cmpbody`. */
export const ASM_PACKAGE = '(assembly)';
export const STD_MODULE = 'std';
export const UNKNOWN_MODULE = '(unknown module)';
/** Bytes of .text the pclntab does not describe. */
export const NON_GO = '(non-Go code)';

/** Replace every bracketed `[...]` span (generic instantiation, possibly nested) by `[...]`. */
export function maskBrackets(name: string): string {
  if (!name.includes('[')) return name;
  let out = '';
  let depth = 0;
  for (const c of name) {
    if (c === '[') {
      if (depth === 0) out += '[...]';
      depth++;
    } else if (c === ']') {
      if (depth > 0) depth--;
      else out += c;
    } else if (depth === 0) {
      out += c;
    }
  }
  return out;
}

/** Undo the linker's `%xx` escaping of package paths (e.g. `gopkg.in/yaml%2ev3` → `gopkg.in/yaml.v3`). */
export function unescapePath(path: string): string {
  if (!path.includes('%')) return path;
  return path.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

/**
 * The package of a function symbol. Names without one are compiler-generated, C (no pcsp table)
 * or file-local assembly.
 */
export function packageOf(symbol: string, hasPcsp = true): string {
  const name = maskBrackets(symbol);
  if (name.startsWith('go:') || name.startsWith('type:') || name.startsWith('type..'))
    return GENERATED_PACKAGE;
  // The package path ends at the first dot after the last slash; a receiver such as `(*T).M` and
  // closure suffixes come after it.
  const slash = name.lastIndexOf('/');
  const dot = name.indexOf('.', Math.max(slash, 0));
  if (dot <= 0) return hasPcsp ? ASM_PACKAGE : C_PACKAGE;
  return unescapePath(name.slice(0, dot));
}

export function isStandardLibrary(pkg: string): boolean {
  if (pkg.startsWith('vendor/')) return true; // GOROOT/src/vendor, e.g. vendor/golang.org/x/net/...
  const first = pkg.split('/', 1)[0] ?? '';
  return !first.includes('.');
}

/** Finds the module of a package by longest path prefix over the main module and the dependencies. */
export class ModuleResolver {
  private readonly modules: string[];
  private readonly mainPath: string | undefined;
  private readonly cache = new Map<string, string>();
  private readonly commandPath: string;

  constructor(info: GoBuildInfo) {
    this.mainPath = info.main?.path || undefined;
    this.commandPath = info.path;
    const paths = new Set<string>();
    if (this.mainPath) paths.add(this.mainPath);
    for (const d of info.deps) if (d.path) paths.add(d.path);
    // Longest first, so the first match is the longest prefix.
    this.modules = [...paths].sort((a, b) => b.length - a.length);
  }

  moduleOf(pkg: string): string {
    const cached = this.cache.get(pkg);
    if (cached !== undefined) return cached;
    const found = this.resolve(pkg);
    this.cache.set(pkg, found);
    return found;
  }

  /** Without a main module (GOPATH or GOROOT builds), `main` belongs where its command path does. */
  private resolveMainless(): string {
    if (!this.commandPath || this.commandPath === 'main') return UNKNOWN_MODULE;
    return this.resolve(this.commandPath);
  }

  private resolve(pkg: string): string {
    if (pkg === GENERATED_PACKAGE) return GENERATED_PACKAGE;
    if (pkg === C_PACKAGE || pkg === ASM_PACKAGE) return pkg;
    if (pkg === 'main') return this.mainPath ?? this.resolveMainless();
    for (const m of this.modules) {
      if (pkg === m || pkg.startsWith(`${m}/`)) return m;
    }
    if (isStandardLibrary(pkg)) return STD_MODULE;
    return UNKNOWN_MODULE;
  }
}
