import { afterEach, describe, expect, it } from 'vitest';
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { measureGaps, type GapReport } from './index.js';
import { gapReportSchema } from '../evidence/gaps-schema.js';
import { coarseSpans } from './coverage.js';
import { deliver, fakeAws, routine, TRAIL, type Fake } from '../../test/gaps/fixtures.js';
import type { HourState } from './run.js';

// The sampler's choices: a page per day first, hourly probes only in the days that had more than a
// page of events, and estimates of the unprobed hours from their own day.
const H = 3_600_000;
const T0 = Date.parse('2026-11-20T00:00:00Z');
const WEEK = 168;

let fake: Fake | undefined;
afterEach(() => {
  fake?.restore();
  fake = undefined;
});

async function run(acct: Parameters<typeof fakeAws>[0], hours: number, maxLookupCalls: number): Promise<GapReport> {
  fake = fakeAws(acct);
  const r = await measureGaps(fake.clients, { trail: TRAIL, region: 'eu-west-1', start: new Date(T0), end: new Date(T0 + hours * H), now: new Date(T0 + (hours + 1) * H), maxLookupCalls });
  expect(gapReportSchema.safeParse(r).success).toBe(true);
  return r;
}

/** The [start, end] of each LookupEvents call made without a lookup attribute (the comparison's). */
function queries(): { a: number; b: number }[] {
  return fake!.ct
    .commandCalls(LookupEventsCommand)
    .map((c) => c.args[0].input as { StartTime?: Date; EndTime?: Date; LookupAttributes?: unknown[] })
    .filter((i) => !i.LookupAttributes?.length)
    .map((i) => ({ a: i.StartTime!.getTime(), b: i.EndTime!.getTime() }));
}

describe('coarseSpans', () => {
  it('groups the hours by UTC day and marks each with its stratum', () => {
    const hours: HourState[] = Array.from({ length: 30 }, (_, i) => ({ start: T0 + (i + 20) * H, end: T0 + (i + 21) * H, coverage: 'none', covered: [] }));
    const days = coarseSpans(hours);
    expect(days.map((d) => d.length)).toEqual([4, 24, 2]);
    expect(hours.map((h) => h.stratum)).toEqual([...Array(4).fill(0), ...Array(24).fill(1), ...Array(2).fill(2)]);
  });
});

