import { describe, expect, it } from 'vitest';
import { addChange, at, base, deliveryAtOrBefore, gapS3, keepS3From, stopCloudWatch, stopS3 } from './helpers.js';

describe('scenario builders', () => {
  it('deliveryAtOrBefore follows the 5-minute schedule of the healthy fixture (…:02, :07, …, :57)', () => {
    expect(new Date(deliveryAtOrBefore(at('2026-11-23T10:05:30Z'))).toISOString()).toBe('2026-11-23T10:02:00.000Z');
    expect(new Date(deliveryAtOrBefore(at('2026-11-23T10:02:00Z'))).toISOString()).toBe('2026-11-23T10:02:00.000Z');
  });

  it('stopS3: no file after the last delivery, status frozen there with the error, totals recomputed', () => {
    const e = base();
    const before = e.steps.s6.listing.value!.fileCount;
    stopS3(e, at('2026-11-23T10:02:00Z'), { error: 'AccessDenied' });
    const l = e.steps.s6.listing.value!;
    expect(l.newest!.deliveryTime).toBe('2026-11-23T10:02:00Z');
    expect(l.recent.map((f) => f.deliveryTime)).toEqual(['2026-11-23T10:02:00Z', '2026-11-23T09:57:00Z', '2026-11-23T09:52:00Z', '2026-11-23T09:47:00Z', '2026-11-23T09:42:00Z']);
    expect(l.hourly.at(-1)).toEqual({ hour: '2026-11-23T10:00:00Z', count: 1, bytes: 40_000 });
    // 17h58m of 5-minute deliveries fewer: 18 hours * 12 minus the one at 10:02
    expect(before - l.fileCount).toBe(18 * 12 - 1);
    expect(l.totalBytes).toBe(l.fileCount * 40_000);
    const st = e.steps.s2.status.value!;
    expect(st).toMatchObject({ latestDeliveryTime: '2026-11-23T10:02:00Z', latestDeliveryError: 'AccessDenied', latestDigestDeliveryError: 'AccessDenied', latestDigestDeliveryTime: '2026-11-23T10:01:31Z' });
    expect(st.latestDeliveryAttemptTime).toBeUndefined();
    for (const f of l.recent) expect(f.key).toMatch(/^AWSLogs\/123456789012\/CloudTrail\/eu-west-1\/2026\/11\/23\/123456789012_CloudTrail_eu-west-1_20261123T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$/);
  });

  it('gapS3: a 3h05m gap between two deliveries, files on either side kept', () => {
    const e = base();
    const total = e.steps.s6.listing.value!.fileCount;
    const gap = gapS3(e, at('2026-11-22T01:02:00Z'), at('2026-11-22T04:07:00Z'));
    expect(gap).toEqual({ start: '2026-11-22T01:02:00Z', end: '2026-11-22T04:07:00Z', minutes: 185 });
    const l = e.steps.s6.listing.value!;
    expect(total - l.fileCount).toBe(36); // 01:07 … 04:02
    expect(l.hourly.find((h) => h.hour === '2026-11-22T02:00:00Z')).toBeUndefined();
    expect(l.hourly.find((h) => h.hour === '2026-11-22T01:00:00Z')!.count).toBe(1);
    expect(l.hourly.find((h) => h.hour === '2026-11-22T04:00:00Z')!.count).toBe(11);
    expect(l.newest!.deliveryTime).toBe('2026-11-24T03:57:00Z');
  });

  it('keepS3From: only files after the cut-off remain; oldest moves', () => {
    const e = base();
    keepS3From(e, at('2026-11-21T04:00:00Z'));
    const l = e.steps.s6.listing.value!;
    expect(l.oldest!.deliveryTime).toBe('2026-11-21T04:02:00Z');
    expect(l.hourly[0]).toEqual({ hour: '2026-11-21T04:00:00Z', count: 12, bytes: 480_000 });
    expect(l.fileCount).toBe(l.hourly.reduce((n, h) => n + h.count, 0));
  });

  it('stopCloudWatch: counts, streams, metrics and the log-group changes end at the stop', () => {
    const e = base();
    addChange(e, { eventName: 'PutBucketPolicy', eventSource: 's3.amazonaws.com', eventTime: '2026-11-23T12:00:00Z', requestParameters: { bucketName: 'x' } });
    expect(e.steps.s9.changes[0]!.sources).toEqual(['log-group', 'event-history']);
    stopCloudWatch(e, at('2026-11-23T11:30:00Z'), { error: 'AccessDeniedException' });
    const c = e.steps.s3.eventCounts.value!;
    expect(c.hourly.at(-1)).toEqual({ hour: '2026-11-23T11:00:00Z', count: 300 });
    expect(e.steps.s3.newestEventTime).toBe('2026-11-23T11:30:00Z');
    expect(e.steps.s3.streams.value!.streams[0]!.lastEventTimestamp).toBe('2026-11-23T11:30:00Z');
    expect(e.steps.s8.metrics.value![0]!.timestamps.at(-1)).toBe('2026-11-23T11:00:00Z');
    expect(e.steps.s2.status.value!).toMatchObject({ latestCloudWatchLogsDeliveryTime: '2026-11-23T11:30:00Z', latestCloudWatchLogsDeliveryError: 'AccessDeniedException' });
    expect(e.steps.s9.changes[0]!.sources).toEqual(['event-history']);
  });

  it('addChange: IAM events go to us-east-1 event history; ids are deterministic; failed calls keep their errorCode', () => {
    const e = base();
    const a = addChange(e, { eventName: 'DeleteRolePolicy', eventSource: 'iam.amazonaws.com', eventTime: '2026-11-23T16:20:03Z', region: 'us-east-1', requestParameters: { roleName: 'r' } });
    const b = addChange(base(), { eventName: 'DeleteRolePolicy', eventSource: 'iam.amazonaws.com', eventTime: '2026-11-23T16:20:03Z', region: 'us-east-1', requestParameters: { roleName: 'r' } });
    expect(a.eventId).toBe(b.eventId);
    expect(e.steps.s9.fromEventHistoryGlobal.value).toHaveLength(1);
    expect(e.steps.s9.fromEventHistory.value).toHaveLength(0);
    expect(a).toMatchObject({ actor: 'arn:aws:iam::123456789012:user/bob', sourceIPAddress: '203.0.113.7', resources: ['r'], awsRegion: 'us-east-1' });
    const f = addChange(e, { eventName: 'StopLogging', eventSource: 'cloudtrail.amazonaws.com', eventTime: '2026-11-23T17:00:00Z', errorCode: 'AccessDenied', requestParameters: { name: 'main' } });
    expect(f.errorCode).toBe('AccessDenied');
  });
});
