/**
 * A `docker save` (or `skopeo copy … docker-archive:`) tar as an ImageSource, read in place: the tar is
 * indexed by its headers, and each member is read by offset, never extracted.
 *
 * Such an archive holds no registry manifest, so one is synthesised (Docker schema 2) from
 * manifest.json; its digest is that of the synthesised JSON. A layer's descriptor digest is the sha256
 * of the layer file as stored: taken from an OCI-style `blobs/sha256/HEX` name, or (uncompressed
 * layers) from the config's diff_id, else computed by hashing the member. Every blob is verified
 * again while it streams.
 */
import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { pipeline, Readable } from 'node:stream';
import { ContentError, ErrorCode, UsageError } from '../errors.js';
import { type Compression, MAGIC_LENGTH, sniffCompression } from '../oci/compression.js';
import { isSha256Digest, Sha256, sha256Digest } from '../oci/digest.js';
import { MAX_CONFIG_BYTES } from '../oci/limits.js';
import { ConfigMediaType, LayerMediaType, ManifestMediaType } from '../oci/media-types.js';
import { DigestVerifier, verifyContent } from '../oci/verify.js';
import { type DockerArchiveReference, sameImageName } from '../reference/reference.js';
import { parseConfig, resolveImage } from './resolve.js';
import { indexTar, resolveMember, type TarMember } from './tar-index.js';
import type { Descriptor, ImageSource, PlatformRequest, ResolvedImage } from './types.js';

interface ArchiveEntry {
  Config: string;
  RepoTags: string[];
  Layers: string[];
}

const HEX_NAME_RE = /(?:^|\/)(?:blobs\/sha256\/)?([a-f0-9]{64})(?:\.json|\.tar)?$/;
const OCI_BLOB_RE = /^blobs\/sha256\/([a-f0-9]{64})$/;

const LAYER_TYPE: Record<Compression, string> = {
  none: LayerMediaType.dockerTar,
  gzip: LayerMediaType.dockerGzip,
  zstd: LayerMediaType.ociZstd,
};

export class DockerArchiveSource implements ImageSource {
  readonly description: string;
  private handle: FileHandle | undefined;
  private members: Map<string, TarMember> | undefined;
  /** Layer members by the digest their descriptor carries, for openBlob. */
  private readonly blobs = new Map<string, TarMember>();

  constructor(private readonly reference: DockerArchiveReference) {
    this.description = `docker archive ${reference.path}`;
  }

