/**
 * Squarified treemap layout (Bruls, Huizing, van Wijk 2000): rows of rectangles whose aspect ratios
 * stay close to 1, so that small packages remain visible and comparable. Pure geometry, no markup.
 */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface TreemapCell<T> extends Rect {
  item: T;
}

interface Sized<T> {
  item: T;
  area: number;
}

/** Lay out `items` in `bounds`, each with an area proportional to `weight(item)`; zero weights are left out. */
export function squarify<T>(
  items: readonly T[],
  weight: (item: T) => number,
  bounds: Rect,
): TreemapCell<T>[] {
  const positive = items.filter((item) => weight(item) > 0);
  const total = positive.reduce((sum, item) => sum + weight(item), 0);
  if (total <= 0 || bounds.width <= 0 || bounds.height <= 0) return [];
  const scale = (bounds.width * bounds.height) / total;
  const queue: Sized<T>[] = positive
    .map((item) => ({ item, area: weight(item) * scale }))
    .sort((a, b) => b.area - a.area);

  const cells: TreemapCell<T>[] = [];
  let free: Rect = { ...bounds };
  let row: Sized<T>[] = [];
  for (const next of queue) {
    const side = Math.min(free.width, free.height);
    if (row.length === 0 || worstRatio([...row, next], side) <= worstRatio(row, side)) {
      row.push(next);
      continue;
    }
    free = placeRow(row, free, cells);
    row = [next];
  }
  if (row.length > 0) placeRow(row, free, cells);
  return cells;
}

/** The largest aspect ratio in a row laid along a side of length `side`. */
function worstRatio<T>(row: readonly Sized<T>[], side: number): number {
  const sum = row.reduce((s, r) => s + r.area, 0);
  let worst = 0;
  for (const { area } of row) {
    const ratio = Math.max((side * side * area) / (sum * sum), (sum * sum) / (side * side * area));
    worst = Math.max(worst, ratio);
  }
  return worst;
}

/** Place a row along the shorter side of `free`; returns what is left of `free`. */
function placeRow<T>(row: readonly Sized<T>[], free: Rect, cells: TreemapCell<T>[]): Rect {
  const sum = row.reduce((s, r) => s + r.area, 0);
  if (free.width >= free.height) {
    // A column on the left.
    const width = Math.min(free.width, sum / free.height);
    let y = free.y;
    for (const { item, area } of row) {
      const height = area / width;
      cells.push({ item, x: free.x, y, width, height });
      y += height;
    }
    return { x: free.x + width, y: free.y, width: free.width - width, height: free.height };
  }
  // A row along the top.
  const height = Math.min(free.height, sum / free.width);
  let x = free.x;
  for (const { item, area } of row) {
    const width = area / height;
    cells.push({ item, x, y: free.y, width, height });
    x += width;
  }
  return { x: free.x, y: free.y + height, width: free.width, height: free.height - height };
}
