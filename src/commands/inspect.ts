import { Args, Flags } from '@oclif/core';
import { BaseCommand, EXIT_CODES_HELP } from '../cli/base-command.js';
import { UsageError } from '../errors.js';
import { renderInspectHtml } from '../report/html/render.js';
import { buildInspectReport, renderInspectJson, renderInspectText } from '../report/inspect.js';
import { openSource } from '../source/open.js';
import { parsePlatform } from '../source/platform.js';

const FORMATS = ['text', 'json', 'html'] as const;

export default class Inspect extends BaseCommand {
  static override summary = 'Show one image: platform, manifest, config and every layer.';

  static override description =
    `Reads IMAGE from a registry (docker.io normalised), an OCI layout (oci:DIR[:TAG]) or a docker save archive (docker-archive:FILE[:REPO:TAG]), picks one platform of a multi-platform index (default linux/amd64; says which, and which others exist), and prints the manifest digest and media type, a config summary and, for each layer, its digest, media type, compressed size and the history instruction that made it. Sizes are compressed, as stored, in SI units (1 kB = 1000 B) in text and in bytes in JSON (schemaVersion 1). Registry credentials come from ~/.docker/config.json, $DOCKER_CONFIG or $REGISTRY_AUTH_FILE.

${EXIT_CODES_HELP}`;

  static override examples = [
    '<%= config.bin %> inspect alpine:3.20',
    '<%= config.bin %> inspect ghcr.io/org/app:1.4.0 --platform linux/arm64',
    '<%= config.bin %> inspect oci:./layout:v1 --json',
    '<%= config.bin %> inspect docker-archive:app.tar:app:latest --output json',
  ];

  static override args = {
    image: Args.string({ description: 'Image reference.', required: true }),
  };

  static override flags = {
    platform: Flags.string({
      char: 'p',
      description: 'Platform to pick from a multi-platform image, os/arch[/variant] (default linux/amd64).',
    }),
    output: Flags.string({
      char: 'o',
      description: 'Report format.',
      options: [...FORMATS],
      default: 'text',
    }),
    json: Flags.boolean({ description: 'Same as --output json.', default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Inspect);
    if (flags.json && flags.output !== 'text' && flags.output !== 'json') {
      throw new UsageError(`--json conflicts with --output ${flags.output}`, { hint: 'use one of them' });
    }
    const format = flags.json ? 'json' : flags.output;
    const platform = flags.platform === undefined ? undefined : parsePlatform(flags.platform);
    const source = await openSource(args.image);
    try {
      const image = await source.resolve(platform);
      if (format === 'html') {
        process.stdout.write(renderInspectHtml(image));
        return;
      }
      const report = buildInspectReport(image, {
        source: source.description,
        platformRequested: platform !== undefined,
      });
      process.stdout.write(format === 'json' ? renderInspectJson(report) : renderInspectText(report));
    } finally {
      await source.close();
    }
  }
}