describe('event-history sampling skips the hours where the trail had no events', () => {
  it('a week with events only in its last 48 hours: one call per quiet day, hourly probes only in the busy days', async () => {
    const busyFrom = T0 + (WEEK - 48) * H;
    const history = routine(busyFrom, T0 + WEEK * H, 20);
    const files = deliver(history);
    const r = await run({ history, files }, WEEK, 60);
    const q = queries();
    const dayProbes = q.filter((x) => x.b - x.a > H);
    expect(dayProbes).toHaveLength(7);
    // every narrower probe is inside the busy days
    for (const x of q.filter((y) => y.b - y.a <= H)) expect(x.a).toBeGreaterThanOrEqual(busyFrom);
    // within the probe allowance (60% of the budget), far below one call per hour
    expect(r.stats!.lookupEventsCalls).toBeLessThanOrEqual(36);
    // the quiet days are exact, at one call each
    const quiet = r.hourly!.filter((h) => Date.parse(h.hour) < busyFrom);
    expect(quiet).toHaveLength(WEEK - 48);
    expect(quiet.every((h) => h.coverage === 'full' && h.recorded === 0)).toBe(true);
    expect(r.totals.missing).toBe(0);
    expect(r.gaps).toEqual([]);
    // the unprobed busy hours are estimated from their own days' rate, not the week's: close to the truth
    expect(r.sampling!.hoursUnsampled).toBeGreaterThan(0);
    expect(r.sampling!.estimate.recorded).toBeGreaterThan(history.length * 0.85);
    expect(r.sampling!.estimate.recorded).toBeLessThan(history.length * 1.15);
    expect(r.sampling!.estimate.missing.value).toBe(0);
    expect(r.sampling!.estimate.missing.high).toBeGreaterThan(0);
    // only the log files of the compared hours are read, never the whole busy period
    expect(r.stats!.filesRead).toBeLessThan(files.length);
    expect(fake!.s3Calls().get).toBe(r.stats!.filesRead);
  });

  it('a quiet week costs one call a day and is exact', async () => {
    const r = await run({ history: [], files: [] }, WEEK, 60);
    expect(r.stats!.lookupEventsCalls).toBe(7);
    expect(r.totals).toMatchObject({ recorded: 0, missing: 0, sampled: false });
    expect(fake!.s3Calls().get).toBe(0);
  });

  it('a gap in a busy day is still found and bounded', async () => {
    const busyFrom = T0 + (WEEK - 48) * H;
    const history = routine(busyFrom, T0 + WEEK * H, 20);
    const broken = (t: number) => t >= T0 + (WEEK - 30) * H && t < T0 + (WEEK - 26) * H;
    const r = await run({ history, files: deliver(history.filter((x) => !broken(Date.parse(x.eventTime)))) }, WEEK, 60);
    expect(r.gaps.length).toBeGreaterThanOrEqual(1);
    expect(r.totals.missing).toBeGreaterThan(0);
    const g = r.gaps[0]!;
    expect(Date.parse(g.start)).toBeGreaterThanOrEqual(T0 + (WEEK - 30) * H);
    expect(Date.parse(g.end)).toBeLessThan(T0 + (WEEK - 26) * H);
    const est = g.estimatedMissing?.value ?? g.eventsMissing;
    expect(est).toBeGreaterThanOrEqual(40);
    expect(est).toBeLessThanOrEqual(120);
  });

  it('more days than probes: every k-th day, the others unprobed (never counted as quiet)', async () => {
    const history = routine(T0, T0 + 30 * 24 * H, 2);
    const r = await run({ history, files: deliver(history) }, 30 * 24, 20);
    expect(r.stats!.lookupEventsCalls).toBeLessThanOrEqual(20);
    expect(r.sampling!.hoursUnsampled).toBeGreaterThan(0);
    expect(r.notes!.join('\n')).toMatch(/every \dth day probed/);
    expect(r.totals.missing).toBe(0);
    // the unprobed days are estimated, so the bound on what could be missing is open
    expect(r.sampling!.estimate.missing.high).toBeGreaterThan(0);
  });

  it('in rounds: a healthy trail stops after the first round; a gap found in it buys the rest of the probes', async () => {
    const busyFrom = T0 + (WEEK - 48) * H;
    const history = routine(busyFrom, T0 + WEEK * H, 20);
    fake = fakeAws({ history, files: deliver(history) });
    const opts = { trail: TRAIL, region: 'eu-west-1', start: new Date(T0), end: new Date(T0 + WEEK * H), now: new Date(T0 + (WEEK + 1) * H), maxLookupCalls: 60, firstProbeHours: 12 };
    const healthy = await measureGaps(fake.clients, opts);
    expect(healthy.stats!.lookupEventsCalls).toBeLessThanOrEqual(7 + 12);
    expect(healthy.stats!.lookupEventsCalls).toBeGreaterThan(7 + 8);
    expect(healthy.totals.missing).toBe(0);
    expect(healthy.notes!.join('\n')).toMatch(/\d+ busy hours probed first .* found every compared event delivered/);
    // the unprobed busy hours stay open in the bound, never assumed delivered
    expect(healthy.sampling!.estimate.missing.high).toBeGreaterThan(0);
    fake.restore();

    const broken = (t: number) => t >= T0 + (WEEK - 30) * H && t < T0 + (WEEK - 25) * H;
    fake = fakeAws({ history, files: deliver(history.filter((x) => !broken(Date.parse(x.eventTime)))) });
    const r = await measureGaps(fake.clients, opts);
    expect(r.gaps.length).toBeGreaterThanOrEqual(1);
    expect(r.stats!.lookupEventsCalls).toBeGreaterThan(7 + 12);
    expect(r.notes!.join('\n')).not.toMatch(/probed first/);
  });
});
