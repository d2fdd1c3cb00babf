/**
 * A minimal ELF reader in the spirit of Go's debug/elf: header, program headers, section headers
 * (with the uncompressed size of SHF_COMPRESSED and `.zdebug_*` sections) and the symbol table.
 * 32- and 64-bit, both byte orders. Everything is read through a DataView over the caller's bytes:
 * nothing is copied, and every count read from the file is checked against the file's size before
 * it drives a loop or an allocation.
 */
import { GoAnalysisError } from './errors.js';

export const SHT_NOBITS = 8;
export const SHT_SYMTAB = 2;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
export const SHF_COMPRESSED = 0x800;
export const PT_LOAD = 1;
export const PF_X = 0x1;
export const PF_W = 0x2;
/** Largest address or size accepted: sums of two stay exact in a double. */
const MAX_VALUE = 2n ** 52n;

const ELF_MACHINES: Record<number, string> = {
  3: '386',
  8: 'mips',
  20: 'ppc',
  21: 'ppc64',
  22: 's390x',
  40: 'arm',
  62: 'amd64',
  183: 'arm64',
  243: 'riscv64',
  258: 'loong64',
};

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  /** sh_size: bytes in the file (or in memory for NOBITS). */
  size: number;
  link: number;
  entsize: number;
  /** Size once decompressed, when the section is compressed; otherwise `size`. */
  uncompressedSize: number;
  compressed: boolean;
}

export interface ElfProgram {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
}

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  /** STT_* (low 4 bits of st_info). */
  type: number;
  section: number;
}

export class ElfFile {
  readonly data: Uint8Array;
  readonly view: DataView;
  readonly is64: boolean;
  readonly littleEndian: boolean;
  readonly machine: number;
  readonly type: number;
  readonly sections: ElfSection[];
  readonly programs: ElfProgram[];

  constructor(data: Uint8Array) {
    if (!hasElfMagic(data)) throw new GoAnalysisError('not an ELF file');
    if (data.length < 52) throw new GoAnalysisError('truncated', 'ELF header cut short');
    const elfClass = data[4];
    const byteOrder = data[5];
    if ((elfClass !== 1 && elfClass !== 2) || (byteOrder !== 1 && byteOrder !== 2)) {
      throw new GoAnalysisError('unsupported ELF', `class ${elfClass}, data encoding ${byteOrder}`);
    }
    this.data = data;
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.is64 = elfClass === 2;
    this.littleEndian = byteOrder === 1;
    if (this.is64 && data.length < 64) throw new GoAnalysisError('truncated', 'ELF header cut short');
    this.type = this.u16(16);
    this.machine = this.u16(18);
    this.programs = this.readPrograms();
    this.sections = this.readSections();
  }

  get arch(): string {
    return ELF_MACHINES[this.machine] ?? `elf-machine-${this.machine}`;
  }

  get format(): string {
    return `elf${this.is64 ? 64 : 32}-${this.littleEndian ? 'little' : 'big'}`;
  }

  get ptrSize(): number {
    return this.is64 ? 8 : 4;
  }

  u8(off: number): number {
    return this.view.getUint8(off);
  }
  u16(off: number): number {
    return this.view.getUint16(off, this.littleEndian);
  }
  u32(off: number): number {
    return this.view.getUint32(off, this.littleEndian);
  }
  /** 64-bit values as numbers: addresses and sizes of real files fit in 2^53 (2^52 keeps sums exact). */
  u64(off: number): number {
    const value = this.view.getBigUint64(off, this.littleEndian);
    if (value > MAX_VALUE)
      throw new GoAnalysisError('unsupported ELF', `value 0x${value.toString(16)} at offset ${off}`);
    return Number(value);
  }
  word(off: number): number {
    return this.is64 ? this.u64(off) : this.u32(off);
  }

  /** Bytes the headers say the file has (end of the furthest segment or section); more than its size when cut. */
  get describedSize(): number {
    let end = 0;
    for (const p of this.programs) if (p.type === PT_LOAD) end = Math.max(end, p.offset + p.filesz);
    for (const s of this.sections)
      if (s.type !== SHT_NOBITS && s.index !== 0) end = Math.max(end, s.offset + s.size);
    return end;
  }

