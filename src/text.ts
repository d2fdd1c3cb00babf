/** One-line text shared by the reports and the check findings. */

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
