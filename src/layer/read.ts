/**
 * One layer blob → LayerRead, in a single streaming pass: decompress, walk the tar entries, record
 * files, whiteouts and hard links, and analyse Go executables. Only ELF files (they must be parsed whole)
 * and the few small package database files (docs/design.md §11) are buffered; every other file's content
 * flows through and is dropped.
 */
import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { ContentError, ErrorCode, LayerdeltaError } from '../errors.js';
import { analyzeGoBinary, isElf } from '../golang/analyze.js';
import type { GoBinaryReport, NotAnalysable } from '../golang/types.js';
import { type Compression, MAGIC_LENGTH } from '../oci/compression.js';
import { Sha256, sha256Digest } from '../oci/digest.js';
import { databaseFileLimit } from '../packages/database-files.js';
import { type BufferBudget, type BufferLease, sharedBufferBudget } from '../pipeline/buffer-budget.js';
import type { Descriptor } from '../source/types.js';
import {
  ByteCounter,
  Coalescer,
  createDecompressor,
  detectCompression,
  peek,
  TarMeter,
} from './decompress.js';
import { elfGate } from './elf-gate.js';
import { baseName, normalizePath, parentOf } from './paths.js';
import { TarEnd } from './tar-end.js';
import type { FileEntry, LayerRead } from './types.js';

/** ELF files larger than this are not buffered: reported as not analysable instead. */
export const DEFAULT_MAX_BINARY_BYTES = 512 * 1024 * 1024;

export interface ReadLayerOptions {
  /** Analyse Go executables (default true). Without it, only the file list is recorded. */
  analyze?: boolean;
  /** Called with the number of stored (compressed) bytes as they are read: for progress bars. */
  onBytes?: (bytes: number) => void;
  maxBinaryBytes?: number;
  /** Bounds the bytes buffered for analysis across concurrent reads (default: the process's one). */
  budget?: BufferBudget;
}

interface FileOptions {
  maxBinaryBytes: number;
  budget: BufferBudget;
}

const OPAQUE_MARKER = '.wh..wh..opq';
const WHITEOUT_PREFIX = '.wh.';
const EXECUTABLE_BITS = 0o111;

/**
 * Scan a layer blob (stored bytes, as `ImageSource.openBlob` hands them out). Resolves only when the
 * whole blob was read and checked; any truncation or corruption rejects with a RegistryError naming
 * the layer, never with a partial scan.
 */
export async function readLayer(
  blob: Readable,
  descriptor: Descriptor,
  options: ReadLayerOptions = {},
): Promise<LayerRead> {
  let compression: Compression = 'none';
  try {
    const peeked = await peek(blob, MAGIC_LENGTH);
    compression = detectCompression(peeked.head, descriptor.mediaType);
    const meter = new TarMeter();
    const extract = tar.extract();
    const stages: Array<Readable | Transform> = [peeked.stream, new Coalescer()];
    if (options.onBytes) stages.push(new ByteCounter(options.onBytes));
    const decoder = createDecompressor(compression);
    if (decoder) stages.push(decoder);
    // The meter sees every byte (the diff_id covers them); tar-stream only the archive up to its end.
    stages.push(meter, new TarEnd());

    // tar-stream's extract is a streamx Writable: Node's pipeline drives it, but the types differ.
    const piping = pipeline([...stages, extract as unknown as NodeJS.WritableStream]);
    const reading = readEntries(extract, options).catch((error: unknown) => {
      // Stop the pipeline too, so a failure while reading entries never leaves the download hanging.
      extract.destroy(error instanceof Error ? error : new Error(String(error)));
      throw error;
    });
    const [piped, read] = await Promise.allSettled([piping, reading]);
    // The pipeline's error is the root cause (the source's own message, or the decompressor's);
    // the entry reader only sees its consequence.
    if (piped.status === 'rejected') throw piped.reason;
    if (read.status === 'rejected') throw read.reason;
    const contents = read.value;
    return {
      digest: descriptor.digest,
      compressedSize: descriptor.size,
      uncompressedSize: meter.bytes,
      diffId: meter.diffId(),
      compression,
      ...contents,
    };
  } catch (error) {
    blob.destroy();
    throw layerError(error, descriptor, compression);
  }
}

