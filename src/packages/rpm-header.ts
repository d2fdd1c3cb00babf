/**
 * rpm's header format, as the rpm database stores one per installed package (rpm's "RPM file format"
 * documentation, docs/manual/format.md, "Header"): a 32-bit big-endian index entry count `il` and
 * data length `dl`, `il` index entries of four 32-bit big-endian words (tag, type, offset into the
 * data, count), then the data. The database's blob is the header without the 8-byte magic that a .rpm
 * file carries before it.
 */

/** Tags read here (rpm's lib/rpmtag.h). */
export const TAG = {
  name: 1000,
  version: 1001,
  release: 1002,
  epoch: 1003,
  size: 1009,
  arch: 1022,
  fileSizes: 1028,
  dirIndexes: 1116,
  baseNames: 1117,
  dirNames: 1118,
  longFileSizes: 5008,
  longSize: 5009,
} as const;

const TYPE = { int16: 3, int32: 4, int64: 5, string: 6, stringArray: 8, i18nString: 9 } as const;

interface Entry {
  type: number;
  offset: number;
  count: number;
}

export class RpmHeader {
  private readonly entries = new Map<number, Entry>();
  private readonly data: Buffer;

  /** Throws on a blob too short for what its index says. */
  constructor(blob: Buffer) {
    if (blob.length < 8) throw new Error('rpm header: too short');
    const il = blob.readUInt32BE(0);
    const dl = blob.readUInt32BE(4);
    const dataStart = 8 + il * 16;
    if (il > 0x10000 || dataStart + dl > blob.length)
      throw new Error('rpm header: index larger than the blob');
    this.data = blob.subarray(dataStart, dataStart + dl);
    for (let i = 0; i < il; i++) {
      const at = 8 + i * 16;
      const tag = blob.readUInt32BE(at);
      const entry = {
        type: blob.readUInt32BE(at + 4),
        offset: blob.readInt32BE(at + 8),
        count: blob.readUInt32BE(at + 12),
      };
      if (entry.offset >= 0 && entry.offset <= dl) this.entries.set(tag, entry);
    }
  }

  /** The first string of a STRING, STRING_ARRAY or I18NSTRING tag. */
  string(tag: number): string | undefined {
    return this.strings(tag)?.[0];
  }

  strings(tag: number): string[] | undefined {
    const e = this.entries.get(tag);
    if (!e || (e.type !== TYPE.string && e.type !== TYPE.stringArray && e.type !== TYPE.i18nString))
      return undefined;
    const count = e.type === TYPE.string ? 1 : e.count;
    const out: string[] = [];
    let at = e.offset;
    for (let i = 0; i < count; i++) {
      const end = this.data.indexOf(0, at);
      if (end < 0) throw new Error('rpm header: unterminated string');
      out.push(this.data.toString('utf8', at, end));
      at = end + 1;
    }
    return out;
  }

  /** The values of an INT16, INT32 or INT64 tag, as numbers. */
  numbers(tag: number): number[] | undefined {
    const e = this.entries.get(tag);
    if (!e) return undefined;
    const width = e.type === TYPE.int16 ? 2 : e.type === TYPE.int32 ? 4 : e.type === TYPE.int64 ? 8 : 0;
    if (width === 0) return undefined;
    if (e.offset + width * e.count > this.data.length) throw new Error('rpm header: numbers beyond the data');
    const out: number[] = new Array(e.count);
    for (let i = 0; i < e.count; i++) {
      const at = e.offset + i * width;
      out[i] =
        width === 2
          ? this.data.readUInt16BE(at)
          : width === 4
            ? this.data.readUInt32BE(at)
            : Number(this.data.readBigUInt64BE(at));
    }
    return out;
  }
}
