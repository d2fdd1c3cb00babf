/**
 * Advice on Go binaries, from what the layer scan already read (docs/design.md §4): ELF sections, build
 * info and the pclntab's per-package code. Each rule is one function of the rules table (rules.ts).
 */
import type { BinaryDelta } from '../delta/types.js';
import { C_PACKAGE, NON_GO } from '../golang/attribution.js';
import type { GoBinaryReport, SectionSize } from '../golang/types.js';
import type { ImageFilesystem } from '../layer/filesystem.js';
import { instructionText, truncate } from '../text.js';
import { formatBytes, formatPercent } from '../units.js';
import { inToolchain } from './toolchains.js';
import type { AdviceInput, AdviceItem, AnalysedImage } from './types.js';

/** A Go binary of the final filesystem and every path that shows it (copies and hard links). */
interface DistinctBinary {
  report: GoBinaryReport;
  paths: string[];
}

/**
 * The final filesystem's Go binaries, one per content digest, in path order. Binaries inside a build
 * toolchain (/usr/local/go/bin/go) are left to the build-toolchains rule: removing it removes them.
 */
export function distinctBinaries(fs: ImageFilesystem): DistinctBinary[] {
  const byDigest = new Map<string, DistinctBinary>();
  for (const [path, binary] of fs.goBinaries) {
    if (inToolchain(path)) continue;
    const known = byDigest.get(binary.report.digest);
    if (known) known.paths.push(path);
    else byDigest.set(binary.report.digest, { report: binary.report, paths: [path] });
  }
  return [...byDigest.values()];
}

