/** Text layout of the reports: short digests and aligned tables (sizes and percentages: src/units.ts). */

/** `sha256:0123456789abcdef...` → `0123456789ab` (12 hex digits, like Docker's short IDs). */
export function shortDigest(digest: string | undefined): string {
  if (!digest) return '';
  const colon = digest.indexOf(':');
  return digest.slice(colon + 1, colon + 13);
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
