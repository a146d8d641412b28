import { afterEach, describe, expect, it } from 'vitest';
import { gzipSync, gunzipSync } from 'node:zlib';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gapReportSchema } from '../../src/evidence/gaps-schema.js';
import { measureGaps, gapsExitCode, GapsInputError, type GapReport } from '../../src/gaps/index.js';
import { gzipJsonLinesFile } from '../../src/cli/export-file.js';
import { BUCKET, LOG_GROUP, TRAIL, change, deliver, fakeAws, logKey, record, routine, type Fake, type Rec } from './fixtures.js';

const H = 3_600_000;
const T0 = Date.parse('2026-11-20T00:00:00Z');
const start = new Date(T0);
const end = new Date(T0 + 12 * H);
const now = new Date(T0 + 13 * H);

let fake: Fake | undefined;
afterEach(() => {
  fake?.restore();
  fake = undefined;
});

async function run(acct: Parameters<typeof fakeAws>[0], extra: Partial<Parameters<typeof measureGaps>[1]> = {}): Promise<GapReport> {
  fake = fakeAws(acct);
  const r = await measureGaps(fake.clients, { trail: TRAIL, region: 'eu-west-1', start, end, now, ...extra });
  expect(gapReportSchema.safeParse(r).success).toBe(true);
  return r;
}

const bucketPolicy = (t: number) => change(t, 's3.amazonaws.com', 'PutBucketPolicy', { bucketName: BUCKET, bucketPolicy: { Version: '2012-10-17' } });

/** 12 h of history, 20 events an hour; a PutBucketPolicy at 03:00 breaks S3 delivery, a second at 06:00 mends it. */
function brokenBucketScenario() {
  const base = routine(T0, T0 + 12 * H, 20);
  const breaker = bucketPolicy(T0 + 3 * H - 60_000);
  const unrelated = change(T0 + 3 * H - 30_000, 'cloudtrail.amazonaws.com', 'UpdateTrail', { name: 'other-trail' });
  const failed = change(T0 + 3 * H - 20_000, 'cloudtrail.amazonaws.com', 'StopLogging', { name: TRAIL }, { errorCode: 'AccessDenied' });
  const healer = bucketPolicy(T0 + 6 * H + 1_000);
  const history = [...base, breaker, unrelated, failed, healer].sort((a, b) => a.eventTime.localeCompare(b.eventTime));
  const broken = (r: Rec) => Date.parse(r.eventTime) >= T0 + 3 * H && Date.parse(r.eventTime) < T0 + 6 * H;
  const delivered = history.filter((r) => !broken(r));
  return { history, delivered, missing: history.filter(broken) };
}

