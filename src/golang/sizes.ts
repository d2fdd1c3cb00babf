/**
 * Named sizes on two sides: the one join behind every package, module and section table, metric and
 * diff, and the one meaning of a section's size.
 */
import type { SectionSize, SizeDelta } from './types.js';

/** A name with a byte count: a package's or module's code (a SizeShare), or a section (sectionSizes). */
export interface NamedSize {
  name: string;
  bytes: number;
}

/**
 * A section's size as `readelf -S` prints it (sh_size): bytes in the file for sections with content
 * (compressed DWARF by its compressed bytes), bytes of memory for NOBITS sections (.bss, .noptrbss),
 * which take no file space but are allocated when the program starts. So a growing .bss shows, and the
 * sections of a binary do not add up to its file size (docs/metrics.md).
 */
export function sectionBytes(section: SectionSize): number {
  // Only NOBITS sections have no file bytes yet a size (an empty section is 0 either way).
  return section.fileSize > 0 ? section.fileSize : section.memSize;
}

export function sectionSizes(sections: readonly SectionSize[] | undefined): NamedSize[] {
  return (sections ?? []).map((s) => ({ name: s.name, bytes: sectionBytes(s) }));
}

/**
 * Every name of either side with its bytes before and after (0 on a side that lacks it; a name that
 * appears twice on one side counts the sum), sorted by growth (largest increase first), then by name.
 */
export function joinSizes(
  before: readonly NamedSize[] | undefined,
  after: readonly NamedSize[] | undefined,
): SizeDelta[] {
  const rows = new Map<string, SizeDelta>();
  const row = (name: string): SizeDelta => {
    const existing = rows.get(name);
    if (existing) return existing;
    const created = { name, oldBytes: 0, newBytes: 0, delta: 0 };
    rows.set(name, created);
    return created;
  };
  for (const { name, bytes } of before ?? []) row(name).oldBytes += bytes;
  for (const { name, bytes } of after ?? []) row(name).newBytes += bytes;
  const out = [...rows.values()];
  for (const r of out) r.delta = r.newBytes - r.oldBytes;
  return out.sort((a, b) => b.delta - a.delta || a.name.localeCompare(b.name));
}
