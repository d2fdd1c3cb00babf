import { describe, expect, it } from 'vitest';
import { classifyLayers, isSignificant } from '../../src/delta/classify.js';
import type { LayerChange, LayerInput } from '../../src/delta/types.js';

/** `name:size[:instruction]` → a layer whose digest is derived from the name. */
function layers(spec: string): LayerInput[] {
  if (spec.trim() === '') return [];
  return spec.split(/\s+/).map((item) => {
    const [name, size, ...instruction] = item.split(':');
    const layer: LayerInput = { digest: `sha256:${name}`, size: Number(size) };
    if (instruction.length > 0) layer.createdBy = instruction.join(':').replaceAll('_', ' ');
    return layer;
  });
}

/** One compact line per change: `status old#->new#` plus delta and significance for changed. */
function describeChanges(changes: LayerChange[]): string[] {
  return changes.map((c) => {
    const o = c.old ? `${c.old.digest.slice(7)}${c.old.index}` : '-';
    const n = c.new ? `${c.new.digest.slice(7)}${c.new.index}` : '-';
    const extra = c.status === 'changed' ? ` ${c.delta}${c.significant ? ' significant' : ''}` : '';
    return `${c.status} ${o}>${n}${extra}`;
  });
}

/** Every input layer appears exactly once, and deltas are consistent with sizes. */
function expectComplete(oldL: LayerInput[], newL: LayerInput[], changes: LayerChange[]): void {
  const oldSeen = changes.flatMap((c) => (c.old ? [c.old.index] : [])).sort((a, b) => a - b);
  const newSeen = changes.flatMap((c) => (c.new ? [c.new.index] : [])).sort((a, b) => a - b);
  expect(oldSeen).toEqual(oldL.map((_, i) => i));
  expect(newSeen).toEqual(newL.map((_, i) => i));
  for (const c of changes) {
    expect(c.delta).toBe((c.new?.size ?? 0) - (c.old?.size ?? 0));
    if (c.old) expect(c.old.digest).toBe(oldL[c.old.index]!.digest);
    if (c.new) expect(c.new.digest).toBe(newL[c.new.index]!.digest);
    if (c.status === 'reused') expect(c.old!.digest).toBe(c.new!.digest);
    expect(c.significant !== undefined).toBe(c.status === 'changed');
  }
  const sum = changes.reduce((s, c) => s + c.delta, 0);
  const total = (l: LayerInput[]) => l.reduce((s, x) => s + x.size, 0);
  expect(sum).toBe(total(newL) - total(oldL));
}

