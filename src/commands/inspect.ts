import { Args, Flags } from '@oclif/core';
import { advise } from '../advice/rules.js';
import type { AdviceItem } from '../advice/types.js';
import { analysisFlags, withLayerReader } from '../cli/analysis.js';
import { BaseCommand } from '../cli/base-command.js';
import { exitCodesHelp } from '../cli/exit-codes-help.js';
import { writeOut } from '../cli/output.js';
import { applyRegistryFlags, registryFlags } from '../cli/registry-flags.js';
import { outputFlags, outputFormat, platformFlag } from '../cli/report-flags.js';
import { ExitCode, UsageError } from '../errors.js';
import { TREEMAP_DIRECTORIES } from '../files/delta.js';
import { directoryTotals, largestDirectories } from '../files/rollup.js';
import { readImagePackages } from '../packages/read.js';
import type { LayerReader } from '../pipeline/layer-reader.js';
import { inspectAdviceSection } from '../report/advice.js';
import { renderInspectHtml } from '../report/html/inspect-page.js';
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
import type { ImageSource, Platform } from '../source/types.js';
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
        'Platform to pick from a multi-platform image, os/arch[/variant] (default linux/amd64), or "all": every platform of the index, one section each (attestations skipped; text and JSON).',
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
    if (platform === 'all' && format === 'html')
      throw new UsageError('inspect --platform all writes text or JSON', {
        hint: 'pick one platform for HTML: --platform os/arch[/variant]',
      });
    const source = await openSource(args.image);
    try {
      if (platform === 'all') {
        // Every image platform of the index, one after another through one layer reader: a blob
        // two platforms share is read once.
        const { availablePlatforms } = await source.resolve('any');
        const reports = await withLayerReader(flags, async (layerReader) => {
          const out: Array<{ platform: string; report: InspectReport & { advice?: AdviceItem[] } }> = [];
          for (const p of availablePlatforms)
            out.push({
              platform: formatPlatform(p),
              report: await this.report(source, p, flags, layerReader),
            });
          return out;
        });
        writeOut(
          format === 'json'
            ? `${JSON.stringify({ schemaVersion: 1, platforms: reports }, null, 2)}\n`
            : reports
                .map(
                  (r) =>
                    `=== Platform ${escapeStrings(r.platform)} ===\n${renderInspectText(escapeStrings(r.report), SECTIONS)}`,
                )
                .join('\n'),
        );
        return;
      }
      const image = await source.resolve(platform);
      const scan = flags['no-binaries']
        ? undefined
        : await withLayerReader(flags, (layerReader) => layerReader.readImage(source, image));
      const advice =
        scan && !flags['no-advice']
          ? advise({
              image: { image, ...scan, packages: await readImagePackages(scan.scans, scan.filesystem) },
            })
          : undefined;
      const plain = buildInspectReport(image, {
        source: source.description,
        platformRequested: platform !== undefined,
      });
      const scanned = scan
        ? await addFilesToReport(addScanToReport(plain, scan), scan, flags.top)
        : undefined;
      if (format === 'html') {
        const binaries = scan
          ? Object.fromEntries([...scan.filesystem.goBinaries].map(([path, b]) => [path, b.report]))
          : undefined;
        const scanHtml =
          scan && scanned
            ? {
                uncompressed: scanned.layers.map((l) => l.uncompressedSize),
                files: scanned.files,
                largestDirectories: largestDirectories(directoryTotals(scan.filesystem), TREEMAP_DIRECTORIES),
              }
            : undefined;
        writeOut(
          renderInspectHtml(escapeStrings(image), escapeStrings(binaries), {
            ...(advice ? { advice: escapeStrings(advice) } : {}),
            ...(scanHtml ? { scan: escapeStrings(scanHtml) } : {}),
            generatedAt: reportDate(),
          }),
        );
        return;
      }
      const report = advice ? { ...(scanned ?? plain), advice } : (scanned ?? plain);
      writeOut(
        format === 'json' ? renderInspectJson(report) : renderInspectText(escapeStrings(report), SECTIONS),
      );
    } finally {
      await source.close();
    }
  }

  /** One platform's inspect report (as text and JSON show it), layers read through `layerReader`. */
  private async report(
    source: ImageSource,
    platform: Platform,
    flags: { 'no-binaries': boolean; 'no-advice'?: boolean; top: number },
    layerReader: LayerReader,
  ): Promise<InspectReport & { advice?: AdviceItem[] }> {
    const image = await source.resolve(platform);
    const scan = flags['no-binaries'] ? undefined : await layerReader.readImage(source, image);
    const advice = scan && !flags['no-advice'] ? advise({ image: { image, ...scan } }) : undefined;
    const plain = buildInspectReport(image, { source: source.description, platformRequested: true });
    const scanned = scan ? await addFilesToReport(addScanToReport(plain, scan), scan, flags.top) : plain;
    return advice ? { ...scanned, advice } : scanned;
  }
}