function setting(report: GoBinaryReport, key: string): string | undefined {
  return report.buildInfo.settings.find((s) => s.key === key)?.value;
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

/** `layer 3 (COPY app /app)`: a layer as the reports name it. */
export function layerName(image: AnalysedImage, index: number): string {
  const instruction = instructionText(image.image.layers[index]?.createdBy);
  return `layer ${index}${instruction ? ` (${truncate(instruction, 80)})` : ''}`;
}

function paths(binary: DistinctBinary): string {
  return binary.paths.join(', ');
}

/** The sections `-ldflags="-s -w"` leaves out: DWARF (-w; .zdebug_* when compressed by old linkers) and the symbol table (-s). */
const DWARF = /^\.(z?debug_)/;
const SYMBOL_TABLE = new Set(['.symtab', '.strtab']);

/** `DWARF: 2.05 MB in 7 sections (.debug_info 783 kB, .debug_loc 568 kB, …)`, largest first. */
function dwarfLine(sections: SectionSize[]): string {
  const sorted = [...sections].sort((a, b) => b.fileSize - a.fileSize);
  const named = sorted.map((s) => `${s.name} ${formatBytes(s.fileSize)}`).join(', ');
  const total = formatBytes(sum(sections.map((s) => s.fileSize)));
  return `DWARF: ${total} in ${sections.length} section${sections.length === 1 ? '' : 's'} (${named}${sorted.some((s) => s.compressed) ? '; compressed in the file' : ''})`;
}

/**
 * DWARF and the symbol table: their file bytes are what the linker would not write. Measured against the
 * stripped twin of every fixture binary, this is within 0.5% of the real difference (the rest is section
 * headers and alignment). One item per distinct binary: extra copies are the duplicate rule's bytes.
 */
export function goStrip(input: AdviceInput): AdviceItem[] {
  const items: AdviceItem[] = [];
  for (const binary of distinctBinaries(input.image.filesystem)) {
    const dwarf = binary.report.sections.filter((s) => DWARF.test(s.name) && s.fileSize > 0);
    const symbols = binary.report.sections.filter((s) => SYMBOL_TABLE.has(s.name) && s.fileSize > 0);
    const removed: SectionSize[] = [...dwarf, ...symbols];
    const bytes = sum(removed.map((s) => s.fileSize));
    if (bytes === 0) continue;
    const what = [dwarf.length > 0 ? 'DWARF' : '', symbols.length > 0 ? 'a symbol table' : '']
      .filter(Boolean)
      .join(' and ');
    items.push({
      rule: 'go-strip',
      title: `${binary.paths[0]} carries ${what}: ${formatBytes(bytes)} of its ${formatBytes(binary.report.size)}`,
      savableBytes: bytes,
      measure: 'measured',
      change:
        'build with go build -ldflags="-s -w" (panics and profiles keep function names and lines: they come from .gopclntab, which stays)',
      evidence: [
        ...(dwarf.length > 0 ? [dwarfLine(dwarf)] : []),
        ...symbols.map((s) => `${s.name}: ${formatBytes(s.fileSize)}`),
      ],
      paths: binary.paths,
    });
  }
  return items;
}

/**
 * -trimpath is recorded in the build info when it was used; without it, the pclntab's file table holds
 * every source file's absolute path. The saving is what -trimpath takes off those names (golang/
 * buildpaths.ts): against the real twin of fixtures/go/hello built without -trimpath, within 2% of the
 * file size difference. `measured` when every name was mapped and the binary has no DWARF; with DWARF
 * (its line tables hold the paths too, compressed) or unmapped names it is a lower bound.
 */
export function goTrimpath(input: AdviceInput): AdviceItem[] {
  const missing = distinctBinaries(input.image.filesystem).filter(
    (b) => setting(b.report, '-trimpath') !== 'true',
  );
  if (missing.length === 0) return [];
  const bytes = sum(missing.map((b) => b.report.buildPaths?.savableBytes ?? 0));
  const unknown = missing.some((b) => b.report.buildPaths === undefined);
  const partial = missing.some(
    (b) =>
      (b.report.buildPaths?.unmapped ?? 0) > 0 ||
      b.report.sections.some((s) => DWARF.test(s.name) && s.fileSize > 0),
  );
  const evidence = (b: DistinctBinary): string => {
    const found = b.report.buildPaths;
    if (!found) return `${paths(b)}: no -trimpath=true in the build info`;
    const dwarf = b.report.sections.some((s) => DWARF.test(s.name) && s.fileSize > 0);
    return [
      `${paths(b)}: no -trimpath=true in the build info; ${found.files} absolute file name${found.files === 1 ? '' : 's'} in the pclntab, ${formatBytes(found.savableBytes)} shorter trimmed`,
      found.unmapped > 0 ? ` (${found.unmapped} not counted: their trimmed name is not known)` : '',
      dwarf ? '; DWARF line tables hold the paths too (not counted)' : '',
    ].join('');
  };
  return [
    {
      rule: 'go-trimpath',
      title: `${missing.length} Go binar${missing.length === 1 ? 'y was' : 'ies were'} built without -trimpath${bytes > 0 ? `: ${formatBytes(bytes)} of build paths` : ''}`,
      savableBytes: bytes,
      measure: bytes === 0 && unknown ? 'not-measured' : partial || unknown ? 'lower-bound' : 'measured',
      change:
        'build with go build -trimpath: file names in the binary lose the build machine’s directories (smaller, and reproducible)',
      evidence: missing.map(evidence),
      paths: missing.flatMap((b) => b.paths),
    },
  ];
}

/** Every regular file holding a Go binary, in every layer (hidden or not), by content digest. */
export function goBinaryCopies(
  image: AnalysedImage,
): Map<string, Array<{ layer: number; path: string; report: GoBinaryReport }>> {
  const copies = new Map<string, Array<{ layer: number; path: string; report: GoBinaryReport }>>();
  image.scans.forEach((scan, layer) => {
    for (const [path, report] of Object.entries(scan.goBinaries)) {
      copies.set(report.digest, [...(copies.get(report.digest) ?? []), { layer, path, report }]);
    }
  });
  return copies;
}

/**
 * The same content (sha256) written more than once: at several paths, or by several layers (a copy a
 * later layer hides still ships in its layer). Hard links are not counted: they share the bytes.
 */
export function goDuplicate(input: AdviceInput): AdviceItem[] {
  const image = input.image;
  const items: AdviceItem[] = [];
  for (const found of goBinaryCopies(image).values()) {
    if (found.length < 2) continue;
    const size = found[0]!.report.size;
    const layers = new Set(found.map((c) => c.layer));
    const hidden = (c: { layer: number; path: string }) =>
      image.filesystem.files.get(c.path)?.layer !== c.layer;
    items.push({
      rule: 'go-duplicate',
      title: `the same Go binary (${formatBytes(size)}) is written ${found.length} times${layers.size > 1 ? `, in ${layers.size} layers` : ''}`,
      savableBytes: (found.length - 1) * size,
      measure: 'measured',
      change:
        layers.size > 1
          ? 'write it once, in the last layer that needs it (COPY --from a build stage), and link the other paths to it'
          : 'keep one copy and make the other paths links (ln or ln -s) to it',
      evidence: found.map(
        (c) =>
          `${layerName(image, c.layer)}: ${c.path}${hidden(c) ? ' (hidden by a later layer, still shipped)' : ''}`,
      ),
      paths: [...new Set(found.map((c) => c.path))],
    });
  }
  return items;
}

/** Packages that only the race detector brings: its C runtime (ThreadSanitizer) and runtime/race. */
function raceRuntimeBytes(report: GoBinaryReport): number {
  return sum(
    report.packages
      .filter((p) => p.name === C_PACKAGE || p.name === NON_GO || p.name.startsWith('runtime/race'))
      .map((p) => p.bytes),
  );
}

/**
 * -race in a shipped image. Only the race runtime's own code is counted (a lower bound): the
 * instrumentation the compiler adds to every memory access is spread over all packages.
 */
export function goRace(input: AdviceInput): AdviceItem[] {
  return distinctBinaries(input.image.filesystem)
    .filter((b) => setting(b.report, '-race') === 'true')
    .map((b) => {
      const runtime = raceRuntimeBytes(b.report);
      return {
        rule: 'go-race',
        title: `${b.paths[0]} was built with -race: at least ${formatBytes(runtime)} of race-detector runtime`,
        savableBytes: runtime,
        measure: 'lower-bound' as const,
        change:
          'unless this image is meant for race testing, build it without -race (the race detector also slows the program and raises its memory use several times)',
        evidence: [
          `${paths(b)}: -race=true in the build info`,
          `race runtime code (C code and runtime/race): ${formatBytes(runtime)}; the instrumentation in every other package is not counted`,
        ],
        paths: b.paths,
      };
    });
}

/** Sections only a dynamically linked executable has: what CGO_ENABLED=0 leaves out with the C code. */
const DYNAMIC_SECTIONS = new Set([
  '.interp',
  '.dynamic',
  '.dynsym',
  '.dynstr',
  '.hash',
  '.gnu.hash',
  '.gnu.version',
  '.gnu.version_r',
  '.rela',
  '.rela.dyn',
  '.rela.plt',
  '.plt',
  '.got',
  '.got.plt',
]);

/** Sections that only a system (external) linker writes; Go's internal linker writes none of them. */
const EXTERNAL_LINKER_SECTIONS = ['.init', '.fini', '.eh_frame', '.comment'];

/**
 * cgo on, but the binary was linked by Go's own linker: Go links internally only when the cgo code is
 * the standard library's (net's resolver, os/user), so CGO_ENABLED=0 would most likely build the same
 * program as a static binary. Said as advice: the image cannot show whether the cgo resolver is wanted.
 */
export function goCgo(input: AdviceInput): AdviceItem[] {
  const fs = input.image.filesystem;
  const others = fs.otherExecutables.size;
  return distinctBinaries(fs)
    .filter(
      (b) =>
        setting(b.report, 'CGO_ENABLED') === '1' &&
        setting(b.report, '-race') !== 'true' &&
        !b.report.sections.some((s) => EXTERNAL_LINKER_SECTIONS.includes(s.name)),
    )
    .map((b) => {
      const cCode = sum(
        b.report.packages
          .filter((p) => p.name === C_PACKAGE || p.name === NON_GO || p.name === 'runtime/cgo')
          .map((p) => p.bytes),
      );
      const dynamic = sum(
        b.report.sections.filter((s) => DYNAMIC_SECTIONS.has(s.name)).map((s) => s.fileSize),
      );
      return {
        rule: 'go-cgo',
        title: `${b.paths[0]} uses cgo only through the standard library: CGO_ENABLED=0 would likely build it static`,
        savableBytes: cCode + dynamic,
        measure: 'lower-bound' as const,
        change:
          'consider building with CGO_ENABLED=0 (Go’s own DNS resolver and user lookup replace libc’s); a static binary can run on a base without libc (distroless/static, scratch)',
        evidence: [
          `${paths(b)}: CGO_ENABLED=1, linked by Go's internal linker (no ${EXTERNAL_LINKER_SECTIONS.join('/')} sections), which it does only when no package of your own has C code`,
          `C code and dynamic-linking sections: ${formatBytes(cCode + dynamic)}`,
          others === 0
            ? 'no other ELF executable in the image: nothing else needs its libc'
            : `${others} other ELF executable${others === 1 ? '' : 's'} in the image may still need its libc`,
        ],
        paths: b.paths,
      };
    });
}

/** Settings that differ between Go versions by themselves, not by what the build asked for. */
const TOOLCHAIN_SETTINGS = new Set(['DefaultGODEBUG', '-buildmode', '-compiler']);

/** Same path, same modules, same build settings: only the Go version differs. */
function sameCodeOtherGo(binary: BinaryDelta): boolean {
  if (binary.status !== 'changed' || !binary.old || !binary.new) return false;
  if (binary.goVersion.old === binary.goVersion.new) return false;
  const oldMain = binary.old.buildInfo.main;
  const newMain = binary.new.buildInfo.main;
  return (
    binary.modules.length === 0 &&
    oldMain?.path === newMain?.path &&
    oldMain?.version === newMain?.version &&
    binary.settingsChanged.every((s) => TOOLCHAIN_SETTINGS.has(s.key))
  );
}

/**
 * compare and check only: the same code built by two Go versions, as the two images show it. When the
 * new image's build is the larger one, the saving is measured; when a newer Go made it smaller, the
 * binaries of the new image still on the old Go version are named, without a number (not measured).
 */
export function goToolchain(input: AdviceInput): AdviceItem[] {
  const items: AdviceItem[] = [];
  const shrunk: BinaryDelta[] = [];
  for (const binary of input.binaries ?? []) {
    if (!sameCodeOtherGo(binary)) continue;
    const oldSize = binary.old!.size;
    const { old: oldGo, new: newGo } = binary.goVersion;
    const measured = `${binary.path}: ${formatBytes(oldSize)} with ${oldGo} (baseline), ${formatBytes(binary.new!.size)} with ${newGo}; same modules and build settings`;
    if (binary.delta > 0) {
      items.push({
        rule: 'go-toolchain',
        title: `${binary.path} is ${formatBytes(binary.delta)} larger built with ${newGo} than with ${oldGo}, same code`,
        savableBytes: binary.delta,
        measure: 'measured',
        change: `the baseline's toolchain (${oldGo}) built this code smaller; check what in ${newGo} grew it before settling on it`,
        evidence: [measured],
        paths: [binary.path],
      });
    } else if (binary.delta < 0) shrunk.push(binary);
  }
  const newBinaries = input.image.filesystem.goBinaries;
  const named = new Set<string>();
  for (const binary of shrunk) {
    const { old: oldGo, new: newGo } = binary.goVersion;
    // One item per pair of versions: the first binary that shows the shrink stands for the rest.
    if (named.has(`${oldGo} ${newGo}`)) continue;
    named.add(`${oldGo} ${newGo}`);
    const behind = [...newBinaries.values()].filter((b) => b.report.buildInfo.goVersion === oldGo);
    if (behind.length === 0) continue;
    items.push({
      rule: 'go-toolchain',
      title: `${behind.length} Go binar${behind.length === 1 ? 'y is' : 'ies are'} still built with ${oldGo}; ${newGo} made ${binary.path} ${formatPercent(binary.delta / binary.old!.size)} smaller`,
      savableBytes: 0,
      measure: 'not-measured',
      change: `rebuild them with ${newGo}; how much that saves for them is not measured here`,
      evidence: [
        `${binary.path}: ${formatBytes(binary.old!.size)} with ${oldGo} (baseline), ${formatBytes(binary.new!.size)} with ${newGo}; same modules and build settings`,
        ...behind.map((b) => `${b.path}: ${oldGo}`),
      ],
      paths: behind.map((b) => b.path),
    });
  }
  return items;
}
