import { describe, expect, it } from 'vitest';
import { clipIntervals, covers, mergeIntervals, overlaps, subtractIntervals, totalLength, type Interval } from './intervals.js';

/** The unit cells [t, t+1) an interval list covers, for brute-force comparison on a small grid. */
const cells = (xs: readonly Interval[]) => {
  const s = new Set<number>();
  for (const [a, b] of xs) for (let t = a; t < b; t++) s.add(t);
  return [...s].sort((x, y) => x - y);
};

/** Deterministic pseudo-random interval lists (some overlapping, touching, empty or inverted). */
function* samples(n: number): Generator<Interval[]> {
  let seed = 7;
  const rnd = (m: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % m);
  for (let i = 0; i < n; i++) yield Array.from({ length: rnd(6) }, () => {
    const a = rnd(40);
    return [a, a + rnd(12) - 1] as Interval;
  });
}

describe('mergeIntervals', () => {
  it('joins overlapping and touching intervals, sorted, without modifying the input', () => {
    const xs: Interval[] = [[10, 20], [0, 5], [5, 8], [15, 30], [40, 41]];
    const copy = structuredClone(xs);
    expect(mergeIntervals(xs)).toEqual([[0, 8], [10, 30], [40, 41]]);
    expect(xs).toEqual(copy);
  });

  it('joinWithin joins intervals separated by at most that gap', () => {
    expect(mergeIntervals([[0, 1000], [2000, 3000], [4001, 5000]], { joinWithin: 1000 })).toEqual([[0, 3000], [4001, 5000]]);
  });

  it('keeps points, ignores inverted intervals', () => {
    expect(mergeIntervals([[5, 5], [9, 3], [1, 2]])).toEqual([[1, 2], [5, 5]]);
    expect(mergeIntervals([])).toEqual([]);
  });

  it('covers exactly the cells of its input, disjointly', () => {
    for (const xs of samples(300)) {
      const m = mergeIntervals(xs);
      expect(cells(m)).toEqual(cells(xs));
      for (let i = 1; i < m.length; i++) expect(m[i]![0]).toBeGreaterThan(m[i - 1]![1]);
    }
  });
});

describe('totalLength', () => {
  it('counts overlaps once', () => {
    expect(totalLength([[0, 10], [5, 15], [20, 25]])).toBe(20);
    expect(totalLength([[3, 3], [8, 2]])).toBe(0);
  });

  it('equals the number of covered cells', () => {
    for (const xs of samples(300)) expect(totalLength(xs)).toBe(cells(xs).length);
  });
});

describe('clipIntervals', () => {
  it('cuts to the window and drops what falls outside', () => {
    expect(clipIntervals([[0, 10], [20, 30], [50, 60], [35, 35]], [5, 25])).toEqual([[5, 10], [20, 25]]);
  });

  it('keeps exactly the cells inside the window', () => {
    for (const xs of samples(200)) expect(cells(clipIntervals(xs, [10, 30]))).toEqual(cells(xs).filter((t) => t >= 10 && t < 30));
  });
});

describe('subtractIntervals', () => {
  it('removes what the other list covers', () => {
    expect(subtractIntervals([[0, 100]], [[10, 20], [15, 30], [90, 120]])).toEqual([[0, 10], [30, 90]]);
    expect(subtractIntervals([[0, 10]], [[0, 10]])).toEqual([]);
    expect(subtractIntervals([[0, 10], [20, 30]], [])).toEqual([[0, 10], [20, 30]]);
  });

  it('keeps exactly the cells of the first list not in the second', () => {
    const lists = [...samples(200)];
    for (let i = 0; i + 1 < lists.length; i += 2) {
      const keep = new Set(cells(lists[i + 1]!));
      expect(cells(subtractIntervals(lists[i]!, lists[i + 1]!))).toEqual(cells(lists[i]!).filter((t) => !keep.has(t)));
    }
  });
});

describe('overlaps / covers', () => {
  it('overlap needs shared length; touching ends do not overlap', () => {
    expect(overlaps([0, 10], [5, 15])).toBe(true);
    expect(overlaps([0, 10], [10, 20])).toBe(false);
    expect(overlaps([0, 10], [2, 3])).toBe(true);
  });

  it('covers: one interval contains the whole range', () => {
    expect(covers([[0, 10], [10, 20]], [5, 15])).toBe(false);
    expect(covers([[0, 20]], [5, 15])).toBe(true);
    expect(covers([], [1, 1])).toBe(false);
  });
});
