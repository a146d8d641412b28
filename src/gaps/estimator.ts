import { mergeIntervals } from '../util/intervals.js';
import type { Bounds, Destination, HourRow } from './model.js';
import { unionLength, wilson } from './stats.js';
import { HOUR, isoS, type Cmp, type GapRun, type HourState } from './run.js';

/**
 * The pure estimator: from the events compared, the hours' coverage and each event's delivery
 * status, the runs of missing events, how exact each is, and the estimates (with bounds) of what the
 * sampled parts of the window hold. No AWS calls, no clock.
 */

export type Status = (c: Cmp, d: Destination) => 'delivered' | 'missing' | 'n/a';

/** What the estimator reads of a run. */
export type RunView = Pick<GapRun, 'hours' | 'compared' | 'complete' | 'destinations' | 'startMs' | 'pendingAfter' | 'queryEnd' | 'hourIndex' | 'sorted'>;

export interface MissingRun {
  first: Cmp;
  last: Cmp;
  missing: Cmp[];
  prev?: Cmp;
  next?: Cmp;
}

export interface HourModel {
  h: HourState;
  cs: Cmp[];
  inScope: Cmp[];
  len: number;
  cov: number;
  nHat: number;
}

export const mergeSpans = (spans: [number, number][]): [number, number][] => mergeIntervals(spans);

/** Runs of consecutive missing events for a destination, each with its delivered neighbours. */
export function runs(run: RunView, status: Status, d: Destination): MissingRun[] {
  const out: MissingRun[] = [];
  let prev: Cmp | undefined;
  let cur: MissingRun | undefined;
  for (const c of run.sorted()) {
    const s = status(c, d);
    if (s === 'n/a') continue;
    if (s === 'missing') {
      if (!cur) cur = { first: c, last: c, missing: [], prev };
      cur.last = c;
      cur.missing.push(c);
    } else {
      if (cur) {
        cur.next = c;
        out.push(cur);
        cur = undefined;
      }
      prev = c;
    }
  }
  if (cur) out.push(cur);
  return out;
}

/** Was all of [a, b] paged to the end? */
export function isExact(complete: [number, number][], a: number, b: number): boolean {
  const spans = mergeSpans(complete);
  return spans.some(([x, y]) => x <= a && b <= y) || (a === b && spans.some(([x, y]) => x <= a && a <= y));
}

/** In-scope events per second, from the hours compared. */
export function rate(run: RunView): number {
  const ts = run.sorted().map((c) => c.t);
  let n = 0;
  let ms = 0;
  for (const h of run.hours) {
    const cov = unionLength(h.covered);
    if (!cov) continue;
    ms += cov;
    for (const t of ts) if (t >= h.start && t < h.end) n++;
  }
  return ms ? (n * 1000) / ms : 0;
}

/** Per hour: its effective length (up to the delivery delay), compared events, and estimated events. */
export function hourModel(run: RunView): HourModel[] {
  const byHour = new Map<number, Cmp[]>();
  for (const c of run.compared.values()) {
    const i = run.hourIndex(c.t);
    if (i < 0 || i >= run.hours.length) continue;
    (byHour.get(i) ?? byHour.set(i, []).get(i)!).push(c);
  }
  // Rates per stratum (the UTC day the hour was first probed with): an unprobed hour of a busy day
  // is estimated from its own day's probed hours, never diluted by the quiet days around it.
  const rates = new Map<number, { n: number; ms: number }>();
  const add = (key: number, n: number, ms: number) => {
    const x = rates.get(key) ?? rates.set(key, { n: 0, ms: 0 }).get(key)!;
    x.n += n;
    x.ms += ms;
  };
  const base = run.hours.map((h, i) => {
    const cs = byHour.get(i) ?? [];
    const inScope = cs.filter((c) => c.scope === 'in');
    const effEnd = Math.min(h.end, run.pendingAfter);
    const len = Math.max(0, effEnd - h.start);
    const cov = Math.min(len, unionLength(h.covered.map(([a, b]) => [a, Math.min(b, effEnd)] as [number, number])));
    if (h.coverage !== 'none' && cov > 0) {
      add(-1, inScope.length, cov);
      if (h.stratum !== undefined) add(h.stratum, inScope.length, cov);
    }
    return { h, cs, inScope, len, cov };
  });
  const rateOf = (h: HourState) => {
    const x = (h.stratum !== undefined ? rates.get(h.stratum) : undefined) ?? rates.get(-1);
    return x && x.ms ? x.n / x.ms : 0;
  };
  return base.map((x) => ({
    ...x,
    nHat: x.h.coverage === 'full' ? x.inScope.length : x.h.coverage === 'sample' && x.cov > 0 ? Math.max(x.inScope.length, (x.inScope.length * x.len) / x.cov) : rateOf(x.h) * x.len,
  }));
}

