import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Rect, squarify } from '../../../src/report/html/treemap.js';

const BOUNDS: Rect = { x: 10, y: 20, width: 1100, height: 440 };
const EPSILON = 1e-6;

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

describe('squarify', () => {
  it('gives every positive weight an area proportional to it, inside the bounds, without overlap', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5_000_000 }), { minLength: 1, maxLength: 80 }),
        (weights) => {
          const cells = squarify(weights, (w) => w, BOUNDS);
          const positive = weights.filter((w) => w > 0);
          expect(cells).toHaveLength(positive.length);
          const total = positive.reduce((s, w) => s + w, 0);
          const scale = (BOUNDS.width * BOUNDS.height) / (total || 1);
          for (const cell of cells) {
            expect(Math.abs(cell.width * cell.height - cell.item * scale)).toBeLessThan(
              1e-6 * BOUNDS.width * BOUNDS.height,
            );
            expect(cell.x).toBeGreaterThanOrEqual(BOUNDS.x - EPSILON);
            expect(cell.y).toBeGreaterThanOrEqual(BOUNDS.y - EPSILON);
            expect(cell.x + cell.width).toBeLessThanOrEqual(BOUNDS.x + BOUNDS.width + 1e-6);
            expect(cell.y + cell.height).toBeLessThanOrEqual(BOUNDS.y + BOUNDS.height + 1e-6);
          }
          for (let i = 0; i < cells.length; i++) {
            for (let j = i + 1; j < cells.length; j++) {
              expect(overlap(cells[i]!, cells[j]!)).toBeLessThan(1e-3);
            }
          }
        },
      ),
    );
  });

  it('keeps cells close to square (the point of the algorithm) for a typical package list', () => {
    // A long tail like a real binary: a few big packages, many small ones.
    const weights = Array.from({ length: 60 }, (_, i) => Math.round(500_000 / (i + 1)));
    const cells = squarify(weights, (w) => w, BOUNDS);
    const ratios = cells.map((c) => Math.max(c.width / c.height, c.height / c.width));
    const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)]!;
    expect(median).toBeLessThan(2);
    // A slice-and-dice layout would make the small cells thin slivers.
    expect(Math.max(...ratios)).toBeLessThan(8);
  });

  it('returns nothing for an empty or all-zero list', () => {
    expect(squarify([], (w: number) => w, BOUNDS)).toEqual([]);
    expect(squarify([0, 0], (w) => w, BOUNDS)).toEqual([]);
  });
});
