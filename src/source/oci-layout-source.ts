/** An OCI image layout directory (oci-layout, index.json, blobs/sha256/…) as an ImageSource. */
import { type FileHandle, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { ContentError, ErrorCode, UsageError } from '../errors.js';
import { sha256Digest, sha256Hex } from '../oci/digest.js';
import { MAX_MANIFEST_BYTES } from '../oci/limits.js';
import { ManifestMediaType } from '../oci/media-types.js';
import { DigestVerifier, verifyContent } from '../oci/verify.js';
import { formatReference, type OciLayoutReference } from '../reference/reference.js';
import { openRegularFile, readRegularFile, UnreadableFileError } from '../safe-read.js';
import { type ManifestBytes, parseManifest, resolveImage } from './resolve.js';
import type { Descriptor, ImageSource, PlatformRequest, ResolvedImage } from './types.js';

const REF_NAME = 'org.opencontainers.image.ref.name';
/** The oci-layout marker is one short JSON object. */
const LAYOUT_FILE_BYTES = 64 * 1024;

export class OciLayoutSource implements ImageSource {
  readonly description: string;

  constructor(private readonly reference: OciLayoutReference) {
    this.description = `oci layout ${reference.path}`;
  }

  async resolve(platform?: PlatformRequest): Promise<ResolvedImage> {
    await this.checkLayout();
    const top = await this.selectTop();
    return await resolveImage(this.reference, top, this.reader(), platform);
  }

  async openBlob(descriptor: Descriptor): Promise<Readable> {
    const { handle } = await this.openBlobFile(descriptor.digest);
    const verifier = new DigestVerifier(descriptor.digest, descriptor.size, this.description);
    // pipeline hands a read error to the verifier, so the consumer sees it as the stream's error.
    pipeline(handle.createReadStream(), verifier, () => {});
    return verifier;
  }

  async close(): Promise<void> {}

  private reader() {
    return {
      where: this.description,
      readManifest: async (d: Descriptor): Promise<ManifestBytes> => ({
        digest: d.digest,
        mediaType: d.mediaType,
        body: await this.readBlob(d.digest, MAX_MANIFEST_BYTES),
      }),
      readConfig: async (d: Descriptor): Promise<Buffer> => await this.readBlob(d.digest, d.size),
    };
  }

  private blobPath(digest: string): string {
    const hex = sha256Hex(digest);
    // The digest becomes a path: only a well-formed sha256 may (no traversal).
    if (hex === undefined) {
      throw new UsageError(`unsupported digest "${digest}" in ${this.description}`, {
        code: ErrorCode.UNSUPPORTED_DIGEST,
      });
    }
    return join(this.reference.path, 'blobs', 'sha256', hex);
  }

  /** Blobs are opened as regular files only (a FIFO, /dev/zero or a directory is refused, never read). */
  private async openBlobFile(digest: string): Promise<{ handle: FileHandle; size: number }> {
    return await openRegularFile(this.blobPath(digest)).catch((e) => this.blobError(digest, e));
  }

  /** A whole small blob (manifest, config), refusing anything above `maxBytes`. */
  private async readBlob(digest: string, maxBytes: number): Promise<Buffer> {
    return await readRegularFile(this.blobPath(digest), maxBytes).catch((e) => this.blobError(digest, e));
  }

  private blobError(digest: string, e: unknown): never {
    if (!(e instanceof UnreadableFileError)) throw e;
    if (e.reason === 'ENOENT') {
      throw new ContentError(`blob ${digest} is missing from ${this.description}`, {
        code: ErrorCode.BLOB_UNKNOWN,
        hint: 'the layout is incomplete; copy the image again',
      });
    }
    throw new ContentError(`blob ${digest} in ${this.description} ${e.detail}`, {
      code: e.reason === 'too-large' ? ErrorCode.TOO_LARGE : ErrorCode.BLOB_UNKNOWN,
      hint: 'the content is corrupt or was tampered with',
    });
  }

  private async checkLayout(): Promise<void> {
    const dir = this.reference.path;
    const info = await stat(dir).catch(() => undefined);
    if (info === undefined) {
      throw new UsageError(`OCI layout directory ${dir} does not exist`, {
        code: ErrorCode.SOURCE_INVALID,
        hint: 'check the path after oci:',
      });
    }
    if (!info.isDirectory())
      throw new UsageError(`${dir} is not a directory`, {
        code: ErrorCode.SOURCE_INVALID,
        hint: 'oci: takes an OCI layout directory',
      });
    const marker = await readRegularFile(join(dir, 'oci-layout'), LAYOUT_FILE_BYTES).then(
      (b) => b.toString('utf8'),
      () => undefined,
    );
    if (marker === undefined) {
      throw new UsageError(`${dir} is not an OCI layout: no oci-layout file`, {
        code: ErrorCode.SOURCE_INVALID,
        hint: 'create one with skopeo copy ... oci:DIR:TAG or docker buildx --output type=oci',
      });
    }
    let version: unknown;
    try {
      version = (JSON.parse(marker) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
    } catch {
      throw new UsageError(`malformed oci-layout file in ${dir}: not JSON`, {
        code: ErrorCode.SOURCE_INVALID,
      });
    }
    if (typeof version !== 'string' || !version.startsWith('1.')) {
      throw new UsageError(`unsupported OCI layout version ${JSON.stringify(version)} in ${dir}`, {
        code: ErrorCode.SOURCE_INVALID,
        hint: 'layerdelta reads imageLayoutVersion 1.x',
      });
    }
  }

  /** The manifest or index the reference names: by digest, by ref.name tag, or the only (or `latest`) one. */
  private async selectTop(): Promise<ManifestBytes> {
    const indexPath = join(this.reference.path, 'index.json');
    const body = await readRegularFile(indexPath, MAX_MANIFEST_BYTES).catch((e: UnreadableFileError) => {
      const what = e.reason === 'ENOENT' ? 'no index.json' : `index.json ${e.detail}`;
      throw new UsageError(`${this.reference.path} is not an OCI layout: ${what}`, {
        code: ErrorCode.SOURCE_INVALID,
      });
    });
    const parsed = parseManifest(
      { digest: 'index.json', mediaType: ManifestMediaType.ociIndex, body },
      this.description,
    );
    if (parsed.kind !== 'index')
      throw new UsageError(`index.json of ${this.description} is not an image index`, {
        code: ErrorCode.SOURCE_INVALID,
      });
    const entries = parsed.manifests;
    const { tag, digest } = this.reference;
    const name = (d: Descriptor) => d.annotations?.[REF_NAME];
    let chosen: Descriptor | undefined;
    if (digest !== undefined) {
      chosen = entries.find((d) => d.digest === digest && (tag === undefined || name(d) === tag));
      if (chosen === undefined && tag === undefined) {
        // Any manifest in blobs/ may be named by digest, e.g. one platform of a stored index.
        const bytes = await this.readBlob(digest, MAX_MANIFEST_BYTES);
        verifyContent(bytes, digest, undefined, `manifest ${digest} in ${this.description}`);
        return { digest, body: bytes };
      }
    } else if (tag !== undefined) {
      const tagged = entries.filter((d) => name(d) === tag);
      if (tagged.length > 1) {
        // Several entries under one name, one per platform: index.json itself is the index to pick
        // from. Without a platform each, or two for one platform, the name is ambiguous.
        const platforms = tagged.map((d) => platformKey(d.platform));
        if (platforms.every((p) => p !== undefined) && new Set(platforms).size === platforms.length)
          return this.asIndex(tagged);
        throw new UsageError(
          `ambiguous: ${tagged.length} manifests named "${tag}" in ${this.reference.path} (${tagged.map((d) => d.digest).join(', ')})`,
          { code: ErrorCode.SOURCE_INVALID, hint: 'name one by digest: oci:DIR@sha256:…' },
        );
      }
      chosen = tagged[0];
    } else {
      const named = entries.filter((d) => name(d) !== undefined);
      if (entries.length === 1) chosen = entries[0];
      else if (named.length === 0 && entries.length > 1) {
        return this.asIndex(entries);
      } else chosen = entries.find((d) => name(d) === 'latest');
    }
    if (chosen === undefined) {
      const names = [...new Set(entries.map(name).filter((n) => n !== undefined))];
      const wanted =
        digest !== undefined
          ? `manifest ${digest}`
          : tag !== undefined
            ? `tag "${tag}"`
            : 'an image (no tag given and several in the layout)';
      throw new UsageError(
        `${wanted} not found in ${formatReference(this.reference)}; available: ${names.length > 0 ? names.join(', ') : entries.map((d) => d.digest).join(', ') || 'none'}`,
        { code: ErrorCode.MANIFEST_UNKNOWN, hint: 'name one with oci:DIR:TAG' },
      );
    }
    const bytes = await this.readBlob(chosen.digest, MAX_MANIFEST_BYTES);
    verifyContent(bytes, chosen.digest, chosen.size, `manifest ${chosen.digest} in ${this.description}`);
    return { digest: chosen.digest, mediaType: chosen.mediaType, body: bytes };
  }

  /** index.json entries presented as one index (its digest is that of the bytes presented). */
  private asIndex(entries: Descriptor[]): ManifestBytes {
    const body = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: ManifestMediaType.ociIndex, manifests: entries }),
    );
    return { digest: sha256Digest(body), mediaType: ManifestMediaType.ociIndex, body };
  }
}

/** os/architecture/variant of an index entry, or undefined when it names none. */
function platformKey(platform: Descriptor['platform']): string | undefined {
  if (!platform?.os || !platform.architecture) return undefined;
  return [platform.os, platform.architecture, platform.variant ?? ''].join('/');
}
