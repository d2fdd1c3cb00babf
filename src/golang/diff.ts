/**
 * What changed between two analyses of the same Go executable: size, Go version, build settings,
 * modules, per-package code and per-section bytes.
 */
import type { BinaryDelta, ModuleChange, SizeDelta } from '../delta/types.js';
import type { GoBinaryReport, GoModule, SectionSize, SizeShare } from './types.js';

/** The part of a BinaryDelta that depends only on the two analyses (the caller adds path, status, layers). */
export type GoBinaryDiff = Omit<BinaryDelta, 'path' | 'status' | 'oldLayer' | 'newLayer' | 'old' | 'new'>;

export function diffGoBinary(oldReport: GoBinaryReport, newReport: GoBinaryReport): GoBinaryDiff {
  return {
    delta: newReport.size - oldReport.size,
    goVersion: { old: oldReport.buildInfo.goVersion, new: newReport.buildInfo.goVersion },
    settingsChanged: diffSettings(oldReport.buildInfo.settings, newReport.buildInfo.settings),
    modules: diffModules(oldReport.buildInfo.deps, newReport.buildInfo.deps),
    packages: diffShares(oldReport.packages, newReport.packages).filter((d) => d.delta !== 0),
    sections: diffSections(oldReport.sections, newReport.sections),
  };
}

function diffSettings(
  oldSettings: Array<{ key: string; value: string }>,
  newSettings: Array<{ key: string; value: string }>,
): GoBinaryDiff['settingsChanged'] {
  const before = new Map(oldSettings.map((s) => [s.key, s.value]));
  const after = new Map(newSettings.map((s) => [s.key, s.value]));
  const keys = [...new Set([...after.keys(), ...before.keys()])];
  const changed: GoBinaryDiff['settingsChanged'] = [];
  for (const key of keys) {
    const o = before.get(key);
    const n = after.get(key);
    if (o === n) continue;
    const change: { key: string; old?: string; new?: string } = { key };
    if (o !== undefined) change.old = o;
    if (n !== undefined) change.new = n;
    changed.push(change);
  }
  return changed;
}

/** A module's version as `go version -m` shows it, with its replacement: `v1.2.0 => ../greet`. */
function versionText(m: GoModule): string {
  if (!m.replace) return m.version;
  const r = m.replace;
  return `${m.version} => ${r.path}${r.version && r.version !== '(devel)' ? ` ${r.version}` : ''}`;
}

function diffModules(oldDeps: GoModule[], newDeps: GoModule[]): ModuleChange[] {
  const before = new Map(oldDeps.map((m) => [m.path, m]));
  const after = new Map(newDeps.map((m) => [m.path, m]));
  const changes: ModuleChange[] = [];
  for (const [path, n] of after) {
    const o = before.get(path);
    if (!o) {
      changes.push({ path, change: 'added', newVersion: versionText(n) });
      continue;
    }
    const oldVersion = versionText(o);
    const newVersion = versionText(n);
    if (oldVersion === newVersion) continue;
    // The required version decides up or down; a different replacement alone is `replaced`.
    const order = compareVersions(o.version, n.version);
    const change = order < 0 ? 'upgraded' : order > 0 ? 'downgraded' : 'replaced';
    changes.push({ path, change, oldVersion, newVersion });
  }
  for (const [path, o] of before) {
    if (!after.has(path)) changes.push({ path, change: 'removed', oldVersion: versionText(o) });
  }
  const rank = { added: 0, upgraded: 1, downgraded: 2, replaced: 3, removed: 4 } as const;
  return changes.sort((a, b) => rank[a.change] - rank[b.change] || a.path.localeCompare(b.path));
}

/**
 * Semantic version order for Go module versions (vMAJOR.MINOR.PATCH[-pre][+build]); a release sorts
 * after its pre-releases, pseudo-versions order by their timestamp part. Non-semver strings: 0.
 */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => /^v(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(v);
  const pa = parse(a);
  const pb = parse(b);
  if (!pa || !pb) return 0;
  for (let i = 1; i <= 3; i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d !== 0) return Math.sign(d);
  }
  const preA = pa[4];
  const preB = pb[4];
  if (preA === preB) return 0;
  if (preA === undefined) return 1;
  if (preB === undefined) return -1;
  const ia = preA.split('.');
  const ib = preB.split('.');
  for (let i = 0; i < Math.max(ia.length, ib.length); i++) {
    const x = ia[i];
    const y = ib[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) return Math.sign(Number(x) - Number(y));
    if (nx !== ny) return nx ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** Per-name bytes on both sides, sorted by growth (largest increase first). */
function diffShares(oldRows: SizeShare[], newRows: SizeShare[]): SizeDelta[] {
  return joinByName(
    oldRows.map((r) => [r.name, r.bytes]),
    newRows.map((r) => [r.name, r.bytes]),
  );
}

/** Sections by bytes in the file; NOBITS sections (.bss) by their size in memory. */
function diffSections(oldSections: SectionSize[], newSections: SectionSize[]): SizeDelta[] {
  const bytes = (s: SectionSize): number => (s.fileSize > 0 || s.memSize === 0 ? s.fileSize : s.memSize);
  return joinByName(
    oldSections.map((s) => [s.name, bytes(s)]),
    newSections.map((s) => [s.name, bytes(s)]),
  );
}

function joinByName(oldRows: Array<[string, number]>, newRows: Array<[string, number]>): SizeDelta[] {
  const rows = new Map<string, SizeDelta>();
  for (const [name, bytes] of oldRows) {
    const row = rows.get(name) ?? { name, oldBytes: 0, newBytes: 0, delta: 0 };
    row.oldBytes += bytes;
    rows.set(name, row);
  }
  for (const [name, bytes] of newRows) {
    const row = rows.get(name) ?? { name, oldBytes: 0, newBytes: 0, delta: 0 };
    row.newBytes += bytes;
    rows.set(name, row);
  }
  const out = [...rows.values()];
  for (const r of out) r.delta = r.newBytes - r.oldBytes;
  return out.sort((a, b) => b.delta - a.delta || a.name.localeCompare(b.name));
}
