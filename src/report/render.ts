/** One entry point for every report format of compare/check. */
import type { ImageDelta } from '../delta/types.js';
import type { CheckResult } from '../policy/evaluate.js';
import { renderHtmlReport } from './html/compare-page.js';
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
  options: { color?: boolean; check?: CheckResult } = {},
): string {
  const check = options.check ? { check: options.check } : {};
  switch (format) {
    case 'json':
      return renderJson(delta, check);
    case 'markdown':
      return renderMarkdown(delta, check);
    case 'html':
      return renderHtmlReport(delta, check);
    default:
      return renderText(delta, { color: options.color ?? false, ...check });
  }
}