const cases: Array<{ name: string; old: string; new: string; tolerance?: number; expected: string[] }> = [
  {
    name: 'identical images: every layer reused in place',
    old: 'a:100 b:200',
    new: 'a:100 b:200',
    expected: ['reused a0>a0', 'reused b1>b1'],
  },
  {
    name: 'both images empty',
    old: '',
    new: '',
    expected: [],
  },
  {
    name: 'old image empty: every layer new',
    old: '',
    new: 'a:100 b:200',
    expected: ['new ->a0', 'new ->b1'],
  },
  {
    name: 'new image empty: every layer removed',
    old: 'a:100 b:200',
    new: '',
    expected: ['removed a0>-', 'removed b1>-'],
  },
  {
    name: 'top layer replaced (no history): changed by order',
    old: 'a:100 b:1000',
    new: 'a:100 c:2400',
    expected: ['reused a0>a0', 'changed b1>c1 1400 significant'],
  },
  {
    name: 'reused layer at another position is reused, not new/removed',
    old: 'a:100 b:200 c:300',
    new: 'c:300 a:100 b:200',
    expected: ['reused c2>c0', 'reused a0>a1', 'reused b1>b2'],
  },
  {
    name: 'moved reused layer is left out of the hunk pairing',
    old: 'a:100 x:50 b:200 d:5 c:300',
    new: 'a:100 c:300 y:60 b:200 d:5',
    // LCS a,b,d; c moved into the hunk between a and b; x pairs with y.
    expected: [
      'reused a0>a0',
      'reused c4>c1',
      'changed x1>y2 10 significant',
      'reused b2>b3',
      'reused d3>d4',
    ],
  },
  {
    name: 'duplicate digests: matched as a multiset',
    old: 'e:32 a:100 e:32',
    new: 'e:32 e:32 e:32 a:100',
    // LCS picks e0,e1? -> e,a? The multiset: 2 e reused, 1 e new, a reused.
    expected: ['reused e0>e0', 'reused e2>e1', 'new ->e2', 'reused a1>a3'],
  },
  {
    name: 'duplicate digest appearing once fewer in the new image',
    old: 'e:32 e:32 a:100',
    new: 'e:32 a:100',
    expected: ['reused e0>e0', 'removed e1>-', 'reused a2>a1'],
  },
  {
    name: 'replace hunk paired by history instruction before order',
    old: 'base:10 p:100:RUN_apt q:200:COPY_app_/app',
    new: 'base:10 r:210:COPY_app_/app s:120:RUN_apt',
    expected: ['reused base0>base0', 'changed q2>r1 10', 'changed p1>s2 20 significant'],
  },
  {
    name: 'unmatched instructions fall back to order; extra old layers removed',
    old: 'base:10 p:100:RUN_a q:200:RUN_b z:300:RUN_c',
    new: 'base:10 r:105:RUN_x s:180:RUN_c',
    // RUN c pairs z with s; then p pairs with r by order; q is removed.
    expected: ['reused base0>base0', 'changed p1>r1 5', 'changed z3>s2 -120 significant', 'removed q2>-'],
  },
  {
    name: 'without history, pairing is by order; extra new layers are new',
    old: 'base:10 p:100',
    new: 'base:10 r:100 s:50 t:70',
    expected: ['reused base0>base0', 'changed p1>r1 0', 'new ->s2', 'new ->t3'],
  },
  {
    name: 'different counts across several hunks; removed layers stay between their anchors',
    old: 'a:1 p:10 b:2 q:20 r:30 c:3',
    new: 'a:1 b:2 s:25 c:3 t:40',
    expected: [
      'reused a0>a0',
      'removed p1>-',
      'reused b2>b1',
      'changed q3>s2 5 significant',
      'removed r4>-',
      'reused c5>c3',
      'new ->t4',
    ],
  },
  {
    name: 'change of exactly 5% is not significant',
    old: 'a:1000',
    new: 'b:1050',
    expected: ['changed a0>b0 50'],
  },
  {
    name: 'change of exactly -5% is not significant',
    old: 'a:1000',
    new: 'b:950',
    expected: ['changed a0>b0 -50'],
  },
  {
    name: 'one byte over 5% is significant',
    old: 'a:1000',
    new: 'b:1051',
    expected: ['changed a0>b0 51 significant'],
  },
  {
    name: 'one byte over -5% is significant (shrunk)',
    old: 'a:1000',
    new: 'b:949',
    expected: ['changed a0>b0 -51 significant'],
  },
  {
    name: 'float-unfriendly sizes: exactly 7% of 100 with tolerance 0.07 is not significant',
    old: 'a:100',
    new: 'b:107',
    tolerance: 0.07,
    expected: ['changed a0>b0 7'],
  },
  {
    name: 'tolerance 0: any change is significant, an equal size is not',
    old: 'a:100 b:100',
    new: 'c:101 d:100',
    tolerance: 0,
    expected: ['changed a0>c0 1 significant', 'changed b1>d1 0'],
  },
  {
    name: 'changed layer from an empty (0-byte) layer is significant when it grows',
    old: 'a:0',
    new: 'b:10',
    expected: ['changed a0>b0 10 significant'],
  },
];

describe('classifyLayers (docs/design.md §3)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const oldL = layers(c.old);
      const newL = layers(c.new);
      const changes = classifyLayers(oldL, newL, { tolerance: c.tolerance ?? 0.05 });
      expect(describeChanges(changes)).toEqual(c.expected);
      expectComplete(oldL, newL, changes);
    });
  }

  it('carries created_by into both sides', () => {
    const [change] = classifyLayers(layers('a:10:RUN_x'), layers('b:12:RUN_x'), { tolerance: 0.05 });
    expect(change?.old?.createdBy).toBe('RUN x');
    expect(change?.new?.createdBy).toBe('RUN x');
  });

  it('stays complete and consistent on random inputs', () => {
    // Deterministic pseudo-random sequences drawn from a small alphabet (many duplicates and moves).
    let seed = 42;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let round = 0; round < 300; round++) {
      const make = () =>
        Array.from({ length: next() % 9 }, () => {
          const name = 'abcdef'[next() % 6]!;
          return { digest: `sha256:${name}`, size: name.charCodeAt(0) * 10, createdBy: `RUN ${next() % 3}` };
        });
      const oldL = make();
      const newL = make();
      const changes = classifyLayers(oldL, newL, { tolerance: 0.05 });
      expectComplete(oldL, newL, changes);
      // Reused count is the multiset intersection.
      const count = (l: LayerInput[], d: string) => l.filter((x) => x.digest === d).length;
      const digests = new Set([...oldL, ...newL].map((l) => l.digest));
      const expectedReused = [...digests].reduce((s, d) => s + Math.min(count(oldL, d), count(newL, d)), 0);
      expect(changes.filter((c) => c.status === 'reused')).toHaveLength(expectedReused);
    }
  });
});

describe('isSignificant', () => {
  it('is strict at the boundary and exact for large sizes', () => {
    expect(isSignificant(50, 1000, 0.05)).toBe(false);
    expect(isSignificant(51, 1000, 0.05)).toBe(true);
    expect(isSignificant(-50, 1000, 0.05)).toBe(false);
    // 5% of 9 PB: float arithmetic would be off by far more than one byte here.
    const old = 9_000_000_000_000_000;
    expect(isSignificant(450_000_000_000_000, old, 0.05)).toBe(false);
    expect(isSignificant(450_000_000_000_008, old, 0.05)).toBe(true);
  });
});
