/** What the pure-TypeScript Go analysis reports for one executable (docs/design.md §4). */

export interface GoModule {
  path: string;
  version: string;
  sum?: string;
  /** `=>` replacement, as `go version -m` prints it. */
  replace?: GoModule;
}

/** Equal, field by field, to what `go version -m FILE` prints. */
export interface GoBuildInfo {
  goVersion: string;
  /** The `path` line: the main package path. */
  path: string;
  main?: GoModule;
  deps: GoModule[];
  /** `build` lines in order: key → value (e.g. -trimpath → true, CGO_ENABLED → 1, GOARCH → amd64). */
  settings: Array<{ key: string; value: string }>;
}

export interface SectionSize {
  name: string;
  /** Bytes in the file (0 for NOBITS such as .bss). A section's size in a diff: see sectionBytes. */
  fileSize: number;
  /** Bytes in memory once loaded (sh_size; for compressed sections the uncompressed size). */
  memSize: number;
  compressed: boolean;
}

export interface GoFunction {
  name: string;
  /** Virtual address of the entry point. */
  entry: number;
  /** Code size as `go tool nm -size` prints it. */
  size: number;
  package: string;
  module: string;
  /**
   * Another name for the code of the next function at the same entry (C++ constructor/destructor
   * aliases): its size is that code's, as nm prints it, but its bytes are not counted again in the
   * package, module and .text totals.
   */
  alias?: true;
}

/** Bytes of code attributed to a package or module. */
export interface SizeShare {
  name: string;
  bytes: number;
  functions: number;
}

/** Every byte of .text: Go functions + alignment padding + code without pcln data = text size. */
export interface TextAccounting {
  textBytes: number;
  goFunctionBytes: number;
  paddingBytes: number;
  /** Code the pclntab does not describe (cgo, C, assembly outside Go's tables). */
  nonGoBytes: number;
}

/** Absolute source file names in the pclntab's file table: what -trimpath would shorten (golang/buildpaths.ts). */
export interface BuildPaths {
  /** Absolute names (0 when built with -trimpath). */
  files: number;
  /** Bytes -trimpath would take off the names whose trimmed form is known (GOROOT, module cache, main module). */
  savableBytes: number;
  /** Absolute names whose trimmed form is not known (local replaced modules, cgo temporaries): counted 0. */
  unmapped: number;
}

export interface GoBinaryReport {
  /** sha256 of the file, `sha256:...`. */
  digest: string;
  size: number;
  arch: string;
  /** ELF class and byte order, e.g. `elf64-little`. */
  format: string;
  stripped: boolean;
  buildInfo: GoBuildInfo;
  sections: SectionSize[];
  /** Which pclntab format was read, e.g. `go1.20` (magic 0xfffffff1). */
  pclntabVersion: string;
  /** Build paths in the file table; absent in reports written before it was read. */
  buildPaths?: BuildPaths;
  text: TextAccounting;
  /** Sorted by bytes, descending. Includes a `(non-Go code)` row when nonGoBytes > 0. */
  packages: SizeShare[];
  modules: SizeShare[];
  /** Only when asked for (`--symbols`): they are large. */
  functions?: GoFunction[];
}

/** A file that looked like an executable but cannot be analysed (not Go, packed, truncated...). */
export interface NotAnalysable {
  digest: string;
  size: number;
  reason: string;
}

/** A module that was added, removed or changed version between two builds (from the build info). */
export interface ModuleChange {
  path: string;
  change: 'added' | 'removed' | 'upgraded' | 'downgraded' | 'replaced';
  oldVersion?: string;
  newVersion?: string;
}

/** One name (package, module, section) on both sides; a side without it counts 0 bytes. */
export interface SizeDelta {
  name: string;
  oldBytes: number;
  newBytes: number;
  delta: number;
}

/** What changed between two analyses of the same executable; delta's BinaryDelta adds path and layers. */
export interface GoBinaryDiff {
  /** File size delta in bytes. */
  delta: number;
  goVersion: { old?: string; new?: string };
  settingsChanged: Array<{ key: string; old?: string; new?: string }>;
  modules: ModuleChange[];
  /** Sorted by growth, descending. */
  packages: SizeDelta[];
  /** Sizes as sectionBytes defines them; sorted by growth, descending. */
  sections: SizeDelta[];
}
