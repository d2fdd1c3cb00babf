/**
 * A history `created_by` reduced to what identifies the build step (docs/design.md §3, evidence a):
 * two layers whose normalised instructions are equal came from the same Dockerfile line.
 *
 * Builders write the same line in several ways, and parts of it change on every build:
 * - the classic builder: `/bin/sh -c #(nop)  CMD ["bash"]`, `/bin/sh -c #(nop) COPY file:<sha256> in /app `,
 *   `/bin/sh -c make`, and with build arguments `|1 GIT_VERSION=v3.11.3 /bin/sh -c make`;
 * - BuildKit: `RUN /bin/sh -c make # buildkit`, `RUN |3 BUILD_DATE=2025-02-25T20:36:45+00:00 … /bin/sh -c make # buildkit`,
 *   `COPY root/ / # buildkit`.
 * The shell, `#(nop)`, the `# buildkit` marker, the build-argument values (`|N K=V …`: a build date
 * changes on every build) and the classic builder's content hashes (`file:<hash> in`, `dir:<hash> in`,
 * `multi:<hash> in`: they change whenever the copied files do) are dropped; whitespace is collapsed.
 */

export interface Instruction {
  /** The Dockerfile keyword (`RUN`, `COPY`, `ADD`, …), or `other` for a free-form history line. */
  kind: string;
  /** The normalised instruction, e.g. `RUN make`, `COPY /app`. */
  text: string;
}

const KEYWORDS = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);

const SHELL = /^\/bin\/(?:ba)?sh -c\s+/;
const NOP = /^#\(nop\)\s+/;
const BUILD_ARGS = /^\|(\d+)\s+/;
const CONTENT_HASH = /\b(?:file|dir|multi):[0-9a-f]{64} in /g;

/** Drops BuildKit's and the classic builder's `|N K=V …` prefix: N assignments, then the command. */
function dropBuildArgs(text: string): string {
  const match = BUILD_ARGS.exec(text);
  if (!match) return text;
  let rest = text.slice(match[0].length);
  for (let i = 0; i < Number(match[1]); i++) {
    const assignment = /^[A-Za-z_][A-Za-z0-9_]*=\S*\s*/.exec(rest);
    if (!assignment) break;
    rest = rest.slice(assignment[0].length);
  }
  return rest;
}

/** undefined for a missing or empty `created_by`. */
export function normalizeInstruction(createdBy: string | undefined): Instruction | undefined {
  let text = createdBy?.trim().replace(/\s+#\s*buildkit$/, '') ?? '';
  if (text === '') return undefined;
  let kind: string | undefined;
  const first = /^([A-Za-z]+)\s+/.exec(text);
  if (first && KEYWORDS.has(first[1]!.toUpperCase())) {
    kind = first[1]!.toUpperCase();
    text = text.slice(first[0].length);
  }
  // A classic `RUN` is the bare command (`/bin/sh -c …`, `|N … /bin/sh -c …`); BuildKit's keeps `RUN`.
  if (kind === undefined || kind === 'RUN') {
    text = dropBuildArgs(text);
    if (SHELL.test(text)) {
      text = text.replace(SHELL, '');
      if (NOP.test(text)) {
        // `/bin/sh -c #(nop) COPY …`: the classic builder's record of a non-RUN instruction.
        text = text.replace(NOP, '');
        const keyword = /^([A-Za-z]+)\s*/.exec(text);
        kind = keyword && KEYWORDS.has(keyword[1]!.toUpperCase()) ? keyword[1]!.toUpperCase() : 'other';
        text = keyword ? text.slice(keyword[0].length) : text;
      } else {
        kind = 'RUN';
      }
    }
  }
  kind ??= 'other';
  text = text.replace(CONTENT_HASH, '').replace(/\s+/g, ' ').trim();
  return { kind, text: text === '' ? kind : `${kind} ${text}` };
}
