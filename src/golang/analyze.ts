/**
 * One Go executable in, one GoBinaryReport out (docs/design.md §4): ELF sections, build info, the pclntab's
 * functions, their packages and modules, and an exact account of every byte of .text.
 */
import { sha256Digest } from '../oci/digest.js';
import { GENERATED_PACKAGE, ModuleResolver, NON_GO, packageOf } from './attribution.js';
import { readBuildInfo } from './buildinfo.js';
import { buildPaths } from './buildpaths.js';
import { ElfFile, hasElfMagic, SHT_NOBITS } from './elf.js';
import { GoAnalysisError } from './errors.js';
import { isAlignmentFill, locatePclntab, type PclnFunction, readPclntab } from './pclntab.js';
import type { GoBinaryReport, GoFunction, SectionSize, SizeShare, TextAccounting } from './types.js';

export { GoAnalysisError } from './errors.js';

/** True when the bytes start with the ELF magic (enough to decide whether to buffer a tar entry). */
export function isElf(prefix: Uint8Array): boolean {
  return hasElfMagic(prefix);
}

export interface AnalyzeOptions {
  /** Include every function in the report (large). */
  symbols?: boolean;
}

/** Analyse one Go executable held in memory. Throws only GoAnalysisError. */
export function analyzeGoBinary(data: Uint8Array, options?: AnalyzeOptions): GoBinaryReport {
  try {
    return analyzeStrict(data, options);
  } catch (err) {
    if (err instanceof GoAnalysisError) throw err;
    // A DataView read past the end on crafted input: the file lies about its own layout.
    if (err instanceof RangeError)
      throw new GoAnalysisError('truncated', 'a table points past the end of the file');
    throw new GoAnalysisError('unsupported ELF', err instanceof Error ? err.message : String(err));
  }
}

/**
 * The analysis without the safety net that turns stray runtime errors into GoAnalysisError: the fuzz
 * tests call this one, so any read the parsers forgot to bound shows up there.
 */
export function analyzeStrict(data: Uint8Array, options: AnalyzeOptions = {}): GoBinaryReport {
  if (!hasElfMagic(data)) throw new GoAnalysisError('not an ELF file');
  const elf = new ElfFile(data);
  if (!elf.section('.go.buildinfo') && isUpxPacked(data)) {
    throw new GoAnalysisError('packed with UPX', undefined, {
      hint: 'unpack it with `upx -d` to analyse it',
    });
  }
  const described = elf.describedSize;
  if (described > data.length) {
    throw new GoAnalysisError(
      'truncated',
      `the file has ${data.length} bytes, its headers describe ${described}`,
      {
        hint: 'copy or download it again',
      },
    );
  }
  const buildInfo = readBuildInfo(elf);
  const textSection = elf.section('.text');
  // Go 1.26 writes 0 as the pclntab's text start: Go's code starts at runtime.text, which is the
  // start of .text unless an external linker put C code first (then only the symbol table knows).
  const goTextStart = () =>
    elf.symbols().find((s) => s.name === 'runtime.text')?.value ?? textSection?.addr ?? 0;
  const pclntab = readPclntab(elf, locatePclntab(elf), goTextStart);
  const text = textSection
    ? { addr: textSection.addr, size: textSection.size }
    : { addr: pclntab.functions[0]?.entry ?? pclntab.textStart, size: 0 };
  if (!textSection) text.size = Math.max(0, pclntab.textEnd - text.addr);

  const resolver = new ModuleResolver(buildInfo);
  const functions: GoFunction[] = pclntab.functions.map((f) => {
    const pkg = packageOf(f.name, f.hasPcsp, resolver.paths);
    const fn: GoFunction = {
      name: f.name,
      entry: f.entry,
      size: f.size,
      package: pkg,
      module: resolver.moduleOf(pkg),
    };
    if (f.alias) fn.alias = true;
    return fn;
  });
  const accounting = accountText(elf, text, pclntab.functions);

  const report: GoBinaryReport = {
    digest: sha256Digest(data),
    size: data.length,
    arch: elf.arch,
    format: elf.format,
    stripped: !elf.section('.symtab'),
    buildInfo,
    sections: sectionSizes(elf),
    pclntabVersion: pclntab.version,
    buildPaths: buildPaths(pclntab.fileNames, buildInfo),
    text: accounting,
    packages: shares(functions, (f) => f.package, accounting.nonGoBytes),
    modules: shares(functions, (f) => f.module, accounting.nonGoBytes),
  };
  if (options.symbols) report.functions = functions;
  return report;
}

function isUpxPacked(data: Uint8Array): boolean {
  const marker = [0x55, 0x50, 0x58, 0x21]; // "UPX!"
  const has = (from: number, to: number): boolean => {
    for (let i = Math.max(0, from); i + 4 <= Math.min(to, data.length); i++) {
      if (
        data[i] === marker[0] &&
        data[i + 1] === marker[1] &&
        data[i + 2] === marker[2] &&
        data[i + 3] === marker[3]
      ) {
        return true;
      }
    }
    return false;
  };
  return has(0, 4096) || has(data.length - 4096, data.length);
}

function sectionSizes(elf: ElfFile): SectionSize[] {
  return elf.sections
    .filter((s) => s.index !== 0 && s.name !== '')
    .map((s) => ({
      name: s.name,
      fileSize: s.type === SHT_NOBITS ? 0 : s.size,
      memSize: s.compressed ? s.uncompressedSize : s.size,
      compressed: s.compressed,
    }));
}

/**
 * Splits .text into Go functions (their code sizes), padding (fill bytes between a function's end
 * and the next entry, or around the Go code) and everything else (code the pclntab does not
 * describe: C linked by the external linker, crt start files). The three add up to the .text size.
 */
function accountText(
  elf: ElfFile,
  text: { addr: number; size: number },
  functions: PclnFunction[],
): TextAccounting {
  const textEnd = text.addr + text.size;
  let goFunctionBytes = 0;
  let paddingBytes = 0;
  let nonGoBytes = 0;
  const unclaimed = (from: number, to: number): void => {
    if (to <= from) return;
    if (isAlignmentFill(elf, from, to - from)) paddingBytes += to - from;
    else nonGoBytes += to - from;
  };
  // Walk .text once, left to right; the cursor never moves back, so crafted overlapping tables
  // cannot count a byte twice.
  let cursor = text.addr;
  for (const f of functions) {
    if (f.alias) continue; // its code is the next function's
    const entry = Math.min(Math.max(f.entry, cursor), textEnd);
    unclaimed(cursor, entry);
    const codeEnd = Math.min(Math.max(f.entry + f.size, entry), textEnd);
    goFunctionBytes += codeEnd - entry;
    const next = Math.min(Math.max(f.next, codeEnd), textEnd);
    unclaimed(codeEnd, next);
    cursor = next;
  }
  unclaimed(cursor, textEnd);
  return { textBytes: text.size, goFunctionBytes, paddingBytes, nonGoBytes };
}

function shares(functions: GoFunction[], key: (f: GoFunction) => string, nonGoBytes: number): SizeShare[] {
  const totals = new Map<string, SizeShare>();
  for (const f of functions) {
    if (f.alias) continue; // counted with the function whose code it names
    const name = key(f) || GENERATED_PACKAGE;
    const share = totals.get(name);
    if (share) {
      share.bytes += f.size;
      share.functions++;
    } else {
      totals.set(name, { name, bytes: f.size, functions: 1 });
    }
  }
  if (nonGoBytes > 0) totals.set(NON_GO, { name: NON_GO, bytes: nonGoBytes, functions: 0 });
  return [...totals.values()].sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
}
