import { Args, Flags } from '@oclif/core';
import { advise } from '../advice/rules.js';
import type { AdviceItem } from '../advice/types.js';
import { type AnalysisFlagValues, analysisFlags, withLayerReader } from '../cli/analysis.js';
import { BaseCommand } from '../cli/base-command.js';
import { exitCodesHelp } from '../cli/exit-codes-help.js';
import { writeOut } from '../cli/output.js';
import { applyRegistryFlags, registryFlags } from '../cli/registry-flags.js';
import { outputFlags, outputFormat, platformFlag } from '../cli/report-flags.js';
import { ExitCode } from '../errors.js';
import { TREEMAP_DIRECTORIES } from '../files/delta.js';
import { directoryTotals, largestDirectories } from '../files/rollup.js';
import { readImagePackages } from '../packages/read.js';
import type { LayerReader } from '../pipeline/layer-reader.js';
import { formatReference } from '../reference/reference.js';
import { inspectAdviceSection } from '../report/advice.js';
import {
  type InspectHtmlParts,
  renderInspectHtml,
  renderInspectPlatformsHtml,
} from '../report/html/inspect-page.js';
import { reportDate } from '../report/html/page.js';
import {
  buildInspectReport,
  type InspectReport,
  renderInspectJson,
  renderInspectText,
} from '../report/inspect.js';
import { addScanToReport, goBinariesSection } from '../report/inspect-binaries.js';
import { addFilesToReport, filesSection } from '../report/inspect-files.js';
import { openSource } from '../source/open.js';
import { formatPlatform } from '../source/platform.js';
import type { ImageSource, Platform, ResolvedImage } from '../source/types.js';
import { escapeStrings } from '../terminal-text.js';

const FORMATS = ['text', 'json', 'html'] as const;
const SECTIONS = [goBinariesSection, filesSection, inspectAdviceSection];

export default class Inspect extends BaseCommand {
  static override summary = 'Show one image: platform, manifest, config and every layer.';

  static override description =
    `Reads IMAGE from a registry (docker.io normalised), an OCI layout (oci:DIR[:TAG]) or a docker save archive (docker-archive:FILE[:REPO:TAG]), picks one platform of a multi-platform index (default linux/amd64; says which, and which others exist), and prints the manifest digest and media type, a config summary and, for each layer, its digest, media type, compressed size and the history instruction that made it; then (unless --no-binaries) it reads every layer once to add uncompressed sizes and the Go executables of the final filesystem: Go version, main module, size, stripped, cgo, and the packages with the most code. Sizes are compressed, as stored, in SI units (1 kB = 1000 B) in text and in bytes in JSON (schemaVersion 1). Registry credentials come from ~/.docker/config.json, $DOCKER_CONFIG or $REGISTRY_AUTH_FILE.

${exitCodesHelp([ExitCode.ok, ExitCode.usage, ExitCode.registry, ExitCode.internal])}`;

  static override examples = [
    '<%= config.bin %> inspect alpine:3.20',
    '<%= config.bin %> inspect ghcr.io/org/app:1.4.0 --platform linux/arm64',
    '<%= config.bin %> inspect oci:./layout:v1 --json',
    '<%= config.bin %> inspect ghcr.io/org/app:1.4.0 --platform all',
    '<%= config.bin %> inspect docker-archive:app.tar:app:latest --output json',
  ];

  static override args = {
    image: Args.string({ ignoreStdin: true, description: 'Image reference.', required: true }),
  };

