/**
 * GitHub Actions integration: the Markdown report appended to `$GITHUB_STEP_SUMMARY` (trimmed to the
 * 1 MiB GitHub accepts) and findings as `::error` / `::warning` workflow commands.
 */
import { appendFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { Finding } from '../policy/evaluate.js';

/** GitHub's per-step summary limit. */
export const STEP_SUMMARY_LIMIT = 1024 * 1024;

export function isGitHubActions(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

/** Workflow command message: `%`, CR and LF encoded (GitHub's escapeData). */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Workflow command property value: as data, plus `:` and `,` (GitHub's escapeProperty). */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::error title=layerdelta max-growth::image grew ...` */
export function annotation(finding: Finding): string {
  const title = `layerdelta ${finding.rule}`;
  return `::${finding.severity} title=${escapeProperty(title)}::${escapeData(finding.message)}`;
}

/**
 * `markdown` cut at a line boundary so that it plus a note fits in `limit` bytes (UTF-8), or as is
 * when it fits already. `where` names the limit in the note ("GitHub's 1 MiB step summary").
 */
export function trimMarkdown(markdown: string, limit: number, where: string): string {
  const bytes = Buffer.byteLength(markdown, 'utf8');
  if (bytes <= limit) return markdown;
  const note = `\n\n> **Note:** report trimmed from ${bytes} bytes to fit ${where}; run \`layerdelta compare --output markdown\` for the whole report.\n`;
  const budget = limit - Buffer.byteLength(note, 'utf8');
  // Cut by bytes, back off to a whole character and then to the last full line.
  let cut = Buffer.from(markdown, 'utf8').subarray(0, budget).toString('utf8');
  if (cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
  const lastNewline = cut.lastIndexOf('\n');
  if (lastNewline > 0) cut = cut.slice(0, lastNewline);
  return cut + note;
}

export function trimForStepSummary(markdown: string, limit = STEP_SUMMARY_LIMIT): string {
  return trimMarkdown(markdown, limit, "GitHub's 1 MiB step summary limit");
}

/** Append the (trimmed) report to the step summary file. */
export function appendStepSummary(file: string, markdown: string): void {
  try {
    appendFileSync(file, `${trimForStepSummary(markdown)}\n`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(`cannot write GITHUB_STEP_SUMMARY ${file}: ${reason}`, {
      hint: 'check that the path is writable',
    });
  }
}
