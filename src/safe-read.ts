/**
 * Reading local files that input may name (layout blobs, cache entries, `gobin` arguments, flag files):
 * only regular files, and never more bytes than a limit. Opening with O_NONBLOCK keeps a FIFO from
 * blocking the open; fstat after the open (not stat before it: no race) refuses FIFOs, devices such as
 * /dev/zero and directories; the read stops at the size fstat gave, so a file that grows (or a /proc
 * file that claims 0 bytes) cannot make it unbounded.
 */
import { constants, type Stats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';

/** Why a file was not read: an errno code (ENOENT, EACCES…), `not-regular` or `too-large`. */
export class UnreadableFileError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
    /** What is wrong, without the path: "is a FIFO, not a regular file", "cannot be read (EACCES)". */
    readonly detail: string,
  ) {
    super(`${path} ${detail}`);
    this.name = 'UnreadableFileError';
  }
}

const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

function kind(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

function notRegular(path: string, info: Stats): UnreadableFileError {
  const what = kind(info);
  const detail = what === 'not a regular file' ? `is ${what}` : `is ${what}, not a regular file`;
  return new UnreadableFileError(path, 'not-regular', detail);
}

function tooLarge(path: string, size: number, maxBytes: number): UnreadableFileError {
  return new UnreadableFileError(path, 'too-large', `is ${size} bytes, more than the ${maxBytes} allowed`);
}

function openFailed(path: string, error: unknown): UnreadableFileError {
  const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
  return new UnreadableFileError(path, code, `cannot be read (${code})`);
}

/** An open regular file and its size; the caller closes it. */
export async function openRegularFile(path: string): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(path, FLAGS);
  } catch (error) {
    throw openFailed(path, error);
  }
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    throw notRegular(path, info);
  }
  return { handle, size: info.size };
}

/** A whole regular file of at most `maxBytes`. */
export async function readRegularFile(path: string, maxBytes: number): Promise<Buffer> {
  const { handle, size } = await openRegularFile(path);
  try {
    if (size > maxBytes) throw tooLarge(path, size, maxBytes);
    const data = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(data, filled, size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return data.subarray(0, filled);
  } catch (error) {
    throw error instanceof UnreadableFileError ? error : openFailed(path, error);
  } finally {
    await handle.close();
  }
}
