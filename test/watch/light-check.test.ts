import { describe, expect, it } from 'vitest';
import { keyBookmark, lightCheck, newCheckState, S3_CALLS_PER_CHECK, type LightCheckState } from '../../src/watch/light-check.js';
import type { TrailLayout } from '../../src/watch/source.js';
import { ACCOUNT, BUCKET, FakeAccount, logKey, REGION, sdkError, TRAIL_ARN } from './fake-account.js';

const layout: TrailLayout = { name: 'main', arn: TRAIL_ARN, homeRegion: REGION, account: ACCOUNT, bucket: BUCKET, logGroupName: 'aws-cloudtrail-logs-main', logFileValidation: false };
const MIN = 60_000;
const NOON = Date.UTC(2026, 10, 24, 12, 0, 0);

function check(fake: FakeAccount, state: LightCheckState, now: number, l: TrailLayout = layout) {
  return lightCheck({ clients: fake.clients(), layout: l, region: REGION, state, now });
}

/** A trail delivering every 5 minutes from `from` to `to` (key timestamps). */
function deliver(fake: FakeAccount, from: number, to: number, every = 5 * MIN) {
  for (let t = from; t <= to; t += every) fake.putKey(logKey(t, `u${String(t).slice(-8)}abcdefg`.slice(0, 16)));
}

