import { afterEach, describe, expect, it } from 'vitest';
import { measureGaps, type GapReport } from '../../src/gaps/index.js';
import { gapReportSchema } from '../../src/evidence/gaps-schema.js';
import { deliver, fakeAws, routine, TRAIL, type Fake } from './fixtures.js';

/**
 * What the gap measurement spends: event history first, S3 only where event history put events,
 * nothing at all when event history cannot be read.
 */
const H = 3_600_000;
const T0 = Date.parse('2026-11-20T00:00:00Z');

let fake: Fake | undefined;
afterEach(() => {
  fake?.restore();
  fake = undefined;
});

async function run(acct: Parameters<typeof fakeAws>[0], extra: Partial<Parameters<typeof measureGaps>[1]> = {}, hours = 12): Promise<GapReport> {
  fake = fakeAws(acct);
  const r = await measureGaps(fake.clients, { trail: TRAIL, region: 'eu-west-1', start: new Date(T0), end: new Date(T0 + hours * H), now: new Date(T0 + (hours + 1) * H), ...extra });
  expect(gapReportSchema.safeParse(r).success).toBe(true);
  return r;
}

describe('the gap measurement spends in proportion to what it can learn', () => {
  it('event history answering 500: one LookupEvents call, no log file listed or read, and the report says why', async () => {
    const history = routine(T0, T0 + 12 * H, 20);
    const r = await run({ history, files: deliver(history), lookupServerError: true });
    expect(r.status).toBe('could-not-check');
    expect(r.reason).toMatch(/event history/);
    expect(fake!.lookupCalls()).toBe(1);
    expect(fake!.s3Calls()).toEqual({ list: 0, get: 0 });
    expect(r.stats!.filesRead).toBe(0);
    expect(r.notes!.join('\n')).toMatch(/no log file was read/);
  });

  it("the run guard's spent throttle budget is not retried", async () => {
    const history = routine(T0, T0 + 12 * H, 20);
    const r = await run({ history, files: deliver(history), lookupErrorFrom: { call: 1, name: 'ThrottleBudgetSpent' } });
    expect(r.status).toBe('could-not-check');
    expect(fake!.lookupCalls()).toBe(1);
    expect(fake!.s3Calls().get).toBe(0);
  });

  it('an open circuit mid-run stops every later LookupEvents call; the hours read are still compared', async () => {
    const history = routine(T0, T0 + 12 * H, 20);
    const r = await run({ history, files: deliver(history), lookupErrorFrom: { call: 4, name: 'ServiceCircuitOpen' } });
    expect(r.status).toBe('ok');
    // two probes run side by side: at most one more call lands after the refusal
    expect(fake!.lookupCalls()).toBeLessThanOrEqual(5);
    expect(r.stats!.historyStoppedBy).toBe('ServiceCircuitOpen');
    expect(r.totals.missing).toBe(0);
    expect(r.totals.recorded).toBeGreaterThanOrEqual(3 * 20);
    // only the files of the hours compared (and the next minutes) are read, not the 12 hours'
    expect(r.stats!.filesRead).toBeLessThan(deliver(history).length / 2);
  });

  it('a sampled window reads only the log files of the probed hours, never the whole window', async () => {
    const history = routine(T0, T0 + 48 * H, 20);
    const files = deliver(history);
    const r = await run({ history, files }, { maxLookupCalls: 10 }, 48);
    expect(r.sampling?.hoursUnsampled).toBeGreaterThan(0);
    expect(r.totals.missing).toBe(0);
    const probed = r.sampling!.hoursFull + r.sampling!.hoursSampled;
    // 12 files an hour; a probed hour's events reach into the next 15 minutes' files
    expect(r.stats!.filesRead).toBeLessThanOrEqual(probed * 16);
    expect(r.stats!.filesRead).toBeLessThan(files.length / 2);
    expect(fake!.s3Calls().get).toBe(r.stats!.filesRead);
  });

  it('a spent S3 budget leaves events unjudged, never counted missing, and says so', async () => {
    const history = routine(T0, T0 + 12 * H, 20);
    const r = await run({ history, files: deliver(history) }, { s3Budget: { maxFiles: 3, maxBytes: 1e9 } });
    expect(fake!.s3Calls().get).toBe(3);
    expect(r.totals.missing).toBe(0);
    expect(r.gaps).toEqual([]);
    expect(r.stats!.budget).toMatchObject({ s3Files: 3, s3Spent: true });
    expect(r.notes!.join('\n')).toMatch(/S3 read budget was spent/);
  });

  it('an event not in the files of its first minutes is looked for up to the late-delivery margin before it counts missing', async () => {
    const history = routine(T0, T0 + 6 * H, 10);
    // delivered 40 minutes late: past the first look, within the 1 h margin
    const r = await run({ history, files: deliver(history, 5, 40) }, {}, 6);
    expect(r.totals.missing).toBe(0);
    expect(r.totals.delivered).toBe(60);
  });
});