  static override flags = {
    ...registryFlags,
    platform: Flags.string({
      char: 'p',
      description:
        'Platform to pick from a multi-platform image, os/arch[/variant] (default linux/amd64), or "all": every platform of the index, one section each (attestations skipped).',
    }),
    ...outputFlags(FORMATS),
    ...analysisFlags,
    top: Flags.integer({ description: 'Rows of the biggest-directories table.', default: 20, min: 1 }),
    'no-binaries': Flags.boolean({
      description:
        'Show the manifest, config and layer list only: no layer is downloaded, so no Go binaries and no uncompressed sizes.',
      default: false,
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Inspect);
    await applyRegistryFlags(flags);
    const format = outputFormat<(typeof FORMATS)[number]>(flags);
    const platform = platformFlag(flags.platform);
    const source = await openSource(args.image);
    try {
      if (platform === 'all') {
        // Every image platform of the index, one after another through one layer reader: a blob
        // two platforms share is read once.
        const { availablePlatforms } = await source.resolve('any');
        const inspections = await this.withReader(flags, async (layerReader) => {
          const out: Array<Inspection & { platform: string }> = [];
          for (const p of availablePlatforms)
            out.push({
              platform: formatPlatform(p),
              ...(await this.inspect(source, p, true, flags, layerReader)),
            });
          return out;
        });
        writeOut(renderPlatforms(inspections, format));
        return;
      }
      const inspection = await this.withReader(flags, (layerReader) =>
        this.inspect(source, platform, platform !== undefined, flags, layerReader),
      );
      writeOut(
        format === 'html'
          ? renderInspectHtml(escapeStrings(inspection.image), {
              ...escapeStrings(inspection.parts),
              generatedAt: reportDate(),
            })
          : format === 'json'
            ? renderInspectJson(inspection.report)
            : renderInspectText(escapeStrings(inspection.report), SECTIONS),
      );
    } finally {
      await source.close();
    }
  }

  /** Runs `work` with a layer reader, or with none under --no-binaries (no layer is downloaded). */
  private async withReader<T>(
    flags: AnalysisFlagValues & { 'no-binaries': boolean },
    work: (layerReader: LayerReader | undefined) => Promise<T>,
  ): Promise<T> {
    return flags['no-binaries'] ? await work(undefined) : await withLayerReader(flags, work);
  }

  /** One platform: the report text and JSON show, and what the HTML page adds. */
  private async inspect(
    source: ImageSource,
    platform: Platform | undefined,
    platformRequested: boolean,
    flags: { 'no-advice'?: boolean; top: number },
    layerReader: LayerReader | undefined,
  ): Promise<Inspection> {
    const image = await source.resolve(platform);
    const scan = layerReader ? await layerReader.readImage(source, image) : undefined;
    const advice =
      scan && !flags['no-advice']
        ? advise({
            image: { image, ...scan, packages: await readImagePackages(scan.scans, scan.filesystem) },
          })
        : undefined;
    const plain = buildInspectReport(image, { source: source.description, platformRequested });
    const scanned = scan ? await addFilesToReport(addScanToReport(plain, scan), scan, flags.top) : undefined;
    const report = advice ? { ...(scanned ?? plain), advice } : (scanned ?? plain);
    const parts: InspectHtmlParts = {
      ...(advice ? { advice } : {}),
      ...(scan
        ? {
            binaries: Object.fromEntries(
              [...scan.filesystem.goBinaries].map(([path, b]) => [path, b.report]),
            ),
          }
        : {}),
      ...(scan && scanned
        ? {
            scan: {
              uncompressed: scanned.layers.map((l) => l.uncompressedSize),
              files: scanned.files,
              largestDirectories: largestDirectories(directoryTotals(scan.filesystem), TREEMAP_DIRECTORIES),
            },
          }
        : {}),
    };
    return { image, report, parts };
  }
}

/** One platform's inspection: the report text and JSON show, and what the HTML page adds. */
interface Inspection {
  image: ResolvedImage;
  report: InspectReport & { advice?: AdviceItem[] };
  parts: InspectHtmlParts;
}

/** `--platform all`: a section per platform, in the format asked for. */
function renderPlatforms(
  inspections: ReadonlyArray<Inspection & { platform: string }>,
  format: (typeof FORMATS)[number],
): string {
  if (format === 'json') {
    const platforms = inspections.map((i) => ({ platform: i.platform, report: i.report }));
    return `${JSON.stringify({ schemaVersion: 1, platforms }, null, 2)}\n`;
  }
  if (format === 'html') {
    return renderInspectPlatformsHtml(
      escapeStrings(
        inspections[0]
          ? `layerdelta: ${formatReference(inspections[0].image.reference)} (every platform)`
          : 'layerdelta: every platform',
      ),
      inspections.map((i) => ({
        platform: escapeStrings(i.platform),
        image: escapeStrings(i.image),
        parts: escapeStrings(i.parts),
      })),
      { generatedAt: reportDate() },
    );
  }
  return inspections
    .map(
      (i) =>
        `=== Platform ${escapeStrings(i.platform)} ===\n${renderInspectText(escapeStrings(i.report), SECTIONS)}`,
    )
    .join('\n');
}