/** Estimated in-scope events in [a, b], and the relative error of that rate (95%). */
export function expected(model: HourModel[], a: number, b: number): { n: number; err: number } {
  let n = 0;
  let seen = 0;
  for (const m of model) {
    if (m.len <= 0) continue;
    const lo = Math.max(a, m.h.start);
    const hi = Math.min(b, m.h.start + m.len);
    if (hi <= lo) continue;
    n += (m.nHat * (hi - lo)) / m.len;
    seen += m.inScope.length;
  }
  return { n, err: seen ? 1.96 / Math.sqrt(seen) : 1 };
}

/** A gap's size: exact when paged in full; else between the span of its observed missing events and the span between its delivered neighbours. */
export function gapEstimate(run: RunView, model: HourModel[], r: MissingRun): Bounds & { exact: boolean } {
  const m = r.missing.length;
  const a = r.prev?.t ?? run.startMs;
  const b = r.next?.t ?? Math.min(run.queryEnd, run.pendingAfter);
  if (isExact(run.complete, r.prev?.t ?? r.first.t, r.next?.t ?? r.last.t)) return { value: m, low: m, high: m, exact: true };
  const inner = expected(model, r.first.t, r.last.t);
  const outer = expected(model, a, b);
  const low = Math.max(m, Math.floor(inner.n * (1 - inner.err)));
  const high = Math.max(m, Math.ceil(outer.n * (1 + outer.err)));
  const value = Math.min(high, Math.max(low, Math.round((inner.n + outer.n) / 2)));
  return { value, low, high, exact: false };
}

/** The hourly table and the per-destination bounds on what is missing, sampled parts included. */
export function hourRows(run: RunView, status: Status, model: HourModel[], s3Hourly: Map<number, number>): { rows: HourRow[]; est: Map<Destination, Bounds>; recordedEst: number } {
  const rows: HourRow[] = [];
  const est = new Map<Destination, Bounds>(run.destinations.map((d) => [d, { value: 0, low: 0, high: 0 }]));
  let recordedEst = 0;
  // gap runs carry their own estimate; the rest of the window adds only what sampling could have missed
  const spans = new Map<Destination, [number, number][]>();
  for (const d of run.destinations) {
    const e = est.get(d)!;
    const list: [number, number][] = [];
    for (const r of runs(run, status, d)) {
      const g = gapEstimate(run, model, r);
      e.value += g.value;
      e.low += g.low;
      e.high += g.high;
      list.push([r.prev?.t ?? run.startMs, r.next?.t ?? Math.min(run.queryEnd, run.pendingAfter)]);
    }
    spans.set(d, mergeSpans(list));
  }
  for (const { h, cs, inScope, len, nHat } of model) {
    const row: HourRow = {
      hour: isoS(h.start - (h.start % HOUR)),
      recorded: inScope.length,
      delivered: {},
      missing: {},
      excluded: cs.filter((c) => c.scope === 'excluded' || c.scope === 'unknown').length,
      pending: cs.filter((c) => c.scope === 'pending').length,
      coverage: h.coverage,
    };
    const recs = s3Hourly.get(h.start - (h.start % HOUR));
    if (recs !== undefined) row.s3Records = recs;
    if (len > 0) recordedEst += nHat;
    for (const d of run.destinations) {
      const judged = inScope.filter((c) => status(c, d) !== 'n/a');
      const m = judged.filter((c) => status(c, d) === 'missing').length;
      row.delivered[d] = judged.length - m;
      row.missing[d] = m;
      if (len <= 0 || h.coverage === 'full') continue;
      // the part of the hour outside every gap span
      const end = h.start + len;
      const inGaps = unionLength(spans.get(d)!.map(([a, b]) => [Math.max(a, h.start), Math.min(b, end)] as [number, number]));
      const outside = Math.max(0, len - inGaps) / len;
      if (outside <= 0) continue;
      const e = est.get(d)!;
      if (h.coverage === 'sample') {
        const n = judged.filter((c) => !spans.get(d)!.some(([a, b]) => c.t >= a && c.t <= b)).length;
        e.high += wilson(0, n)[1] * nHat * outside;
      } else {
        e.high += nHat * outside;
      }
    }
    rows.push(row);
  }
  for (const e of est.values()) {
    e.value = Math.round(e.value);
    e.low = Math.floor(e.low);
    e.high = Math.ceil(e.high);
  }
  return { rows, est, recordedEst: Math.round(recordedEst) };
}
