/**
 * What changed between two analyses of the same Go executable: size, Go version, build settings,
 * modules, per-package code and per-section bytes.
 */
import semver from 'semver';
import { joinSizes, sectionSizes } from './sizes.js';
import type { GoBinaryDiff, GoBinaryReport, GoModule, ModuleChange } from './types.js';

export function diffGoBinary(oldReport: GoBinaryReport, newReport: GoBinaryReport): GoBinaryDiff {
  return {
    delta: newReport.size - oldReport.size,
    goVersion: { old: oldReport.buildInfo.goVersion, new: newReport.buildInfo.goVersion },
    settingsChanged: diffSettings(oldReport.buildInfo.settings, newReport.buildInfo.settings),
    modules: diffModules(oldReport.buildInfo.deps, newReport.buildInfo.deps),
    packages: joinSizes(oldReport.packages, newReport.packages).filter((d) => d.delta !== 0),
    sections: joinSizes(sectionSizes(oldReport.sections), sectionSizes(newReport.sections)),
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
 * Go module version order (golang.org/x/mod/semver): build metadata such as `+incompatible` does not
 * count, a release sorts after its pre-releases, and pseudo-versions (`v0.0.0-20240101000000-abcdef123456`,
 * `v1.2.4-0.2024…`) are pre-releases ordered by their timestamp. Versions that are not semver, such as
 * `(devel)` of a local replacement, have no order: 0.
 */
export function compareVersions(a: string, b: string): number {
  // Go module versions always start with `v`; npm's semver would also take `1.2.3` and `=1.2.3`.
  const valid = (v: string) => (v.startsWith('v') ? semver.valid(v) : null);
  const [va, vb] = [valid(a), valid(b)];
  return va && vb ? semver.compare(va, vb) : 0;
}
