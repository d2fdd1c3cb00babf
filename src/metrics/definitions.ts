/**
 * The metric set of docs/design.md §6, computed from ImageDelta only. Every series carries `repository` and
 * the user's `--label`s, which are also the Pushgateway grouping key, so the pushed group and the
 * OpenMetrics file show the same series. No tag or digest ever becomes a label.
 */

import { Gauge, Registry, type RegistryContentType } from 'prom-client';
import { RULE_NAMES, savableByRule } from '../advice/rules.js';
import type { BinaryDelta, ImageDelta, LayerStatus } from '../delta/types.js';
import { joinSizes, sectionBytes } from '../golang/sizes.js';
import type { GoBinaryReport, SizeDelta, SizeShare } from '../golang/types.js';
import { filesAndPackagesGauges, recordFilesAndPackages } from './files-packages.js';

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
type MetricInput = { repository: string; platform?: string; delta: ImageDelta; durationSeconds?: number };
/** Declares one gauge; every gauge also carries the group's labels (repository + user labels). */
type GaugeFactory = (name: string, help: string, labelNames?: string[]) => Gauge;
/** Sets one series of a gauge within the current group. */
type Setter = (gauge: Gauge, labels: Labels, value: number) => void;
/** A group of metrics: its gauges are declared once, then it records the values of each input. */
type Recorder = (input: MetricInput, set: Setter) => void;

/** Build one registry holding every delta's series (one group per repository + user labels). */
export function buildMetricsRegistry(deltas: MetricInput[], options: MetricsOptions): Registry {
  const registry = new Registry();
  // `platform` only under --platform all (one value per platform of the index: bounded).
  const platformLabel = deltas.some((d) => d.platform !== undefined) ? ['platform'] : [];
  const groupLabelNames = ['repository', ...platformLabel, ...Object.keys(options.labels)];
  const gauge: GaugeFactory = (name, help, labelNames = []) =>
    new Gauge({ name, help, labelNames: [...groupLabelNames, ...labelNames], registers: [registry] });
  // Declared in this order, exposed in this order.
  const recorders = [
    imageMetrics(gauge),
    layerMetrics(gauge),
    binaryMetrics(gauge, options.topN),
    filesAndPackagesMetrics(gauge, options.topN),
    adviceMetrics(gauge),
    runMetrics(gauge, options),
  ];
  for (const input of deltas) {
    const group: Labels = {
      repository: input.repository,
      ...(input.platform !== undefined ? { platform: input.platform } : {}),
      ...options.labels,
    };
    const set: Setter = (g, labels, value) => g.set({ ...group, ...labels }, value);
    for (const record of recorders) record(input, set);
  }
  return registry;
}

/** Wasted bytes and OS packages (docs/design.md §11): metrics/files-packages.ts. */
function filesAndPackagesMetrics(gauge: GaugeFactory, topN: number): Recorder {
  const gauges = filesAndPackagesGauges(gauge);
  return ({ delta }, set) =>
    recordFilesAndPackages(gauges, set, delta, topN, (deltas, n) =>
      topByChange(
        deltas.map((d) => ({ ...d, oldBytes: 0, newBytes: 0 })),
        n,
      ),
    );
}

/** Image size per side and encoding, and the delta per encoding. */
function imageMetrics(gauge: GaugeFactory): Recorder {
  const imageSize = gauge(
    'layerdelta_image_size_bytes',
    'Image size in bytes per side (old = baseline, new = the image checked) and encoding (compressed = manifest layer sizes, uncompressed = tar stream lengths).',
    ['side', 'encoding'],
  );
  const imageDelta = gauge(
    'layerdelta_image_delta_bytes',
    'New minus old image size in bytes, per encoding.',
    ['encoding'],
  );
  return ({ delta }, set) => {
    set(imageSize, { side: 'old', encoding: 'compressed' }, delta.old.compressedSize);
    set(imageSize, { side: 'new', encoding: 'compressed' }, delta.new.compressedSize);
    if (delta.old.uncompressedSize !== undefined)
      set(imageSize, { side: 'old', encoding: 'uncompressed' }, delta.old.uncompressedSize);
    if (delta.new.uncompressedSize !== undefined)
      set(imageSize, { side: 'new', encoding: 'uncompressed' }, delta.new.uncompressedSize);
    set(imageDelta, { encoding: 'compressed' }, delta.totals.compressedDelta);
    if (delta.totals.uncompressedDelta !== undefined)
      set(imageDelta, { encoding: 'uncompressed' }, delta.totals.uncompressedDelta);
  };
}

/** Layer count and bytes per classification status, and the significant changes. */
function layerMetrics(gauge: GaugeFactory): Recorder {
  const layers = gauge('layerdelta_layers', 'Number of layers per classification status.', ['status']);
  const layerBytes = gauge(
    'layerdelta_layer_bytes',
    'Compressed bytes of the layers in each classification status (as in the report totals).',
    ['status'],
  );
  const significant = gauge(
    'layerdelta_layer_significant_changes',
    'Changed layers whose size moved beyond the tolerance.',
  );
  return ({ delta }, set) => {
    for (const status of LAYER_STATUSES) {
      const s = delta.totals.byStatus[status];
      set(layers, { status }, s?.count ?? 0);
      set(layerBytes, { status }, s?.bytes ?? 0);
    }
    set(significant, {}, delta.totals.significantChanges);
  };
}

