/** `--report-file FILE`: the report written to a file as well, in the format of the file's extension. */
import { writeFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type { ImageDelta } from '../delta/types.js';
import { UsageError } from '../errors.js';
import type { CheckResult } from '../policy/evaluate.js';
import { type OutputFormat, renderReport } from './render.js';

const BY_EXTENSION: Record<string, OutputFormat> = {
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.json': 'json',
  '.html': 'html',
  '.htm': 'html',
  '.txt': 'text',
};

/** The format a report file's name asks for; a usage error (before any work) for any other name. */
export function reportFileFormat(path: string): OutputFormat {
  const format = BY_EXTENSION[extname(path).toLowerCase()];
  if (!format) {
    throw new UsageError(`--report-file ${path}: unknown extension`, {
      hint: 'name it .md, .json, .html or .txt',
    });
  }
  return format;
}

/** Write the report; returns the file's absolute path. */
export function writeReportFile(path: string, delta: ImageDelta, check?: CheckResult): string {
  return writeRenderedReport(path, (format) =>
    renderReport(delta, format, { color: false, ...(check ? { check } : {}) }),
  );
}

/** Write what `render` makes of the file's format (`--platform all` renders its own report). */
export function writeRenderedReport(path: string, render: (format: OutputFormat) => string): string {
  const text = render(reportFileFormat(path));
  const absolute = resolve(path);
  try {
    writeFileSync(absolute, text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(`cannot write --report-file ${path}: ${reason}`);
  }
  return absolute;
}
