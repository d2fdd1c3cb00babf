/**
 * The metric set of docs/design.md §6, computed from ImageDelta only. Every series carries `repository` and
 * the user's `--label`s, which are also the Pushgateway grouping key, so the pushed group and the
 * OpenMetrics file show the same series. No tag or digest ever becomes a label.
 */
import { Gauge, Registry, type RegistryContentType } from 'prom-client';
import type { BinaryDelta, ImageDelta, LayerStatus } from '../delta/types.js';
import { joinSizes, sectionBytes } from '../golang/sizes.js';
import type { GoBinaryReport, SizeDelta, SizeShare } from '../golang/types.js';

export interface MetricsOptions {
  /** User labels (`--label k=v`), added to every series. */
  labels: Record<string, string>;
  /** Packages and modules kept per binary; the rest is summed into `other`. */
  topN: number;
  /** Run duration, for deltas that do not carry their own `durationSeconds`. */
  durationSeconds: number;
  /** Unix seconds of the successful run; defaults to now. */
  nowSeconds?: number;
}

export const OTHER = 'other';
const LAYER_STATUSES: readonly LayerStatus[] = ['new', 'removed', 'reused', 'changed'];
const BINARY_STATUSES: readonly BinaryDelta['status'][] = ['added', 'removed', 'changed', 'unchanged'];

type Labels = Record<string, string>;

/** Build one registry holding every delta's series (one group per repository + user labels). */
export function buildMetricsRegistry(
  deltas: Array<{ repository: string; delta: ImageDelta; durationSeconds?: number }>,
  options: MetricsOptions,
): Registry {
  const registry = new Registry();
  const groupLabelNames = ['repository', ...Object.keys(options.labels)];
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames: [...groupLabelNames, ...labelNames], registers: [registry] });

  const m = {
    imageSize: gauge(
      'layerdelta_image_size_bytes',
      'Image size in bytes per side (old = baseline, new = the image checked) and encoding (compressed = manifest layer sizes, uncompressed = tar stream lengths).',
      ['side', 'encoding'],
    ),
    imageDelta: gauge('layerdelta_image_delta_bytes', 'New minus old image size in bytes, per encoding.', [
      'encoding',
    ]),
    layers: gauge('layerdelta_layers', 'Number of layers per classification status.', ['status']),
    layerBytes: gauge(
      'layerdelta_layer_bytes',
      'Compressed bytes of the layers in each classification status (as in the report totals).',
      ['status'],
    ),
    significant: gauge(
      'layerdelta_layer_significant_changes',
      'Changed layers whose size moved beyond the tolerance.',
    ),
    binaries: gauge('layerdelta_go_binaries', 'Number of Go binaries per pairing status.', ['status']),
    binarySize: gauge(
      'layerdelta_go_binary_size_bytes',
      'File size of a Go binary in bytes, per image side.',
      ['path', 'side'],
    ),
    binaryDelta: gauge('layerdelta_go_binary_delta_bytes', 'New minus old Go binary file size in bytes.', [
      'path',
    ]),
    sectionBytes: gauge(
      'layerdelta_go_binary_section_bytes',
      'Size in bytes of an ELF section of a Go binary in the new image, as readelf -S prints it: file bytes, or memory bytes for sections without file data (.bss, .noptrbss).',
      ['path', 'section'],
    ),
    sectionDelta: gauge(
      'layerdelta_go_binary_section_delta_bytes',
      'New minus old size in bytes of an ELF section of a Go binary (sizes as in layerdelta_go_binary_section_bytes).',
      ['path', 'section'],
    ),
    packageBytes: gauge(
      'layerdelta_go_package_bytes',
      'Code bytes attributed to a Go package in a binary of the new image (top N by size, the rest as other).',
      ['path', 'package'],
    ),
    packageDelta: gauge(
      'layerdelta_go_package_delta_bytes',
      'New minus old code bytes of a Go package in a binary (top N by absolute change, the rest as other).',
      ['path', 'package'],
    ),
    moduleBytes: gauge(
      'layerdelta_go_module_bytes',
      'Code bytes attributed to a Go module in a binary of the new image (top N by size, the rest as other).',
      ['path', 'module'],
    ),
    moduleDelta: gauge(
      'layerdelta_go_module_delta_bytes',
      'New minus old code bytes of a Go module in a binary (top N by absolute change, the rest as other).',
      ['path', 'module'],
    ),
    binaryInfo: gauge(
      'layerdelta_go_binary_info',
      'Always 1: descriptive labels of a Go binary in the new image.',
      ['path', 'go_version', 'main_module', 'cgo', 'stripped', 'trimpath'],
    ),
    duration: gauge(
      'layerdelta_run_duration_seconds',
      'Wall-clock duration of the layerdelta run in seconds.',
    ),
    lastSuccess: gauge(
      'layerdelta_last_success_timestamp_seconds',
      'Unix time in seconds of the last successful layerdelta run for this group.',
    ),
  };

  const nowSeconds = options.nowSeconds ?? Date.now() / 1000;
  for (const { repository, delta, durationSeconds } of deltas) {
    const group: Labels = { repository, ...options.labels };
    const set = (g: Gauge, labels: Labels, value: number) => g.set({ ...group, ...labels }, value);

    set(m.imageSize, { side: 'old', encoding: 'compressed' }, delta.old.compressedSize);
    set(m.imageSize, { side: 'new', encoding: 'compressed' }, delta.new.compressedSize);
    if (delta.old.uncompressedSize !== undefined)
      set(m.imageSize, { side: 'old', encoding: 'uncompressed' }, delta.old.uncompressedSize);
    if (delta.new.uncompressedSize !== undefined)
      set(m.imageSize, { side: 'new', encoding: 'uncompressed' }, delta.new.uncompressedSize);
    set(m.imageDelta, { encoding: 'compressed' }, delta.totals.compressedDelta);
    if (delta.totals.uncompressedDelta !== undefined)
      set(m.imageDelta, { encoding: 'uncompressed' }, delta.totals.uncompressedDelta);

    for (const status of LAYER_STATUSES) {
      const s = delta.totals.byStatus[status];
      set(m.layers, { status }, s?.count ?? 0);
      set(m.layerBytes, { status }, s?.bytes ?? 0);
    }
    set(m.significant, {}, delta.totals.significantChanges);

    if (delta.binaries) {
      for (const status of BINARY_STATUSES) {
        set(m.binaries, { status }, delta.binaries.filter((b) => b.status === status).length);
      }
      for (const b of delta.binaries) {
        const path = b.path;
        if (b.old) set(m.binarySize, { path, side: 'old' }, b.old.size);
        if (b.new) set(m.binarySize, { path, side: 'new' }, b.new.size);
        set(m.binaryDelta, { path }, b.delta);
        // Sizes from the binary itself (the delta lists no sections for an unchanged binary).
        for (const s of b.new?.sections ?? [])
          set(m.sectionBytes, { path, section: s.name }, sectionBytes(s));
        for (const s of b.sections) set(m.sectionDelta, { path, section: s.name }, s.delta);
        for (const [name, bytes] of topBySize(b.new?.packages ?? [], options.topN))
          set(m.packageBytes, { path, package: name }, bytes);
        for (const [name, bytes] of topByChange(b.packages, options.topN))
          set(m.packageDelta, { path, package: name }, bytes);
        for (const [name, bytes] of topBySize(b.new?.modules ?? [], options.topN))
          set(m.moduleBytes, { path, module: name }, bytes);
        for (const [name, bytes] of topByChange(joinSizes(b.old?.modules, b.new?.modules), options.topN))
          set(m.moduleDelta, { path, module: name }, bytes);
        if (b.new) set(m.binaryInfo, { path, ...binaryInfoLabels(b.new) }, 1);
      }
    }

    set(m.duration, {}, durationSeconds ?? options.durationSeconds);
    set(m.lastSuccess, {}, nowSeconds);
  }
  return registry;
}