  async resolve(platform?: PlatformRequest): Promise<ResolvedImage> {
    const members = await this.load();
    const entry = await this.selectEntry(members);
    const configMember = this.member(members, entry.Config, 'config');
    if (configMember.size > MAX_CONFIG_BYTES) {
      throw new UsageError(
        `config ${entry.Config} in ${this.description} is larger than ${MAX_CONFIG_BYTES} bytes`,
        { code: ErrorCode.TOO_LARGE },
      );
    }
    const configBody = await this.read(configMember.offset, configMember.size);
    const configDigest = sha256Digest(configBody);
    // The config's file name is its digest (`HEX.json` or `blobs/sha256/HEX`): check it.
    const namedHex = HEX_NAME_RE.exec(entry.Config)?.[1];
    if (namedHex !== undefined) {
      verifyContent(
        configBody,
        `sha256:${namedHex}`,
        undefined,
        `config ${entry.Config} in ${this.description}`,
      );
    }
    const config = parseConfig(configBody, `image config ${entry.Config} in ${this.description}`);

    const layers: Descriptor[] = [];
    for (const [i, path] of entry.Layers.entries()) {
      const layer = this.member(members, path, `layer ${i}`);
      const compression = sniffCompression(await this.read(layer.offset, Math.min(MAGIC_LENGTH, layer.size)));
      const digest = await this.layerDigest(path, layer, compression, config.rootfs.diff_ids[i]);
      this.blobs.set(digest, layer);
      layers.push({ mediaType: LAYER_TYPE[compression], digest, size: layer.size });
    }
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: ManifestMediaType.dockerManifest,
        config: { mediaType: ConfigMediaType.docker, size: configBody.length, digest: configDigest },
        layers,
      }),
    );
    const reader = {
      where: this.description,
      readManifest: async (): Promise<never> => {
        throw new UsageError(`${this.description} holds no index`, { code: ErrorCode.SOURCE_INVALID });
      },
      readConfig: async () => configBody,
    };
    const top = {
      digest: sha256Digest(manifest),
      mediaType: ManifestMediaType.dockerManifest,
      body: manifest,
    };
    return await resolveImage(this.reference, top, reader, platform);
  }

  async openBlob(descriptor: Descriptor): Promise<Readable> {
    await this.load();
    const member = this.blobs.get(descriptor.digest);
    if (member === undefined) {
      throw new ContentError(`blob ${descriptor.digest} is not in ${this.description}`, {
        code: ErrorCode.BLOB_UNKNOWN,
        hint: 'resolve the image from this archive before reading its layers',
      });
    }
    const verifier = new DigestVerifier(descriptor.digest, descriptor.size, this.description);
    pipeline(this.memberStream(member), verifier, () => {});
    return verifier;
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }

  private memberStream(member: TarMember): Readable {
    if (member.size === 0) return Readable.from([]);
    return createReadStream(this.reference.path, {
      start: member.offset,
      end: member.offset + member.size - 1,
    });
  }

  private async layerDigest(
    path: string,
    layer: TarMember,
    compression: Compression,
    diffId?: string,
  ): Promise<string> {
    const ociHex = OCI_BLOB_RE.exec(path)?.[1];
    if (ociHex !== undefined) return `sha256:${ociHex}`;
    // An uncompressed layer is its own diff_id; openBlob verifies that claim while streaming.
    if (compression === 'none' && diffId !== undefined && isSha256Digest(diffId)) return diffId;
    const hash = new Sha256();
    for await (const chunk of this.memberStream(layer)) hash.update(chunk as Buffer);
    return hash.digest();
  }

  private member(members: Map<string, TarMember>, name: string, what: string): TarMember {
    const found = resolveMember(members, name);
    if (found === undefined) {
      throw new ContentError(`${what} ${name} listed in manifest.json is missing from ${this.description}`, {
        code: ErrorCode.BLOB_UNKNOWN,
        hint: 'the archive is incomplete; save the image again',
      });
    }
    return found;
  }

  private async read(offset: number, length: number): Promise<Buffer> {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await this.handle!.read(buf, 0, length, offset);
    return buf.subarray(0, bytesRead);
  }

  private async load(): Promise<Map<string, TarMember>> {
    if (this.members !== undefined) return this.members;
    const path = this.reference.path;
    try {
      this.handle = await open(path, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(
        code === 'ENOENT'
          ? `docker archive ${path} does not exist`
          : `cannot open docker archive ${path} (${code})`,
        { code: ErrorCode.SOURCE_INVALID, hint: 'check the path after docker-archive:' },
      );
    }
    if ((await this.handle.stat()).isDirectory()) {
      throw new UsageError(`docker archive ${path} is a directory`, {
        code: ErrorCode.SOURCE_INVALID,
        hint: 'for a layout directory use oci:DIR',
      });
    }
    const head = await this.read(0, MAGIC_LENGTH);
    if (sniffCompression(head) !== 'none') {
      throw new UsageError(`docker archive ${path} is compressed (${sniffCompression(head)})`, {
        code: ErrorCode.SOURCE_INVALID,
        hint: 'decompress it first (gunzip or zstd -d); layerdelta reads the tar in place',
      });
    }
    this.members = await indexTar(this.handle, this.description);
    return this.members;
  }

  private async selectEntry(members: Map<string, TarMember>): Promise<ArchiveEntry> {
    const manifestMember = resolveMember(members, 'manifest.json');
    if (manifestMember === undefined) {
      throw new UsageError(`${this.description} has no manifest.json`, {
        code: ErrorCode.SOURCE_INVALID,
        hint: 'give an archive written by docker save or skopeo copy ... docker-archive:FILE',
      });
    }
    if (manifestMember.size > MAX_CONFIG_BYTES)
      throw new UsageError(`manifest.json of ${this.description} is too large`, {
        code: ErrorCode.TOO_LARGE,
      });
    const text = (await this.read(manifestMember.offset, manifestMember.size)).toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new UsageError(
        `malformed manifest.json in ${this.description}: ${(e as Error).message.split('\n')[0]}`,
        { code: ErrorCode.SOURCE_INVALID },
      );
    }
    const entries = (Array.isArray(parsed) ? parsed : []).filter(
      (e): e is ArchiveEntry =>
        typeof e === 'object' &&
        e !== null &&
        typeof e.Config === 'string' &&
        Array.isArray(e.Layers) &&
        e.Layers.every((l: unknown) => typeof l === 'string'),
    );
    for (const e of entries) if (!Array.isArray(e.RepoTags)) e.RepoTags = [];
    if (entries.length === 0) {
      throw new UsageError(`manifest.json in ${this.description} lists no image`, {
        code: ErrorCode.SOURCE_INVALID,
      });
    }
    const tag = this.reference.tag;
    const chosen =
      tag === undefined
        ? entries.length === 1
          ? entries[0]
          : undefined
        : entries.find((e) => e.RepoTags.some((t) => sameImageName(t, tag)));
    if (chosen === undefined) {
      const all = entries.flatMap((e) => e.RepoTags);
      throw new UsageError(
        `${tag === undefined ? 'several images' : `image ${tag} not found`} in ${this.description}; available: ${all.join(', ') || 'untagged images only'}`,
        { code: ErrorCode.MANIFEST_UNKNOWN, hint: 'name one with docker-archive:FILE:REPO:TAG' },
      );
    }
    return chosen;
  }
}