/** Go binaries per status; per binary: size, delta, sections, top packages and modules, info. */
function binaryMetrics(gauge: GaugeFactory, topN: number): Recorder {
  const binaries = gauge('layerdelta_go_binaries', 'Number of Go binaries per pairing status.', ['status']);
  const binarySize = gauge(
    'layerdelta_go_binary_size_bytes',
    'File size of a Go binary in bytes, per image side.',
    ['path', 'side'],
  );
  const binaryDelta = gauge(
    'layerdelta_go_binary_delta_bytes',
    'New minus old Go binary file size in bytes.',
    ['path'],
  );
  const sectionSize = gauge(
    'layerdelta_go_binary_section_bytes',
    'Size in bytes of an ELF section of a Go binary in the new image, as readelf -S prints it: file bytes, or memory bytes for sections without file data (.bss, .noptrbss).',
    ['path', 'section'],
  );
  const sectionDelta = gauge(
    'layerdelta_go_binary_section_delta_bytes',
    'New minus old size in bytes of an ELF section of a Go binary (sizes as in layerdelta_go_binary_section_bytes).',
    ['path', 'section'],
  );
  const packageBytes = gauge(
    'layerdelta_go_package_bytes',
    'Code bytes attributed to a Go package in a binary of the new image (top N by size, the rest as other).',
    ['path', 'package'],
  );
  const packageDelta = gauge(
    'layerdelta_go_package_delta_bytes',
    'New minus old code bytes of a Go package in a binary (top N by absolute change, the rest as other).',
    ['path', 'package'],
  );
  const moduleBytes = gauge(
    'layerdelta_go_module_bytes',
    'Code bytes attributed to a Go module in a binary of the new image (top N by size, the rest as other).',
    ['path', 'module'],
  );
  const moduleDelta = gauge(
    'layerdelta_go_module_delta_bytes',
    'New minus old code bytes of a Go module in a binary (top N by absolute change, the rest as other).',
    ['path', 'module'],
  );
  const binaryInfo = gauge(
    'layerdelta_go_binary_info',
    'Always 1: descriptive labels of a Go binary in the new image.',
    ['path', 'go_version', 'main_module', 'cgo', 'stripped', 'trimpath'],
  );
  const recordBinary = (b: BinaryDelta, set: Setter) => {
    const path = b.path;
    if (b.old) set(binarySize, { path, side: 'old' }, b.old.size);
    if (b.new) set(binarySize, { path, side: 'new' }, b.new.size);
    set(binaryDelta, { path }, b.delta);
    // Sizes from the binary itself (the delta lists no sections for an unchanged binary).
    for (const s of b.new?.sections ?? []) set(sectionSize, { path, section: s.name }, sectionBytes(s));
    for (const s of b.sections) set(sectionDelta, { path, section: s.name }, s.delta);
    for (const [name, bytes] of topBySize(b.new?.packages ?? [], topN))
      set(packageBytes, { path, package: name }, bytes);
    for (const [name, bytes] of topByChange(b.packages, topN))
      set(packageDelta, { path, package: name }, bytes);
    for (const [name, bytes] of topBySize(b.new?.modules ?? [], topN))
      set(moduleBytes, { path, module: name }, bytes);
    for (const [name, bytes] of topByChange(joinSizes(b.old?.modules, b.new?.modules), topN))
      set(moduleDelta, { path, module: name }, bytes);
    if (b.new) set(binaryInfo, { path, ...binaryInfoLabels(b.new) }, 1);
  };
  return ({ delta }, set) => {
    if (!delta.binaries) return;
    for (const status of BINARY_STATUSES) {
      set(binaries, { status }, delta.binaries.filter((b) => b.status === status).length);
    }
    for (const b of delta.binaries) recordBinary(b, set);
  };
}

/**
 * The advice's savable bytes in the new image, per rule (the rules table's names: a bounded label set).
 * Every rule has a series (0 when it found nothing), so a fixed problem shows as a drop to 0; none when
 * the advice was not computed.
 */
function adviceMetrics(gauge: GaugeFactory): Recorder {
  const savable = gauge(
    'layerdelta_savable_bytes',
    'File bytes (uncompressed) the advice says could be removed from the new image, per advice rule.',
    ['rule'],
  );
  return ({ delta }, set) => {
    if (delta.advice === undefined) return;
    const totals = savableByRule(delta.advice);
    for (const rule of RULE_NAMES) set(savable, { rule }, totals[rule]);
  };
}

/** How long the run took and when it last succeeded. */
function runMetrics(gauge: GaugeFactory, options: MetricsOptions): Recorder {
  const duration = gauge(
    'layerdelta_run_duration_seconds',
    'Wall-clock duration of the layerdelta run in seconds.',
  );
  const lastSuccess = gauge(
    'layerdelta_last_success_timestamp_seconds',
    'Unix time in seconds of the last successful layerdelta run for this group.',
  );
  const nowSeconds = options.nowSeconds ?? Date.now() / 1000;
  return ({ durationSeconds }, set) => {
    set(duration, {}, durationSeconds ?? options.durationSeconds);
    set(lastSuccess, {}, nowSeconds);
  };
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