function layerError(error: unknown, descriptor: Descriptor, compression: Compression): LayerdeltaError {
  // Errors of the blob source (digest mismatch, truncation, HTTP) already name the blob.
  if (error instanceof LayerdeltaError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  const what = compression === 'none' ? 'tar' : `${compression} tar`;
  return new ContentError(`layer ${descriptor.digest}: cannot read the ${what}: ${detail}`, {
    code: ErrorCode.LAYER_CORRUPT,
    hint: 'the blob is truncated or corrupt; re-push the image if retrying does not help',
    cause: error,
  });
}

type LayerContents = Pick<
  LayerRead,
  'entries' | 'whiteouts' | 'opaqueDirs' | 'goBinaries' | 'otherExecutables' | 'packageFiles'
>;

async function readEntries(extract: tar.Extract, options: ReadLayerOptions): Promise<LayerContents> {
  const contents: LayerContents = {
    entries: [],
    whiteouts: [],
    opaqueDirs: [],
    goBinaries: {},
    otherExecutables: {},
    packageFiles: {},
  };
  const analyze = options.analyze ?? true;
  const fileOptions: FileOptions = {
    maxBinaryBytes: options.maxBinaryBytes ?? DEFAULT_MAX_BINARY_BYTES,
    budget: options.budget ?? sharedBufferBudget(),
  };

  for await (const entry of extract) {
    const header = entry.header;
    const path = normalizePath(header.name);
    const name = baseName(path);
    if (name === OPAQUE_MARKER) {
      contents.opaqueDirs.push(parentOf(path));
      await drain(entry);
      continue;
    }
    if (name.startsWith(WHITEOUT_PREFIX)) {
      contents.whiteouts.push(normalizePath(`${parentOf(path)}/${name.slice(WHITEOUT_PREFIX.length)}`));
      await drain(entry);
      continue;
    }
    const file = fileEntry(path, header);
    contents.entries.push(file);
    const databaseLimit = file.type === 'file' ? databaseFileLimit(path) : undefined;
    if (databaseLimit !== undefined && file.size <= databaseLimit) {
      contents.packageFiles[path] = (await readWhole(entry)).toString('base64');
      continue;
    }
    if (file.type !== 'file' || !analyze) {
      await drain(entry);
      continue;
    }
    const executable = (file.mode & EXECUTABLE_BITS) !== 0;
    const content = await readFile(entry, header.size ?? 0, executable, fileOptions);
    if (content.kind === 'skipped') {
      contents.otherExecutables[path] = { digest: content.digest, size: file.size, reason: content.reason };
      continue;
    }
    if (content.kind === 'other') continue;
    try {
      const analysis = analyzeElf(content.data);
      if ('buildInfo' in analysis) contents.goBinaries[path] = analysis;
      else if (executable) contents.otherExecutables[path] = analysis;
    } finally {
      content.release();
    }
  }
  return contents;
}

function fileEntry(path: string, header: tar.Header): FileEntry {
  const entry: FileEntry = {
    path,
    type: entryType(header.type),
    size: header.size,
    mode: header.mode ?? 0,
  };
  if (header.type === 'symlink' && header.linkname != null) entry.linkname = header.linkname;
  if (header.type === 'link' && header.linkname != null) entry.linkname = normalizePath(header.linkname);
  return entry;
}

function entryType(type: tar.Header['type']): FileEntry['type'] {
  switch (type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'dir';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    default:
      return 'other';
  }
}

/** Any failure of the analysis makes the file "not analysable"; it never fails the scan. */
function analyzeElf(data: Buffer): GoBinaryReport | NotAnalysable {
  try {
    return analyzeGoBinary(data);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { digest: sha256Digest(data), size: data.length, reason };
  }
}

/** tar-stream's entry content stream (a streamx Readable). */
type EntryContent = tar.ExtractEvents['entry'][1];

type FileContent =
  | { kind: 'elf'; data: Buffer; release: () => void }
  | { kind: 'skipped'; digest: string; reason: string }
  | { kind: 'other' };

/** Bytes of a file's start gathered before the gate has decided, without a lease (headers are small). */
const UNLEASED_HEAD_BYTES = 64 * 1024;

/**
 * Read one regular file's content: its first bytes decide. A file that passes the ELF gate (elf-gate.ts)
 * is gathered into one leased buffer of its declared size; an ELF file the gate turns away, or one over the
 * size cap or the memory budget, is only hashed (executables are listed as not analysable); anything else
 * is dropped as it flows. Bytes read before the gate decides are held in a lease too once past a small head.
 */
async function readFile(
  entry: EntryContent,
  size: number,
  executable: boolean,
  options: FileOptions,
): Promise<FileContent> {
  // Widened: the closures below change it, which control-flow narrowing does not see.
  let mode = 'sniff' as 'sniff' | 'gate' | 'buffer' | 'hash' | 'drop';
  let need = MAGIC_LENGTH;
  let head: Buffer[] = [];
  let lease: BufferLease | undefined;
  let filled = 0;
  let reason = '';
  const hash = new Sha256();

  // One chunk (most files' first) is used as it is: Buffer.concat would copy it for every file.
  const prefix = () =>
    lease ? lease.buffer.subarray(0, filled) : head.length === 1 ? head[0]! : Buffer.concat(head);
  const skip = (why: string) => {
    reason = why;
    if (executable) {
      mode = 'hash';
      hash.update(prefix());
    } else mode = 'drop';
    head = [];
    lease?.release();
    lease = undefined;
  };
  const leaseWhole = async () => {
    if (lease) return;
    lease = await options.budget.lease(size);
    if (!lease) {
      skip(
        `binary not analysed: its ${size} bytes did not fit the memory budget for buffered binaries (${options.budget.limit} bytes) in time`,
      );
      return;
    }
    let at = 0;
    for (const chunk of head) at += chunk.copy(lease.buffer, at);
    head = [];
  };
  // Decide as far as the bytes at hand allow (`ended`: no more will come).
  const decide = async (ended: boolean) => {
    while ((mode === 'sniff' || mode === 'gate') && (filled >= need || ended)) {
      if (mode === 'sniff') {
        if (!isElf(prefix())) mode = 'drop';
        else if (size > options.maxBinaryBytes)
          skip(`ELF file larger than ${options.maxBinaryBytes} bytes: not buffered for analysis`);
        else mode = 'gate';
        continue;
      }
      const verdict = elfGate(prefix(), size);
      if (verdict.kind === 'not-go') skip(verdict.reason);
      else if (verdict.kind === 'go') {
        await leaseWhole();
        if (lease) mode = 'buffer';
      } else {
        if (ended) skip('not a Go binary (the file ends before its headers)');
        else {
          need = verdict.bytes;
          if (need > UNLEASED_HEAD_BYTES) await leaseWhole();
        }
      }
    }
  };

  for await (const data of entry) {
    const chunk = data as Buffer;
    if (mode === 'drop') continue;
    if (mode === 'hash') {
      hash.update(chunk);
      continue;
    }
    if (lease) chunk.copy(lease.buffer, filled);
    else head.push(chunk);
    filled += chunk.length;
    if (mode !== 'buffer') await decide(false);
  }
  await decide(true);
  if (mode === 'buffer' && lease) {
    const held = lease;
    return { kind: 'elf', data: held.buffer.subarray(0, filled), release: () => held.release() };
  }
  if (mode === 'hash') return { kind: 'skipped', digest: hash.digest(), reason };
  return { kind: 'other' };
}

/** A small file's whole content (the caller bounded its size). */
function readWhole(entry: EntryContent): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    entry.on('data', (data) => {
      chunks.push(data as Buffer);
    });
    entry.on('error', reject);
    entry.on('close', () => reject(new Error('the tar entry ended early')));
    entry.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

function drain(entry: EntryContent): Promise<void> {
  return new Promise((resolve, reject) => {
    entry.on('end', resolve);
    entry.on('error', reject);
    // After 'end' this is a no-op (the promise is settled); before it, the stream was cut short.
    entry.on('close', () => reject(new Error('the tar entry ended early')));
    entry.resume();
  });
}
