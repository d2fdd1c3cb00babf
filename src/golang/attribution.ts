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
 * Functions the compiler writes for anonymous receivers (promoted methods of `struct { … }` values)
 * and the old buildid function: the linker files them under the pseudo-package `go`, spelt `go.`
 * up to Go 1.19 and `go:` since (cmd/compile ir.MethodSymSuffix). They belong to no package.
 */
const GO_PSEUDO_PACKAGE = /^go\.(?:\(\*)?(?:struct|interface) \{|^go\.buildid$/;

/**
 * How the linker writes a package path into a symbol name (cmd/internal/objabi.PathToPrefix): bytes
 * that are control characters, space, `%`, `"` or non-ASCII, and dots in the last element, as `%xx`.
 */
export function pathToPrefix(path: string): string {
  const slash = path.lastIndexOf('/');
  let out = '';
  for (const [i, c] of [...Buffer.from(path, 'utf8')].entries()) {
    if (c <= 0x20 || c === 0x25 || c === 0x22 || c >= 0x7f || (c === 0x2e && i > slash)) {
      out += `%${c.toString(16).padStart(2, '0')}`;
    } else out += String.fromCharCode(c);
  }
  return out;
}

/**
 * The package of a function symbol. A symbol is `package.rest` with the package path escaped
 * (pathToPrefix), so the path's last element has no dot; but `rest` may itself hold paths: a
 * promoted method's wrapper names the method's package, `main.(*T).example.com/p.m`
 * (ir.MethodSymSuffix), so the last slash of the name is not the package's. The path therefore ends
 * at the first dot after the module path it starts with (`modules`, longest first), or, for the
 * standard library, whose paths have no dots, at the first dot; `vendor/` paths start with the
 * vendored module's domain. A name whose first element has a dot but no known module falls back to
 * debug/gosym's rule (first dot after the last slash). Names without a package are compiler-generated,
 * C (no pcsp table) or file-local assembly.
 */
export function packageOf(symbol: string, hasPcsp = true, modules = NO_MODULES): string {
  // Go's compiler and assembler write a pcsp table for every function: code without one is C, and
  // C names may hold dots too (gcc's `.cold`, `.part.0`, `.constprop.0`, `.localalias`).
  if (!hasPcsp) return C_PACKAGE;
  const name = maskBrackets(symbol);
  if (
    name.startsWith('go:') ||
    name.startsWith('type:') ||
    name.startsWith('type..') ||
    GO_PSEUDO_PACKAGE.test(name)
  )
    return GENERATED_PACKAGE;
  const dot = packageEnd(name, modules);
  if (dot <= 0) return ASM_PACKAGE;
  return unescapePath(name.slice(0, dot));
}

/** A module path's first element (cmd/go module.CheckPath): lower-case letters, digits, dashes, a dot. */
const MODULE_DOMAIN = /^[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)+$/;

/** Module paths as symbol names start with them, grouped by first element for a quick look-up. */
export class ModulePaths {
  private readonly byFirst = new Map<string, Array<{ path: string; prefix: string }>>();

  constructor(paths: Iterable<string>) {
    // Longest first, so the first match is the longest module path.
    for (const path of [...new Set(paths)].sort((a, b) => b.length - a.length)) {
      const first = path.split('/', 1)[0] ?? path;
      const prefix = pathToPrefix(path);
      const key = path.includes('/') ? first : prefix;
      this.byFirst.set(key, [...(this.byFirst.get(key) ?? []), { path, prefix }]);
    }
  }

  /** End of the package path when `name` starts with one of the modules, else undefined. */
  packageEnd(name: string): number | undefined {
    const slash = name.indexOf('/');
    const dot = name.indexOf('.');
    for (const key of [slash > 0 ? name.slice(0, slash) : '', dot > 0 ? name.slice(0, dot) : '']) {
      for (const m of this.byFirst.get(key) ?? []) {
        if (name.startsWith(`${m.path}/`)) return name.indexOf('.', m.path.length);
        if (name.startsWith(`${m.prefix}.`)) return m.prefix.length;
      }
    }
    return undefined;
  }
}

const NO_MODULES = new ModulePaths([]);

/** Index of the dot that ends the package path of `name`, -1 when there is none. */
function packageEnd(name: string, modules: ModulePaths): number {
  const inModule = modules.packageEnd(name);
  if (inModule !== undefined) return inModule;
  // vendor/golang.org/x/net/…: dot-free elements after the vendored module's domain.
  if (name.startsWith('vendor/')) return name.indexOf('.', name.indexOf('/', 'vendor/'.length) + 1);
  const firstSlash = name.indexOf('/');
  const domain = firstSlash > 0 ? name.slice(0, firstSlash) : '';
  if (!name.startsWith('main.') && MODULE_DOMAIN.test(domain)) {
    // A module the build info does not list: debug/gosym's rule.
    return name.indexOf('.', name.lastIndexOf('/'));
  }
  return name.indexOf('.');
}

export function isStandardLibrary(pkg: string): boolean {
  if (pkg.startsWith('vendor/')) return true; // GOROOT/src/vendor, e.g. vendor/golang.org/x/net/...
  const first = pkg.split('/', 1)[0] ?? '';
  return !first.includes('.');
}

/** Finds the module of a package by longest path prefix over the main module and the dependencies. */
export class ModuleResolver {
  private readonly modules: string[];
  /** The same paths, for finding where a symbol's package path ends (packageOf). */
  readonly paths: ModulePaths;
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
    this.paths = new ModulePaths(paths);
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