  section(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** The bytes of a section as stored in the file (a view, not a copy); empty for NOBITS. */
  sectionData(section: ElfSection): Uint8Array {
    if (section.type === SHT_NOBITS) return new Uint8Array(0);
    if (section.offset + section.size > this.data.length) {
      throw new GoAnalysisError(
        'truncated',
        `section ${section.name || section.index} extends past the end of the file`,
      );
    }
    return this.data.subarray(section.offset, section.offset + section.size);
  }

  /** File offset of a virtual address, via the loadable segments; undefined when not backed by the file. */
  fileOffset(vaddr: number, length: number): number | undefined {
    for (const p of this.programs) {
      if (p.type !== PT_LOAD) continue;
      if (vaddr >= p.vaddr && vaddr + length <= p.vaddr + p.filesz) {
        const off = p.offset + (vaddr - p.vaddr);
        return off + length <= this.data.length ? off : undefined;
      }
    }
    return undefined;
  }

  /** The symbol table (.symtab), or [] for a stripped file. */
  symbols(): ElfSymbol[] {
    const symtab = this.sections.find((s) => s.type === SHT_SYMTAB);
    if (!symtab) return [];
    const strtab = this.sections[symtab.link];
    if (!strtab) return [];
    const table = this.sectionData(symtab);
    const strings = this.sectionData(strtab);
    const entSize = this.is64 ? 24 : 16;
    const base = symtab.offset;
    const out: ElfSymbol[] = [];
    // Entry 0 is the reserved null symbol.
    for (let off = entSize; off + entSize <= table.length; off += entSize) {
      const at = base + off;
      const nameOff = this.u32(at);
      let value: number;
      let size: number;
      let info: number;
      let shndx: number;
      if (this.is64) {
        info = this.u8(at + 4);
        shndx = this.u16(at + 6);
        value = this.u64(at + 8);
        size = this.u64(at + 16);
      } else {
        value = this.u32(at + 4);
        size = this.u32(at + 8);
        info = this.u8(at + 12);
        shndx = this.u16(at + 14);
      }
      out.push({ name: cString(strings, nameOff), value, size, type: info & 0xf, section: shndx });
    }
    return out;
  }

  private readPrograms(): ElfProgram[] {
    const phoff = this.is64 ? this.u64(32) : this.u32(28);
    const phentsize = this.u16(this.is64 ? 54 : 42);
    const phnum = this.u16(this.is64 ? 56 : 44);
    if (phnum === 0 || phoff === 0) return [];
    const minEnt = this.is64 ? 56 : 32;
    if (phentsize < minEnt) throw new GoAnalysisError('unsupported ELF', `program header size ${phentsize}`);
    if (phoff + phnum * phentsize > this.data.length) {
      throw new GoAnalysisError('truncated', 'program headers extend past the end of the file');
    }
    const out: ElfProgram[] = [];
    for (let i = 0; i < phnum; i++) {
      const at = phoff + i * phentsize;
      if (this.is64) {
        out.push({
          type: this.u32(at),
          flags: this.u32(at + 4),
          offset: this.u64(at + 8),
          vaddr: this.u64(at + 16),
          filesz: this.u64(at + 32),
          memsz: this.u64(at + 40),
        });
      } else {
        out.push({
          type: this.u32(at),
          offset: this.u32(at + 4),
          vaddr: this.u32(at + 8),
          filesz: this.u32(at + 16),
          memsz: this.u32(at + 20),
          flags: this.u32(at + 24),
        });
      }
    }
    return out;
  }

  private readSections(): ElfSection[] {
    const shoff = this.is64 ? this.u64(40) : this.u32(32);
    const shentsize = this.u16(this.is64 ? 58 : 46);
    let shnum = this.u16(this.is64 ? 60 : 48);
    let shstrndx = this.u16(this.is64 ? 62 : 50);
    if (shoff === 0) return [];
    const entSize = this.is64 ? 64 : 40;
    if (shentsize < entSize) throw new GoAnalysisError('unsupported ELF', `section header size ${shentsize}`);
    if (shoff + entSize > this.data.length) {
      throw new GoAnalysisError('truncated', 'section headers extend past the end of the file');
    }
    // Extended numbering: the real counts live in section 0 (ELF gABI).
    if (shnum === 0) shnum = this.is64 ? this.u64(shoff + 32) : this.u32(shoff + 20);
    if (shstrndx === 0xffff) shstrndx = this.u32(shoff + (this.is64 ? 40 : 24));
    if (shoff + shnum * shentsize > this.data.length) {
      throw new GoAnalysisError('truncated', 'section headers extend past the end of the file');
    }
    const raw: Array<Omit<ElfSection, 'name' | 'uncompressedSize' | 'compressed'> & { nameOff: number }> = [];
    for (let i = 0; i < shnum; i++) {
      const at = shoff + i * shentsize;
      if (this.is64) {
        raw.push({
          index: i,
          nameOff: this.u32(at),
          type: this.u32(at + 4),
          flags: this.u64(at + 8),
          addr: this.u64(at + 16),
          offset: this.u64(at + 24),
          size: this.u64(at + 32),
          link: this.u32(at + 40),
          entsize: this.u64(at + 56),
        });
      } else {
        raw.push({
          index: i,
          nameOff: this.u32(at),
          type: this.u32(at + 4),
          flags: this.u32(at + 8),
          addr: this.u32(at + 12),
          offset: this.u32(at + 16),
          size: this.u32(at + 20),
          link: this.u32(at + 24),
          entsize: this.u32(at + 36),
        });
      }
    }
    const strSection = raw[shstrndx];
    let names: Uint8Array = new Uint8Array(0);
    if (
      strSection &&
      strSection.type !== SHT_NOBITS &&
      strSection.offset + strSection.size <= this.data.length
    ) {
      names = this.data.subarray(strSection.offset, strSection.offset + strSection.size);
    }
    return raw.map(({ nameOff, ...s }) => {
      const name = cString(names, nameOff);
      const { compressed, uncompressedSize } = this.compression(name, s);
      return { ...s, name, compressed, uncompressedSize };
    });
  }

  /** SHF_COMPRESSED carries an Elf_Chdr; Go before 1.20 wrote `.zdebug_*` with a `ZLIB` + size prefix. */
  private compression(
    name: string,
    s: { flags: number; offset: number; size: number; type: number },
  ): { compressed: boolean; uncompressedSize: number } {
    const inFile = s.type !== SHT_NOBITS && s.offset + s.size <= this.data.length;
    if (s.flags & SHF_COMPRESSED) {
      const chdrSize = this.is64 ? 24 : 12;
      if (!inFile || s.size < chdrSize) return { compressed: true, uncompressedSize: s.size };
      return {
        compressed: true,
        uncompressedSize: this.is64 ? this.u64(s.offset + 8) : this.u32(s.offset + 4),
      };
    }
    if (name.startsWith('.zdebug_') && inFile && s.size >= 12) {
      const d = this.data;
      const o = s.offset;
      if (d[o] === 0x5a && d[o + 1] === 0x4c && d[o + 2] === 0x49 && d[o + 3] === 0x42) {
        return { compressed: true, uncompressedSize: Number(this.view.getBigUint64(o + 4, false)) };
      }
    }
    return { compressed: false, uncompressedSize: s.size };
  }
}

export function hasElfMagic(prefix: Uint8Array): boolean {
  return (
    prefix.length >= 4 && prefix[0] === 0x7f && prefix[1] === 0x45 && prefix[2] === 0x4c && prefix[3] === 0x46
  );
}

const utf8 = new TextDecoder('utf-8');

/**
 * A NUL-terminated string at `off` (bounded by the table), '' when out of range. Pass a Buffer view
 * (`asBuffer`) when reading many: Node's native slice decoding is far cheaper than TextDecoder per name.
 */
export function cString(table: Uint8Array, off: number): string {
  if (off >= table.length) return '';
  let end = table.indexOf(0, off);
  if (end < 0) end = table.length;
  if (Buffer.isBuffer(table)) return table.toString('utf8', off, end);
  return utf8.decode(table.subarray(off, end));
}

/** A Buffer over the same memory (no copy). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function utf8String(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
