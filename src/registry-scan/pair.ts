import semver from 'semver';

/** A tag and what the ordering rules need to know about it. */
export interface TagCandidate {
  tag: string;
  /** Manifest digest: two tags of the same image are one candidate for the pair. */
  digest?: string;
  /** Config creation time or registry push time (ECR imagePushedAt), ISO 8601. */
  created?: string;
}

export type PairRule = 'semver' | 'created';

export interface ImagePair {
  newer: TagCandidate;
  older: TagCandidate;
}

/**
 * The newest image and its predecessor.
 * - semver: tags that parse as semantic versions (a leading `v` allowed), by version precedence;
 *   other tags are ignored.
 * - created: by creation time; tags without one are ignored.
 * Ties (`v1.2.0` and `1.2.0`, or equal times) are broken by tag name, descending, so every machine
 * picks the same pair. Tags pointing at the newest image's digest are skipped when picking the
 * predecessor: comparing an image with itself says nothing.
 * Returns undefined when fewer than two distinct images qualify.
 */
export function pickPair(candidates: TagCandidate[], rule: PairRule): ImagePair | undefined {
  const ordered = rule === 'semver' ? bySemver(candidates) : byCreated(candidates);
  const newer = ordered[0];
  if (!newer) return undefined;
  const older = ordered.find(
    (c) => c !== newer && (c.digest === undefined || newer.digest === undefined || c.digest !== newer.digest),
  );
  return older ? { newer, older } : undefined;
}

function byTagDescending(a: TagCandidate, b: TagCandidate): number {
  return a.tag < b.tag ? 1 : a.tag > b.tag ? -1 : 0;
}

function bySemver(candidates: TagCandidate[]): TagCandidate[] {
  const versioned = candidates
    .map((c) => ({ c, v: semver.parse(c.tag.replace(/^v/, '')) }))
    .filter((x): x is { c: TagCandidate; v: semver.SemVer } => x.v !== null);
  versioned.sort((a, b) => semver.rcompare(a.v, b.v) || byTagDescending(a.c, b.c));
  return versioned.map((x) => x.c);
}

function byCreated(candidates: TagCandidate[]): TagCandidate[] {
  const timed = candidates
    .map((c) => ({ c, t: c.created ? Date.parse(c.created) : Number.NaN }))
    .filter((x) => !Number.isNaN(x.t));
  timed.sort((a, b) => b.t - a.t || byTagDescending(a.c, b.c));
  return timed.map((x) => x.c);
}

/**
 * pickPair, when tags come without digests (tags/list of a plain registry): the two picked tags may
 * name one image (`1.10.0` and `v1.10.0`), and comparing an image with itself says nothing. Ask for
 * the digests of the picked tags only (a manifest HEAD each) and look further down while they are
 * the same image. Each round learns at least one digest, so it ends.
 */
export async function pickDistinctPair(
  candidates: TagCandidate[],
  rule: PairRule,
  digestOf: (tag: string) => Promise<string | undefined>,
): Promise<ImagePair | undefined> {
  const known = candidates.map((c) => ({ ...c }));
  for (;;) {
    const pair = pickPair(known, rule);
    if (!pair) return undefined;
    const missing = [pair.newer, pair.older].filter((c) => c.digest === undefined);
    if (missing.length === 0) return pair;
    for (const candidate of missing) {
      const digest = await digestOf(candidate.tag);
      if (digest === undefined) return pair;
      candidate.digest = digest;
    }
    if (pair.newer.digest !== pair.older.digest) return pair;
  }
}
