/** One entry point for every report format of compare/check. */

import type { ImageDelta } from '../delta/types.js';
import type { CheckResult } from '../policy/evaluate.js';
import { escapeStrings } from '../terminal-text.js';
import { renderHtmlReport } from './html/compare-page.js';
import { reportDate } from './html/page.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderText } from './text.js';

export const OUTPUT_FORMATS = ['text', 'json', 'markdown', 'html'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Colour only on a TTY, and never when NO_COLOR is set to anything non-empty (no-color.org). */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}

export function renderReport(
  delta: ImageDelta,
  format: OutputFormat,
  options: { color?: boolean; check?: CheckResult; top?: number; generatedAt?: Date } = {},
): string {
  if (format === 'json') return renderJson(delta, options.check ? { check: options.check } : {});
  // Image data reaches text, Markdown and HTML only with its control characters escaped (§9).
  const safe = escapeStrings(delta);
  const check = {
    ...(options.check ? { check: escapeStrings(options.check) } : {}),
    ...(options.top ? { top: options.top } : {}),
  };
  switch (format) {
    case 'markdown':
      return renderMarkdown(safe, check);
    case 'html':
      return renderHtmlReport(safe, { ...check, generatedAt: options.generatedAt ?? reportDate() });
    default:
      return renderText(safe, { color: options.color ?? false, ...check });
  }
}
