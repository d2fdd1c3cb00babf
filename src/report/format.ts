/**
 * Number and text formatting shared by every renderer (and by other commands): SI byte sizes like
 * Docker prints them (1 kB = 1000 B), signed deltas and percentages, short digests, Dockerfile
 * instructions from history, and a plain aligned table.
 */

const SI_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];

/** Bytes in SI units with three significant digits: `999 B`, `1.5 kB`, `6.29 MB`, `140 MB`. */
export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1000 && unit < SI_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  if (unit === 0) return `${sign}${Math.round(value)} B`;
  let digits = Number(value.toPrecision(3));
  // 999.95 kB rounds to 1000 kB: say 1 MB instead.
  if (digits >= 1000 && unit < SI_UNITS.length - 1) {
    digits = Number((digits / 1000).toPrecision(3));
    unit++;
  }
  return `${sign}${digits} ${SI_UNITS[unit]}`;
}

/** A signed byte delta: `+6.3 MB`, `-512 B`, `0 B`. */
export function formatDelta(bytes: number): string {
  return bytes > 0 ? `+${formatBytes(bytes)}` : formatBytes(bytes);
}

/**
 * A signed percentage from a fraction: 1.4 → `+140%`, 0.052 → `+5.2%`, -0.003 → `-0.3%`, 0 → `0%`.
 * Two significant digits below 10%, whole numbers above; `n/a` for a missing or infinite ratio.
 */
export function formatPercent(fraction: number | undefined): string {
  if (fraction === undefined || !Number.isFinite(fraction)) return 'n/a';
  const percent = fraction * 100;
  if (percent === 0) return '0%';
  const magnitude = Math.abs(percent);
  let text: string;
  if (magnitude >= 10) text = String(Math.round(magnitude));
  else if (magnitude >= 0.1) text = String(Number(magnitude.toFixed(1)));
  else if (magnitude >= 0.01) text = String(Number(magnitude.toFixed(2)));
  else text = '<0.01';
  return `${percent > 0 ? '+' : '-'}${text}%`;
}

/** The change as a fraction of the old value; undefined when the old value is 0. */
export function changeRatio(oldValue: number, newValue: number): number | undefined {
  return oldValue === 0 ? undefined : (newValue - oldValue) / oldValue;
}

/** A limit fraction as the user wrote it, unsigned: 0.05 → `5%`, 0.125 → `12.5%`. */
export function formatLimitPercent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(6))}%`;
}

/** A tolerance fraction: 0.05 → `±5%`. */
export function formatTolerance(tolerance: number): string {
  return `±${formatLimitPercent(tolerance)}`;
}

/** `sha256:0123456789abcdef...` → `0123456789ab` (12 hex digits, like Docker's short IDs). */
export function shortDigest(digest: string | undefined): string {
  if (!digest) return '';
  const colon = digest.indexOf(':');
  return digest.slice(colon + 1, colon + 13);
}

/**
 * A history `created_by` as a Dockerfile line: drops the `/bin/sh -c #(nop) ` prefix of the classic
 * builder and BuildKit's ` # buildkit` suffix; `/bin/sh -c CMD` and `RUN /bin/sh -c CMD` become `RUN CMD`.
 */
export function instructionText(createdBy: string | undefined): string {
  if (!createdBy) return '';
  let text = createdBy.trim();
  text = text.replace(/\s*# buildkit$/, '');
  const nop = /^\/bin\/sh -c #\(nop\)\s+/;
  if (nop.test(text)) text = text.replace(nop, '');
  else if (text.startsWith('/bin/sh -c ')) text = `RUN ${text.slice('/bin/sh -c '.length)}`;
  // BuildKit writes `RUN /bin/sh -c CMD`: the shell is noise when naming the layer.
  else if (text.startsWith('RUN /bin/sh -c ')) text = `RUN ${text.slice('RUN /bin/sh -c '.length)}`;
  return text.replace(/\s+/g, ' ');
}

/** Cut `text` to `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

export interface TableColumn {
  header: string;
  /** Numbers read best right-aligned. */
  align?: 'left' | 'right';
}

/**
 * Rows padded into aligned columns separated by two spaces; trailing spaces trimmed. `style` (e.g.
 * colour) is applied after padding so escape codes do not break the alignment.
 */
export function renderTable(
  columns: TableColumn[],
  rows: string[][],
  style?: (text: string, row: number, column: number) => string,
): string {
  const widths = columns.map((c, i) =>
    Math.max(c.header.length, ...rows.map((r) => [...(r[i] ?? '')].length)),
  );
  const line = (cells: string[], row: number) =>
    columns
      .map((c, i) => {
        const cell = cells[i] ?? '';
        const pad = ' '.repeat(widths[i]! - [...cell].length);
        const padded = c.align === 'right' ? pad + cell : cell + pad;
        return style && row >= 0 ? style(padded, row, i) : padded;
      })
      .join('  ')
      .trimEnd();
  return [
    line(
      columns.map((c) => c.header),
      -1,
    ),
    ...rows.map((r, i) => line(r, i)),
  ].join('\n');
}
