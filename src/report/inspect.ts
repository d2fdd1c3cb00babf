/**
 * The inspect report: one resolved image as a JSON document (`schemaVersion` 1, bytes as integers)
 * and as text (SI sizes, an aligned layer table). The text is a list of sections; a later analysis
 * (Go binaries) adds its own section function and, in the JSON, an optional field.
 */
import { formatReference } from '../reference/reference.js';
import { formatPlatform } from '../source/platform.js';
import type { Platform, ResolvedImage } from '../source/types.js';
import { instructionText, truncate } from '../text.js';
import { formatBytes } from '../units.js';
import { renderTable } from './format.js';

export const INSPECT_SCHEMA_VERSION = 1;

export interface InspectLayer {
  index: number;
  digest: string;
  mediaType: string;
  /** Bytes as stored (the manifest's size). */
  compressedSize: number;
  diffId?: string;
  /** The history instruction that made the layer, when history lines up with the layers. */
  createdBy?: string;
}

export interface InspectReport {
  schemaVersion: typeof INSPECT_SCHEMA_VERSION;
  /** Normalised reference (docker.io/library/alpine:latest, oci:DIR:TAG). */
  reference: string;
  /** Where it was read, e.g. `registry 127.0.0.1:5000/app`, `oci layout ./dir`. */
  source: string;
  platform: Platform;
  /** How the platform was chosen: asked for with --platform, the default, or the image's only one. */
  platformChoice: 'requested' | 'default' | 'only';
  availablePlatforms: Platform[];
  index?: { digest: string; mediaType: string };
  manifest: { digest: string; mediaType: string };
  config: {
    digest: string;
    mediaType: string;
    size: number;
    os: string;
    architecture: string;
    variant?: string;
    created?: string;
    entrypoint: string[] | null;
    cmd: string[] | null;
    workingDir?: string;
    user?: string;
    envCount: number;
    labelsCount: number;
  };
  layers: InspectLayer[];
  totals: { layerCount: number; compressedSize: number };
}

export function buildInspectReport(
  image: ResolvedImage,
  options: { source: string; platformRequested: boolean },
): InspectReport {
  const run = image.config.config;
  const config: InspectReport['config'] = {
    digest: image.configDescriptor.digest,
    mediaType: image.configDescriptor.mediaType,
    size: image.configDescriptor.size,
    os: image.config.os,
    architecture: image.config.architecture,
    entrypoint: run?.Entrypoint ?? null,
    cmd: run?.Cmd ?? null,
    envCount: run?.Env?.length ?? 0,
    labelsCount: Object.keys(run?.Labels ?? {}).length,
  };
  if (image.config.variant !== undefined) config.variant = image.config.variant;
  if (image.config.created !== undefined) config.created = image.config.created;
  if (run?.WorkingDir) config.workingDir = run.WorkingDir;
  if (run?.User) config.user = run.User;
  const layers = image.layers.map((l): InspectLayer => {
    const layer: InspectLayer = {
      index: l.index,
      digest: l.descriptor.digest,
      mediaType: l.descriptor.mediaType,
      compressedSize: l.descriptor.size,
    };
    if (l.diffId !== undefined) layer.diffId = l.diffId;
    if (l.createdBy !== undefined) layer.createdBy = l.createdBy;
    return layer;
  });
  const report: InspectReport = {
    schemaVersion: INSPECT_SCHEMA_VERSION,
    reference: formatReference(image.reference),
    source: options.source,
    platform: image.platform,
    platformChoice: options.platformRequested
      ? 'requested'
      : image.availablePlatforms.length > 1
        ? 'default'
        : 'only',
    availablePlatforms: image.availablePlatforms,
    ...(image.index !== undefined ? { index: image.index } : {}),
    manifest: { digest: image.manifestDigest, mediaType: image.manifestMediaType },
    config,
    layers,
    totals: {
      layerCount: layers.length,
      compressedSize: layers.reduce((sum, l) => sum + l.compressedSize, 0),
    },
  };
  return report;
}