describe('measureGaps against generated histories (fake clients)', () => {
  it('no gap: every recorded event was delivered; quiet hours are counted exactly with one call each', async () => {
    const history = routine(T0, T0 + 12 * H, 20);
    const r = await run({ history, files: deliver(history) });
    expect(r.totals).toEqual({ recorded: 240, delivered: 240, missing: 0, sampled: false });
    expect(r.gaps).toEqual([]);
    expect(gapsExitCode(r)).toBe(0);
    // one page for the day first: its newest 50 events cover the last 2.5 hours exactly; then one per earlier hour
    expect(r.stats!.lookupEventsCalls).toBe(11);
    expect(r.hourly).toHaveLength(12);
    expect(r.hourly!.every((h) => h.coverage === 'full' && h.missing.s3 === 0)).toBe(true);
  });

  it('a 3-hour gap caused by a bucket-policy change and healed by a second one: trigger and closedBy', async () => {
    const s = brokenBucketScenario();
    const r = await run({ history: s.history, files: deliver(s.delivered) });
    expect(r.totals.missing).toBe(s.missing.length);
    expect(r.totals.sampled).toBe(false);
    expect(r.gaps).toHaveLength(1);
    const g = r.gaps[0]!;
    expect(g.destination).toBe('s3');
    expect(g.eventsMissing).toBe(s.missing.length);
    expect(Date.parse(g.start)).toBeGreaterThanOrEqual(T0 + 3 * H);
    expect(Date.parse(g.start)).toBeLessThan(T0 + 3 * H + 4 * 60_000);
    expect(Date.parse(g.end)).toBeLessThan(T0 + 6 * H);
    expect(g.trigger).toMatchObject({ eventName: 'PutBucketPolicy', eventTime: '2026-11-20T02:59:00Z', actor: expect.stringContaining('user/bob'), sourceIPAddress: '203.0.113.9' });
    expect(g.closedBy).toMatchObject({ eventName: 'PutBucketPolicy', eventTime: '2026-11-20T06:00:01Z' });
    // the failed StopLogging changed nothing; the other trail's UpdateTrail ranks below the bucket change
    expect(JSON.stringify(g.candidates ?? [])).not.toContain('StopLogging');
    expect(gapsExitCode(r)).toBe(1);
  });

  it('finds the same gap when the window must be sampled, and says so with bounds', async () => {
    const base = routine(T0, T0 + 12 * H, 400);
    const history = [...base, bucketPolicy(T0 + 3 * H - 60_000), bucketPolicy(T0 + 6 * H + 1_000)];
    const broken = (x: Rec) => Date.parse(x.eventTime) >= T0 + 3 * H && Date.parse(x.eventTime) < T0 + 6 * H;
    const r = await run({ history, files: deliver(history.filter((x) => !broken(x))) }, { maxLookupCalls: 60 });
    expect(r.totals.sampled).toBe(true);
    expect(r.sampling!.mode).toBe('hourly-probe');
    expect(r.sampling!.budget.used).toBeLessThanOrEqual(60);
    expect(r.gaps.filter((g) => g.destination === 's3')).toHaveLength(1);
    const g = r.gaps[0]!;
    expect(Math.abs(Date.parse(g.start) - (T0 + 3 * H))).toBeLessThan(5 * 60_000);
    expect(Math.abs(Date.parse(g.end) - (T0 + 6 * H))).toBeLessThan(5 * 60_000);
    expect(g.trigger?.eventName).toBe('PutBucketPolicy');
    const trueMissing = history.filter(broken).length;
    const est = r.sampling!.estimate.missing;
    expect(est.low).toBeLessThanOrEqual(trueMissing);
    expect(est.high).toBeGreaterThanOrEqual(trueMissing);
    expect(r.totals.missing).toBeLessThanOrEqual(trueMissing);
    expect(r.totals.missing).toBeGreaterThan(0);
  });

  it('a gap only in CloudWatch Logs', async () => {
    const history = routine(T0, T0 + 12 * H, 20);
    const cwl = history.filter((x) => Date.parse(x.eventTime) < T0 + 5 * H || Date.parse(x.eventTime) >= T0 + 7 * H);
    const r = await run({ history, files: deliver(history), cwl });
    expect(r.destinations).toEqual(['s3', 'cloudwatch-logs']);
    expect(r.gaps.map((g) => g.destination)).toEqual(['cloudwatch-logs']);
    expect(r.gaps[0]!.eventsMissing).toBe(40);
    expect(r.byDestination).toEqual({ s3: { delivered: 240, missing: 0 }, 'cloudwatch-logs': { delivered: 200, missing: 40 } });
  });

  it('an event over 256 KB missing only from CloudWatch Logs is the size limit, not a gap', async () => {
    const history = routine(T0, T0 + 12 * H, 20);
    const big = record(T0 + 2 * H + 123, { eventName: 'PutRolePolicy', eventSource: 'iam.amazonaws.com', readOnly: false, requestParameters: { policyDocument: 'x'.repeat(300 * 1024) } });
    history.push(big);
    const r = await run({ history, files: deliver(history), cwl: history.filter((x) => x !== big) });
    expect(r.gaps).toEqual([]);
    expect(r.totals.missing).toBe(0);
    expect(r.tooLargeForCloudWatch).toEqual([expect.objectContaining({ eventId: big.eventID, eventName: 'PutRolePolicy' })]);
    expect(r.tooLargeForCloudWatch![0]!.sizeBytes).toBeGreaterThan(256 * 1024);
  });

  it('events the selectors exclude are not missing', async () => {
    const history = routine(T0, T0 + 12 * H, 21);
    const writes = history.filter((x) => x.readOnly === false);
    const r = await run({ history, files: deliver(writes), selectors: { EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }] } });
    expect(r.totals.missing).toBe(0);
    expect(r.totals.recorded).toBe(writes.length);
    expect(r.excluded).toBe(history.length - writes.length);
    expect(r.gaps).toEqual([]);
  });

  it('advanced selectors: an excluded event source is not missing', async () => {
    const history = routine(T0, T0 + 12 * H, 10);
    const kms = [record(T0 + 1 * H, { eventSource: 'kms.amazonaws.com', eventName: 'Decrypt' }), record(T0 + 2 * H, { eventSource: 'kms.amazonaws.com', eventName: 'Decrypt' })];
    const r = await run({
      history: [...history, ...kms],
      files: deliver(history),
      selectors: { AdvancedEventSelectors: [{ Name: 'mgmt', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventSource', NotEquals: ['kms.amazonaws.com'] }] }] },
    });
    expect(r.totals.missing).toBe(0);
    expect(r.excluded).toBe(2);
  });

  it('a quiet region with no files and no recorded events is not a gap', async () => {
    const r = await run({ history: [], files: [] });
    expect(r.totals).toEqual({ recorded: 0, delivered: 0, missing: 0, sampled: false });
    expect(r.gaps).toEqual([]);
    expect(gapsExitCode(r)).toBe(0);
  });

  it('events newer than the delivery delay are pending, not missing', async () => {
    const history = routine(T0, T0 + 12 * H, 20);
    const old = history.filter((x) => Date.parse(x.eventTime) < T0 + 12 * H - 15 * 60_000);
    const r = await run({ history, files: deliver(old) }, { now: end });
    expect(r.totals.missing).toBe(0);
    expect(r.pending).toBe(history.length - old.length);
    expect(r.pending).toBeGreaterThan(0);
    expect(r.gaps).toEqual([]);
  });

  it('a truncated and a corrupt log file are reported, not fatal', async () => {
    const history = routine(T0, T0 + 12 * H, 20);
    const files = deliver(history);
    const good = files[3]!.body;
    files.push({ key: logKey(T0 + 3 * H + 60_000, 900001), body: good.subarray(0, Math.floor(good.length / 2)) });
    files.push({ key: logKey(T0 + 3 * H + 120_000, 900002), body: Buffer.from('not gzip at all') });
    files.push({ key: logKey(T0 + 3 * H + 180_000, 900003), body: gzipSync('{"Records":[{"eventID":"x"') });
    const r = await run({ history, files });
    expect(r.totals.missing).toBe(0);
    expect(r.skippedFiles).toHaveLength(3);
    expect(r.skippedFiles!.map((f) => f.reason).join('\n')).toMatch(/truncated/);
    expect(r.skippedFiles!.map((f) => f.reason).join('\n')).toMatch(/corrupt gzip|incorrect header/);
  });

  it('a file over the size cap is skipped and reported, never read', async () => {
    const history = routine(T0, T0 + 2 * H, 20);
    const files = deliver(history);
    const r = await run({ history, files }, { end: new Date(T0 + 2 * H), maxFileBytes: 10 });
    expect(r.skippedFiles!.length).toBe(files.length);
    expect(r.skippedFiles![0]!.reason).toMatch(/cap/);
    expect(r.stats!.filesRead).toBe(0);
  });

  it('a throttled LookupEvents is retried and the result is complete', async () => {
    const history = routine(T0, T0 + 12 * H, 20);
    const r = await run({ history, files: deliver(history), throttleCalls: [1, 2, 5] });
    expect(r.totals.recorded).toBe(240);
    expect(r.totals.missing).toBe(0);
    expect(r.stats!.lookupEventsThrottled).toBe(3);
  });

  it('a throttled call answered after its neighbours is still retried to completion (pages are counted per query)', async () => {
    const history = routine(T0, T0 + 12 * H, 20);
    const r = await run({ history, files: deliver(history), throttleCalls: [1, 2, 5], throttleDelayMs: 50 });
    expect(r.totals.recorded).toBe(240);
    expect(r.totals.missing).toBe(0);
    expect(r.stats!.lookupEventsThrottled).toBe(3);
  });

  it('no event history access: could not check (exit 3)', async () => {
    const r = await run({ history: [], files: [], lookupDenied: true });
    expect(r.status).toBe('could-not-check');
    expect(r.needs).toBe('cloudtrail:LookupEvents');
    expect(gapsExitCode(r)).toBe(3);
  });

  it('log files that cannot be listed prove nothing missing: could not check (exit 3)', async () => {
    const history = routine(T0, T0 + 12 * H, 20);
    const r = await run({ history, files: deliver(history), s3ListError: 'AccessDenied' });
    expect(r.status).toBe('could-not-check');
    expect(r.needs).toBe('s3:ListBucket');
    expect(gapsExitCode(r)).toBe(3);
  });

  it('a deleted bucket delivered nothing: every recorded event is missing', async () => {
    const history = routine(T0, T0 + 12 * H, 20);
    const r = await run({ history, files: [], s3ListError: 'NoSuchBucket' });
    expect(r.status).toBe('ok');
    expect(r.totals.missing).toBe(240);
    expect(r.notes!.join(' ')).toMatch(/does not exist/);
  });

  it('export round-trips as valid CloudTrail records from event history', async () => {
    const s = brokenBucketScenario();
    const dir = mkdtempSync(join(tmpdir(), 'gaps-export-'));
    const path = join(dir, 'missing.jsonl.gz');
    const r = await run({ history: s.history, files: deliver(s.delivered) }, { exportMissing: gzipJsonLinesFile(path) });
    expect(r.exported).toMatchObject({ path, events: s.missing.length, complete: true, source: 'event-history' });
    expect(r.exported!.note).toMatch(/event history/);
    const lines = gunzipSync(readFileSync(path)).toString('utf8').trim().split('\n');
    const recs = lines.map((l) => JSON.parse(l) as Rec);
    expect(recs.map((x) => x.eventID).sort()).toEqual(s.missing.map((x) => x.eventID).sort());
    for (const x of recs) {
      for (const f of ['eventVersion', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'eventID', 'userIdentity', 'recipientAccountId']) expect(x).toHaveProperty(f);
      expect(x).toEqual(s.missing.find((m) => m.eventID === x.eventID));
    }
  });

  it('a trail that does not exist is bad input', async () => {
    fake = fakeAws({ history: [], files: [] });
    const { CloudTrailClient, DescribeTrailsCommand, GetTrailCommand } = await import('@aws-sdk/client-cloudtrail');
    const { mockClient } = await import('aws-sdk-client-mock');
    const ct = mockClient(CloudTrailClient);
    ct.on(GetTrailCommand).rejects(Object.assign(new Error('Unknown trail'), { name: 'TrailNotFoundException' }));
    ct.on(DescribeTrailsCommand).resolves({ trailList: [] });
    await expect(measureGaps(fake.clients, { trail: 'nope', region: 'eu-west-1', start, end, now })).rejects.toBeInstanceOf(GapsInputError);
  });
});

void LOG_GROUP;
