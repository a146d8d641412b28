import { seededHash } from './idset.js';
import { HOUR, type Cmp, type GapRun, type HourState } from './run.js';

/** What the sampler learns of the window's hours from each LookupEvents page. */

export interface QueryResult {
  ok: boolean;
  events: Cmp[];
  truncated: boolean;
  nextToken?: string;
  oldest?: number;
}

/**
 * The window's hours grouped by UTC day, each day a stratum of the estimator (an hour nobody
 * probed is estimated from the probed hours of its own day, not from a quiet week's average).
 */
export function coarseSpans(hours: HourState[]): HourState[][] {
  const out: HourState[][] = [];
  let day: number | undefined;
  for (const h of hours) {
    const d = Math.floor(h.start / (24 * HOUR));
    if (d !== day) {
      out.push([]);
      day = d;
    }
    h.stratum = out.length - 1;
    out[out.length - 1]!.push(h);
  }
  return out;
}

/** At most `allowed` of `items`: every k-th, from a phase fixed by the seed (and a note saying so). */
export function strided<T>(items: T[], allowed: number, run: Pick<GapRun, 'seed' | 'notes'>, salt: string, note?: (k: number, phase: number) => string): T[] {
  if (items.length <= allowed) return items;
  const k = Math.ceil(items.length / Math.max(1, allowed));
  const phase = seededHash(salt, run.seed) % k;
  if (note) run.notes.push(note(k, phase));
  return items.filter((_, i) => (i + phase) % k === 0);
}

const full = (run: Pick<GapRun, 'complete'>, h: HourState) => {
  h.coverage = 'full';
  h.covered = [[h.start, h.end]];
  run.complete.push([h.start, h.end]);
};

/**
 * One page over a whole day: LookupEvents answers newest first, so every hour after the page's
 * oldest event is complete; the hour holding it is a sample; earlier hours are not probed yet.
 * Returns the hours still to probe.
 */
export function applyDayPage(run: Pick<GapRun, 'complete'>, day: HourState[], r: QueryResult): HourState[] {
  const rest: HourState[] = [];
  for (const h of day) {
    if (!r.truncated || (r.oldest !== undefined && h.start > r.oldest)) full(run, h);
    else {
      if (r.oldest !== undefined && r.oldest < h.end) {
        h.coverage = 'sample';
        h.covered.push([Math.max(h.start, r.oldest), h.end]);
      }
      rest.push(h);
    }
  }
  return rest;
}

/** One page over an hour: exact when it holds every event of the hour, else a sample of its newest. */
export function applyHourPage(run: Pick<GapRun, 'complete'>, h: HourState, r: QueryResult): void {
  if (!r.truncated) return full(run, h);
  h.coverage = 'sample';
  h.token = r.nextToken;
  h.covered.push([Math.max(h.start, r.oldest ?? h.start), h.end]);
}
