import { Flags } from '@oclif/core';
import { UsageError } from '../errors.js';
import { isValidLabelName, RESERVED_LABEL_NAMES } from '../metrics/labels.js';
import type { PublishOptions } from '../metrics/publish.js';
import { parsePushgatewayUrl } from '../metrics/pushgateway.js';

/** Flags shared by compare, check and scan (docs/design.md §6). Spread into a command's `flags`. */
export const metricsFlags = {
  pushgateway: Flags.string({
    description:
      'Pushgateway base URL (e.g. http://pushgateway:9091); one group per repository and --label set is replaced (PUT) on every run. Credentials may be given in the URL.',
    helpGroup: 'METRICS',
  }),
  job: Flags.string({
    description: 'Pushgateway job name.',
    default: 'layerdelta',
    helpGroup: 'METRICS',
  }),
  label: Flags.string({
    description:
      'Extra grouping label k=v added to every metric and to the Pushgateway group (e.g. branch=main, env=prod). Repeatable.',
    multiple: true,
    helpGroup: 'METRICS',
  }),
  'metrics-file': Flags.string({
    description: 'Also write the metrics to FILE as OpenMetrics text (e.g. for GitLab metrics reports).',
    helpGroup: 'METRICS',
  }),
  top: Flags.integer({
    description:
      'Rows of the directory, file and OS package tables (text, Markdown, HTML; JSON has all) and series per metric: Go packages and modules per binary, OS package deltas; the rest is summed as `other`.',
    default: 20,
    min: 1,
  }),
};

/** The parsed values of `metricsFlags`, as oclif hands them to a command. */
export interface MetricsFlagValues {
  pushgateway?: string | undefined;
  job: string;
  label?: string[] | undefined;
  'metrics-file'?: string | undefined;
  top: number;
}

/** `--label k=v` values → a record; a malformed, reserved or repeated name is a UsageError (exit 2). */
export function parseUserLabels(values: readonly string[] | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const raw of values ?? []) {
    const eq = raw.indexOf('=');
    if (eq <= 0) {
      throw new UsageError(`--label ${JSON.stringify(raw)} is not of the form name=value`, {
        hint: 'e.g. --label branch=main',
      });
    }
    const name = raw.slice(0, eq);
    const value = raw.slice(eq + 1);
    if (!isValidLabelName(name)) {
      throw new UsageError(`--label name ${JSON.stringify(name)} is not a valid Prometheus label name`, {
        hint: 'use letters, digits and _; not starting with a digit or __',
      });
    }
    if (RESERVED_LABEL_NAMES.has(name)) {
      throw new UsageError(`--label name ${JSON.stringify(name)} is reserved by layerdelta`, {
        hint: 'pick another name, e.g. env or branch',
      });
    }
    if (name in labels) {
      throw new UsageError(`--label ${name} is given twice`, { hint: 'give each label name once' });
    }
    labels[name] = value;
  }
  return labels;
}

/**
 * The metrics flags as publishing options. Called before the (long) analysis starts, so a typo in
 * --label or --pushgateway fails fast with exit 2 instead of after the report.
 */
export function metricsOptions(flags: MetricsFlagValues): PublishOptions {
  return {
    job: flags.job,
    labels: parseUserLabels(flags.label),
    top: flags.top,
    ...(flags.pushgateway ? { pushgateway: parsePushgatewayUrl(flags.pushgateway) } : {}),
    ...(flags['metrics-file'] ? { metricsFile: flags['metrics-file'] } : {}),
  };
}