export function renderInspectJson(report: InspectReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** A text section: lines, or undefined to leave it out. */
export type InspectTextSection = (report: InspectReport) => string | undefined;

const SHORT_MEDIA_TYPES: Record<string, string> = {
  'application/vnd.oci.image.layer.v1.tar': 'oci tar',
  'application/vnd.oci.image.layer.v1.tar+gzip': 'oci tar+gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd': 'oci tar+zstd',
  'application/vnd.docker.image.rootfs.diff.tar.gzip': 'docker tar+gzip',
  'application/vnd.docker.image.rootfs.diff.tar': 'docker tar',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip': 'docker foreign tar+gzip',
};

function command(value: string[] | null): string {
  return value === null || value.length === 0 ? '(none)' : JSON.stringify(value);
}

function fields(rows: Array<[string, string | undefined]>): string {
  const present = rows.filter((r): r is [string, string] => r[1] !== undefined);
  const width = Math.max(...present.map(([k]) => k.length));
  return present.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

function platformLine(report: InspectReport): string {
  const picked = formatPlatform(report.platform);
  const others = report.availablePlatforms.map(formatPlatform).filter((p) => p !== picked);
  if (report.index === undefined) return `${picked} (single-platform image)`;
  const how =
    report.platformChoice === 'requested'
      ? 'requested'
      : report.platformChoice === 'default'
        ? 'default'
        : 'the only one';
  return `${picked} (${how}; ${others.length > 0 ? `also available: ${others.join(', ')}` : 'no other platform'})`;
}

export const headerSection: InspectTextSection = (r) =>
  fields([
    ['Image', r.reference],
    ['Source', r.source],
    ['Platform', platformLine(r)],
    ['Index', r.index ? `${r.index.digest}  ${r.index.mediaType}` : undefined],
    ['Manifest', `${r.manifest.digest}  ${r.manifest.mediaType}`],
  ]);

export const configSection: InspectTextSection = (r) => {
  const c = r.config;
  return `Config\n${fields([
    ['Digest', `${c.digest}  ${c.mediaType}  ${formatBytes(c.size)}`],
    ['OS/arch', `${c.os}/${c.architecture}${c.variant ? `/${c.variant}` : ''}`],
    ['Created', c.created ?? '(not set)'],
    ['Entrypoint', command(c.entrypoint)],
    ['Cmd', command(c.cmd)],
    ['WorkingDir', c.workingDir],
    ['User', c.user],
    ['Env', `${c.envCount} variable${c.envCount === 1 ? '' : 's'}`],
    ['Labels', String(c.labelsCount)],
  ])
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')}`;
};

export const layersSection: InspectTextSection = (r) => {
  if (r.layers.length === 0) return 'Layers\n  (none)';
  const table = renderTable(
    [
      { header: '#', align: 'right' },
      { header: 'DIGEST' },
      { header: 'MEDIA TYPE' },
      { header: 'SIZE', align: 'right' },
      { header: 'CREATED BY' },
    ],
    r.layers.map((l) => [
      String(l.index),
      l.digest,
      SHORT_MEDIA_TYPES[l.mediaType] ?? l.mediaType,
      formatBytes(l.compressedSize),
      truncate(instructionText(l.createdBy), 80),
    ]),
  );
  return `Layers (sizes compressed, as stored)\n${table}`;
};

export const totalsSection: InspectTextSection = (r) =>
  `Total: ${r.totals.layerCount} layer${r.totals.layerCount === 1 ? '' : 's'}, ${formatBytes(r.totals.compressedSize)} compressed`;

export const INSPECT_TEXT_SECTIONS: readonly InspectTextSection[] = [
  headerSection,
  configSection,
  layersSection,
  totalsSection,
];

/** The text report: the standard sections, then any `extra` ones (e.g. Go binaries), blank-line separated. */
export function renderInspectText(report: InspectReport, extra: readonly InspectTextSection[] = []): string {
  const parts = [...INSPECT_TEXT_SECTIONS, ...extra]
    .map((section) => section(report))
    .filter((s): s is string => s !== undefined && s !== '');
  return `${parts.join('\n\n')}\n`;
}
