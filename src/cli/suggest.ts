/** "Did you mean": the closest known names to a mistyped command or flag. */

/** Levenshtein distance (insert, delete, substitute; each costs 1). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The known names nearest to `typed`: within a third of the name's length (at least 1, at most 3
 * edits), or those that start with it; nearest first. Empty when nothing is close.
 */
export function suggestions(typed: string, known: readonly string[]): string[] {
  const limit = Math.min(3, Math.max(1, Math.floor(typed.length / 3)));
  return known
    .map((name) => ({ name, distance: name.startsWith(typed) ? 0 : editDistance(typed, name) }))
    .filter((c) => c.distance <= limit)
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .map((c) => c.name);
}

export function didYouMean(typed: string, known: readonly string[], prefix = ''): string {
  const near = suggestions(typed, known).slice(0, 3);
  return near.length ? `did you mean ${near.map((n) => `${prefix}${n}`).join(' or ')}?` : '';
}

/**
 * " (did you mean --tolerance?)" for oclif's "Nonexistent flag: --tolerence", from the command's own
 * flags; empty for any other message or when nothing is close.
 */
export function flagHint(message: string, flags: readonly string[]): string {
  const typed = /Nonexistent flags?: (--?[\w-]+)/.exec(message)?.[1];
  if (!typed?.startsWith('--')) return '';
  const hint = didYouMean(typed.slice(2), flags, '--');
  return hint ? `; ${hint}` : '';
}