/** The registry's series as OpenMetrics text (ends with `# EOF`). */
export async function renderOpenMetrics(registry: Registry): Promise<string> {
  const open = registry as Registry<RegistryContentType>;
  const previous = open.contentType;
  open.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  try {
    return await open.metrics();
  } finally {
    open.setContentType(previous);
  }
}

/** The descriptive labels of the info gauge, from what `go version -m` shows. */
export function binaryInfoLabels(report: GoBinaryReport): {
  go_version: string;
  main_module: string;
  cgo: string;
  stripped: string;
  trimpath: string;
} {
  const setting = (key: string) => report.buildInfo.settings.find((s) => s.key === key)?.value;
  return {
    go_version: report.buildInfo.goVersion,
    main_module: report.buildInfo.main?.path ?? '',
    cgo: String(setting('CGO_ENABLED') === '1'),
    stripped: String(report.stripped),
    trimpath: String(setting('-trimpath') === 'true'),
  };
}

/** The N largest shares by bytes, then the sum of the rest as `other` (only when there is a rest). */
export function topBySize(shares: readonly SizeShare[], n: number): Array<[string, number]> {
  return keepTop(
    shares.map((s) => [s.name, s.bytes] as [string, number]),
    n,
    (a, b) => b[1] - a[1],
  );
}

/** The N largest changes by absolute delta (zero changes left out), then the rest summed as `other`. */
export function topByChange(deltas: readonly SizeDelta[], n: number): Array<[string, number]> {
  return keepTop(
    deltas.filter((d) => d.delta !== 0).map((d) => [d.name, d.delta] as [string, number]),
    n,
    (a, b) => Math.abs(b[1]) - Math.abs(a[1]),
  );
}

function keepTop(
  rows: Array<[string, number]>,
  n: number,
  order: (a: [string, number], b: [string, number]) => number,
): Array<[string, number]> {
  // Merge duplicate names (e.g. a real package called `other`) so each series is set once.
  const merged = new Map<string, number>();
  for (const [name, value] of rows) merged.set(name, (merged.get(name) ?? 0) + value);
  const sorted = [...merged].sort((a, b) => order(a, b) || a[0].localeCompare(b[0]));
  const top = sorted.slice(0, n);
  const rest = sorted.slice(n);
  if (rest.length === 0) return top;
  const restSum = rest.reduce((sum, [, v]) => sum + v, 0);
  const other = top.find(([name]) => name === OTHER);
  if (other) other[1] += restSum;
  else top.push([OTHER, restSum]);
  return top;
}