describe('light check', () => {
  it('reads logging, the S3 age from the newest key name and the CloudWatch Logs age, in three calls', async () => {
    const fake = new FakeAccount();
    deliver(fake, NOON - 3 * 3_600_000, NOON - 4 * MIN);
    fake.streams = [{ logStreamName: `${ACCOUNT}_CloudTrail_${REGION}`, lastEventTimestamp: NOON - 2 * MIN, lastIngestionTime: NOON - 90_000 }];
    const r = await check(fake, newCheckState(), NOON);
    expect(r.logging).toBe(true);
    expect(r.ageSeconds.s3).toBe(300);
    expect(r.s3AgeSource).toBe('key');
    // The later of lastEventTimestamp and lastIngestionTime: both lag on AWS's side.
    expect(r.ageSeconds.cloudwatch_logs).toBe(90);
    expect(r.complete).toBe(true);
    expect(r.calls.length).toBe(3);
    // The first listing of the day starts an hour back, not at the day's first file.
    expect(fake.listings[0]!.StartAfter).toBe(keyBookmark(`AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/11/24/`, ACCOUNT, REGION, NOON - 3_600_000));
  });

  it('lists StartAfter the last key seen: a healthy trail costs one short listing, and the age follows new files', async () => {
    const fake = new FakeAccount();
    deliver(fake, NOON - 3_600_000, NOON - 5 * MIN);
    const state = newCheckState();
    await check(fake, state, NOON);
    const bookmark = state.lastKey.get(`AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/11/24/`);
    expect(bookmark).toBe(logKey(NOON - 5 * MIN, `u${String(NOON - 5 * MIN).slice(-8)}abcdefg`.slice(0, 16)));
    fake.putKey(logKey(NOON, 'NewFileAaaaaaaaa'));
    fake.listings = [];
    const r = await check(fake, state, NOON + MIN);
    expect(fake.listings).toEqual([{ Prefix: `AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/11/24/`, StartAfter: bookmark }]);
    expect(r.ageSeconds.s3).toBe(60);
    // Nothing new: the listing after the newest key is empty and the age grows from the remembered file.
    fake.listings = [];
    const r2 = await check(fake, state, NOON + 20 * MIN);
    expect(fake.listings[0]!.StartAfter).toBe(logKey(NOON, 'NewFileAaaaaaaaa'));
    expect(r2.ageSeconds.s3).toBe(20 * 60);
  });

  it('a trail that stops delivering: the age grows past any threshold while logging still says 1', async () => {
    const fake = new FakeAccount();
    deliver(fake, NOON - 2 * 3_600_000, NOON);
    const state = newCheckState();
    const ages: number[] = [];
    for (let m = 1; m <= 30; m++) ages.push((await check(fake, state, NOON + m * MIN)).ageSeconds.s3!);
    expect(ages[0]).toBe(60);
    expect(ages[29]).toBe(30 * 60);
    expect(ages.every((a, i) => i === 0 || a > ages[i - 1]!)).toBe(true);
  });

  it('a fresh start after an hour of silence lists the day from its first file (one more call), and finds the newest', async () => {
    const fake = new FakeAccount();
    deliver(fake, Date.UTC(2026, 10, 24, 2, 0), Date.UTC(2026, 10, 24, 9, 0));
    const r = await check(fake, newCheckState(), NOON);
    expect(fake.listings.map((l) => l.StartAfter === undefined)).toEqual([false, true]);
    expect(r.ageSeconds.s3).toBe(3 * 3600);
    expect(r.calls.length).toBeLessThanOrEqual(4);
  });

  it('just after midnight UTC also looks at yesterday, where the newest file is', async () => {
    const fake = new FakeAccount();
    const midnight = Date.UTC(2026, 10, 25);
    deliver(fake, midnight - 3_600_000, midnight - 5 * MIN);
    const r = await check(fake, newCheckState(), midnight + 10 * MIN);
    expect(fake.listings.map((l) => l.Prefix)).toEqual([`AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/11/24/`, `AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/11/25/`]);
    expect(r.ageSeconds.s3).toBe(15 * 60);
    expect(r.calls.length).toBe(4);
  });

  it('across midnight with a running state: yesterday StartAfter its bookmark, today from the start; then only today', async () => {
    const fake = new FakeAccount();
    const midnight = Date.UTC(2026, 10, 25);
    deliver(fake, midnight - 3_600_000, midnight - 5 * MIN);
    const state = newCheckState();
    await check(fake, state, midnight - 2 * MIN);
    fake.putKey(logKey(midnight + 3 * MIN, 'FirstOfTheDayAaa'));
    fake.listings = [];
    const r = await check(fake, state, midnight + 4 * MIN);
    expect(fake.listings[0]).toEqual({ Prefix: `AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/11/24/`, StartAfter: state.lastKey.get(`AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/11/24/`) });
    expect(fake.listings[1]).toEqual({ Prefix: `AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/11/25/`, StartAfter: undefined });
    expect(r.ageSeconds.s3).toBe(60);
    fake.listings = [];
    await check(fake, state, midnight + 2 * 3_600_000);
    expect(fake.listings.map((l) => l.Prefix)).toEqual([`AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/11/25/`]);
    // Bookmarks of older days are dropped: the state does not grow day after day.
    expect([...state.lastKey.keys()].every((k) => k.includes('2026/11/25') || k.includes('2026/11/24'))).toBe(true);
  });

  it('ignores other objects in the folder and keys of another account or region', async () => {
    const fake = new FakeAccount();
    const folder = `AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/11/24/`;
    fake.putKey(logKey(NOON - 30 * MIN, 'AbCdEfGhIjKlMnOp'));
    fake.putKey(`${folder}${ACCOUNT}_CloudTrail_${REGION}_20261124T1159Z_notes.txt`);
    fake.putKey(`${folder}999999999999_CloudTrail_${REGION}_20261124T1158Z_AbCdEfGhIjKlMnOp.json.gz`);
    const r = await check(fake, newCheckState(), NOON);
    expect(r.ageSeconds.s3).toBe(30 * 60);
  });

  it('denied and throttled calls become outcomes: no crash, no age for what could not be read, check incomplete', async () => {
    const fake = new FakeAccount();
    deliver(fake, NOON - 3_600_000, NOON - 5 * MIN);
    fake.failures.set('ListObjectsV2', () => sdkError('AccessDenied', 403));
    fake.failures.set('DescribeLogStreams', () => sdkError('ThrottlingException', 400));
    fake.streams = [{ logStreamName: 's', lastEventTimestamp: NOON }];
    const r = await check(fake, newCheckState(), NOON);
    expect(r.complete).toBe(false);
    expect(r.logging).toBe(true);
    expect(r.ageSeconds).toEqual({});
    expect(r.calls.filter((c) => c.outcome !== 'ok').map((c) => [c.operation, c.outcome]).sort()).toEqual([
      ['DescribeLogStreams', 'throttled'],
      ['ListObjectsV2', 'denied'],
    ]);
  });

  it('reports GetTrailStatus delivery errors by destination and a stopped trail as logging false', async () => {
    const fake = new FakeAccount();
    fake.status = { IsLogging: false, LatestDeliveryError: 'AccessDenied', LatestCloudWatchLogsDeliveryError: 'CloudWatchLogsRoleInvalid', LatestDeliveryTime: new Date(NOON - 3_600_000) };
    const r = await check(fake, newCheckState(), NOON, { ...layout, logGroupName: undefined });
    expect(r.logging).toBe(false);
    expect(r.errors).toEqual([
      { destination: 's3', error: 'AccessDenied' },
      { destination: 'cloudwatch_logs', error: 'CloudWatchLogsRoleInvalid' },
    ]);
    // No log file in today's folder: AWS's LatestDeliveryTime is the figure left.
    expect(r.ageSeconds.s3).toBe(3600);
    expect(r.s3AgeSource).toBe('trail-status');
    expect(r.calls.map((c) => c.operation)).not.toContain('DescribeLogStreams');
  });

  it('never spends more than four calls, even on a folder with thousands of new files', async () => {
    const fake = new FakeAccount();
    for (let i = 0; i < 4_500; i++) fake.putKey(logKey(NOON - 50 * MIN + Math.floor(i / 100) * MIN, `K${String(i).padStart(15, '0')}`));
    const state = newCheckState();
    const r = await check(fake, state, NOON);
    expect(fake.calls.get('ListObjectsV2')).toBe(S3_CALLS_PER_CHECK);
    expect(r.calls.length).toBe(4);
    // The next check goes on from where this one stopped.
    fake.listings = [];
    await check(fake, state, NOON + MIN);
    expect(fake.listings[0]!.StartAfter).toBe(logKey(NOON - 50 * MIN + 19 * MIN, `K${String(1999).padStart(15, '0')}`));
  });

  it('an organization trail reads AWSLogs/<o-id>/<account>/ under the prefix', async () => {
    const fake = new FakeAccount();
    fake.putKey(logKey(NOON - 7 * MIN, 'AbCdEfGhIjKlMnOp', REGION, 'logs/').replace('AWSLogs/', 'AWSLogs/o-abcdefghij/'));
    const r = await check(fake, newCheckState(), NOON, { ...layout, prefix: 'logs', orgId: 'o-abcdefghij' });
    expect(fake.listings[0]!.Prefix).toBe(`logs/AWSLogs/o-abcdefghij/${ACCOUNT}/CloudTrail/${REGION}/2026/11/24/`);
    expect(r.ageSeconds.s3).toBe(7 * 60);
  });

  it('after a pause across midnight, a file delivered more than an hour ago today is still found', async () => {
    const fake = new FakeAccount();
    const midnight = Date.UTC(2026, 10, 25);
    deliver(fake, midnight - 3_600_000, midnight - 5 * MIN);
    const state = newCheckState();
    await check(fake, state, midnight - 2 * MIN);
    fake.putKey(logKey(midnight + 20 * MIN, 'AfterMidnightAaa'));
    // The next check comes 2 hours later (the process was paused): no bookmark for today yet.
    const r = await check(fake, state, midnight + 2 * 3_600_000);
    expect(r.ageSeconds.s3).toBe(100 * 60);
    expect(r.calls.length).toBeLessThanOrEqual(4);
  });
});
