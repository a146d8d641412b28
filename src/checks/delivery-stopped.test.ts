import { describe, expect, it } from 'vitest';
import { check } from './delivery-stopped.js';
import { healthyEvidence } from '../evidence/builder.js';
import { denied } from '../evidence/probe.js';
import type { Evidence } from '../evidence/schema.js';
import { contextOf } from './util.js';

const run = (mut?: (e: Evidence) => void) => {
  const e = healthyEvidence();
  mut?.(e);
  return check.run(contextOf(e));
};
/** now = 2026-11-24T04:00:00Z */
const s3Newest = (iso: string, lastModified?: string) => (e: Evidence) => {
  const l = e.steps.s6.listing.value!;
  l.newest = { ...l.newest!, deliveryTime: iso, ...(lastModified ? { lastModified } : {}) };
};
const lastDelivery = (iso: string) => (e: Evidence) => (e.steps.s2.status.value!.latestDeliveryTime = iso);
const cwlNewest = (iso: string) => (e: Evidence) => {
  e.steps.s3.newestEventTime = iso;
  e.steps.s3.streams.value!.streams[0]!.lastEventTimestamp = iso;
};
const all = (...fs: ((e: Evidence) => void)[]) => (e: Evidence) => fs.forEach((f) => f(e));

describe('delivery-stopped', () => {
  it('finds nothing on the healthy fixture', () => {
    expect(run()).toEqual({ findings: [], unverified: [] });
  });

  it('logging, newest file 2 h old, LatestDeliveryTime and CloudWatch Logs silent too: likely', () => {
    const r = run(all(s3Newest('2026-11-24T02:00:00Z'), lastDelivery('2026-11-24T02:00:00Z'), cwlNewest('2026-11-24T02:00:00Z')));
    const f = r.findings[0]!;
    expect(r.findings).toHaveLength(1);
    expect(f).toMatchObject({ id: 'delivery-stopped', confidence: 'likely', since: '2026-11-24T02:00:00Z' });
    expect(f.data).toMatchObject({ destination: 's3', silenceMinutes: 120 });
    expect(f.evidence.join('\n')).toContain('CloudTrail confirms no recent delivery');
    expect(f.evidence.join('\n')).toContain("log group's newest event is 2 h old too");
  });

  it('uses the key-name delivery time, not LastModified (copied/restored objects)', () => {
    const f = run(all(s3Newest('2026-11-24T01:00:00Z', '2026-11-24T03:59:00Z'), lastDelivery('2026-11-24T01:00:00Z'))).findings[0]!;
    expect(f.since).toBe('2026-11-24T01:00:00Z');
  });

  it('a recent LatestDeliveryTime (another region delivers) makes a quiet region only possible', () => {
    const f = run(all(s3Newest('2026-11-24T02:00:00Z'), cwlNewest('2026-11-24T02:00:00Z'))).findings[0]!;
    expect(f.confidence).toBe('possible');
  });

  it('events still reaching CloudWatch Logs prove activity: S3-only stop is likely', () => {
    const f = run(s3Newest('2026-11-24T02:00:00Z')).findings[0]!;
    expect(f.confidence).toBe('likely');
    expect(f.evidence.join('\n')).toContain('only S3 delivery stopped');
  });

  it('no log file in the whole window', () => {
    const f = run(
      all((e) => {
        const l = e.steps.s6.listing.value!;
        delete l.newest;
        l.fileCount = 0;
      }, lastDelivery('2026-11-10T00:00:00Z')),
    ).findings[0]!;
    expect(f.evidence[0]).toContain('no log file in eu-west-1 in the whole window');
    expect(f.since).toBe('2026-11-17T04:00:00Z');
  });

  it('20 minutes of silence is not "stopped" (delivery-delayed covers it)', () => {
    expect(run(all(s3Newest('2026-11-24T03:40:00Z'), lastDelivery('2026-11-24T03:40:00Z'))).findings).toEqual([]);
  });

  it('a trail that is not logging is left to logging-stopped', () => {
    expect(run(all(s3Newest('2026-11-24T00:00:00Z'), (e) => (e.steps.s2.status.value!.isLogging = false))).findings).toEqual([]);
  });

  it('silence counts from a recent restart', () => {
    expect(run(all(s3Newest('2026-11-23T00:00:00Z'), (e) => (e.steps.s2.status.value!.startLoggingTime = '2026-11-24T03:50:00Z'))).findings).toEqual([]);
  });

  it('ListObjectsV2 denied is unverified', () => {
    const r = run((e) => (e.steps.s6.listing = denied('s3:ListBucket', 'Access Denied')));
    expect(r.findings).toEqual([]);
    expect(r.unverified).toEqual([expect.objectContaining({ step: 6, needs: 's3:ListBucket' })]);
  });

  it('CloudWatch Logs silent while S3 still delivers: a cloudwatch-logs delivery stop', () => {
    const f = run(cwlNewest('2026-11-24T01:00:00Z')).findings[0]!;
    expect(f).toMatchObject({ confidence: 'likely', since: '2026-11-24T01:00:00Z' });
    expect(f.data?.destination).toBe('cloudwatch-logs');
  });
});
