/**
 * Time intervals in epoch milliseconds: `[start, end]` pairs, as gap windows, sampled slices of
 * event history, digest coverage and fetched log ranges are kept. One implementation of merging,
 * subtracting, clipping and measuring them.
 *
 * Conventions: an interval with `end < start` is meaningless and ignored everywhere; an empty one
 * (`end === start`) is a point, kept by merge (a point can still matter, e.g. a range to fetch) but of
 * length 0. Inputs are never modified; outputs are fresh arrays sorted by start.
 */
export type Interval = readonly [start: number, end: number];

export interface MergeOptions {
  /** Intervals whose gap is at most this many ms are joined (default 0: only overlapping or touching ones). */
  joinWithin?: number;
}

/** The union as disjoint intervals, sorted by start. */
export function mergeIntervals(xs: readonly Interval[], opts: MergeOptions = {}): [number, number][] {
  const within = opts.joinWithin ?? 0;
  const sorted = xs.filter(([a, b]) => b >= a).sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + within) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** Total length of the union (overlaps counted once). */
export function totalLength(xs: readonly Interval[]): number {
  return mergeIntervals(xs).reduce((n, [a, b]) => n + (b - a), 0);
}

/** Each interval cut to `[lo, hi]`; those left with no length inside it are dropped. */
export function clipIntervals(xs: readonly Interval[], [lo, hi]: Interval): [number, number][] {
  const out: [number, number][] = [];
  for (const [a, b] of xs) {
    const s = Math.max(a, lo);
    const e = Math.min(b, hi);
    if (e > s) out.push([s, e]);
  }
  return out.sort((x, y) => x[0] - y[0]);
}

/** What of `from` no interval of `remove` covers, as disjoint intervals of positive length. */
export function subtractIntervals(from: readonly Interval[], remove: readonly Interval[]): [number, number][] {
  const cuts = mergeIntervals(remove);
  const out: [number, number][] = [];
  for (const [a0, b] of mergeIntervals(from)) {
    let a = a0;
    for (const [c, d] of cuts) {
      if (d <= a) continue;
      if (c >= b) break;
      if (c > a) out.push([a, c]);
      a = Math.max(a, d);
      if (a >= b) break;
    }
    if (b > a) out.push([a, b]);
  }
  return out;
}

/** True when the two intervals share some length (touching ends do not count). */
export const overlaps = (x: Interval, y: Interval): boolean => x[0] < y[1] && y[0] < x[1];

/** True when one interval of `xs` contains all of `[a, b]`. */
export const covers = (xs: readonly Interval[], [a, b]: Interval): boolean => xs.some(([x, y]) => x <= a && b <= y);
