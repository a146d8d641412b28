import { describe, expect, it } from 'vitest';
import { gapReportOf, healthyEvidence } from '../evidence/builder.js';
import { denied } from '../evidence/probe.js';
import { buildTimeline, MAX_TIMELINE_CHANGES } from './timeline.js';
import { buildSteps, bounded } from './steps.js';

const NOW = new Date('2026-11-24T04:00:00Z');

describe('buildTimeline', () => {
  it('hourly S3 files and CloudWatch Logs events over the window, now and StartLogging time', () => {
    const e = healthyEvidence({ now: NOW });
    const t = buildTimeline(e, []);
    expect(t).toMatchObject({ start: '2026-11-17T04:00:00Z', end: '2026-11-24T04:00:00Z', now: '2026-11-24T04:00:00Z', intervalMinutes: 60, gaps: [], changes: [] });
    expect(t.s3).toHaveLength(169);
    expect(t.s3[0]).toEqual({ t: '2026-11-17T04:00:00Z', count: 12 });
    expect(t.cloudwatchLogs.at(-1)).toEqual({ t: '2026-11-24T04:00:00Z', count: 0 });
    expect(t.metrics[0]!.points[0]).toEqual({ t: '2026-11-17T04:00:00Z', count: 600 });
    expect(t.startLoggingTime).toBe(e.steps.s2.status.value!.startLoggingTime);
    expect(t.stopLoggingTime).toBeUndefined();
  });

  it('fills hours without files with 0 and shades listing gaps and the trailing silence', () => {
    const e = healthyEvidence({ now: NOW });
    const l = e.steps.s6.listing.value!;
    l.hourly = l.hourly.filter((h) => h.hour < '2026-11-23T10:00:00Z');
    l.gaps = [{ start: '2026-11-22T01:00:00Z', end: '2026-11-22T04:05:00Z', minutes: 185 }];
    l.newest = { ...l.newest!, deliveryTime: '2026-11-23T09:57:00Z' };
    const t = buildTimeline(e, []);
    expect(t.s3.find((p) => p.t === '2026-11-23T12:00:00Z')).toEqual({ t: '2026-11-23T12:00:00Z', count: 0 });
    expect(t.gaps).toEqual([
      { start: '2026-11-22T01:00:00Z', end: '2026-11-22T04:05:00Z', destination: 's3' },
      { start: '2026-11-23T09:57:00Z', end: '2026-11-24T04:00:00Z', destination: 's3' },
    ]);
  });

  it('adds the gap report windows without duplicating a covered one', () => {
    const e = healthyEvidence({ now: NOW });
    e.steps.s6.listing.value!.gaps = [{ start: '2026-11-22T01:00:00Z', end: '2026-11-22T04:05:00Z', minutes: 185 }];
    e.gaps = gapReportOf(e.window, [
      { destination: 's3', start: '2026-11-22T01:30:00Z', end: '2026-11-22T04:00:00Z', eventsMissing: 3, trigger: null, closedBy: null },
      { destination: 'cloudwatch-logs', start: '2026-11-21T01:00:00Z', end: '2026-11-21T02:00:00Z', eventsMissing: 3, trigger: null, closedBy: null },
    ]);
    expect(buildTimeline(e, []).gaps).toEqual([
      { start: '2026-11-21T01:00:00Z', end: '2026-11-21T02:00:00Z', destination: 'cloudwatch-logs' },
      { start: '2026-11-22T01:00:00Z', end: '2026-11-22T04:05:00Z', destination: 's3' },
    ]);
  });

  it('no series for a listing that could not be read (unknown is not zero)', () => {
    const e = healthyEvidence({ now: NOW });
    e.steps.s6.listing = denied('s3:ListBucket', 'denied');
    expect(buildTimeline(e, []).s3).toEqual([]);
  });

  it('marks triggers and caps the change markers, keeping the triggers', () => {
    const e = healthyEvidence({ now: NOW });
    const base = Date.parse('2026-11-18T00:00:00Z');
    e.steps.s9.changes = Array.from({ length: MAX_TIMELINE_CHANGES + 50 }, (_, i) => ({
      eventId: `e${i}`,
      eventName: 'PutBucketTagging',
      eventSource: 's3.amazonaws.com',
      eventTime: new Date(base + i * 60_000).toISOString().replace('.000Z', 'Z'),
      sources: ['event-history' as const],
    }));
    const t = buildTimeline(e, [{ eventName: 'PutBucketTagging', eventTime: e.steps.s9.changes[0]!.eventTime, eventId: 'e0', source: 'event-history' }]);
    expect(t.changes).toHaveLength(MAX_TIMELINE_CHANGES);
    expect(t.changes[0]).toMatchObject({ eventName: 'PutBucketTagging', isTrigger: true, time: '2026-11-18T00:00:00Z' });
    expect(t.changes.filter((c) => c.isTrigger)).toHaveLength(1);
  });
});

describe('step reports', () => {
  it('denied key probes make a step unknown, with the permission in the summary', () => {
    const e = healthyEvidence({ now: NOW });
    e.steps.s6.listing = denied('s3:ListBucket', 'Access Denied');
    e.steps.s7.logGroup = denied('logs:DescribeLogGroups', 'Access Denied');
    const steps = buildSteps(e, new Set());
    expect(steps[5]).toMatchObject({ status: 'unknown', summary: 'Could not list the log files (denied, needs s3:ListBucket)' });
    expect(steps[6]!.status).toBe('unknown');
  });

  it('summaries carry the real figures', () => {
    const e = healthyEvidence({ now: NOW });
    e.steps.s6.listing.value!.gaps = [{ start: '2026-11-22T01:00:00Z', end: '2026-11-22T04:05:00Z', minutes: 185 }];
    const steps = buildSteps(e, new Set());
    expect(steps[5]!.summary).toContain('1 gap of 3h05m');
    expect(steps[6]!.summary).toBe('Log group aws-cloudtrail-logs-main exists; retention 365 days; 4.8 MB stored');
    expect(steps[2]!.summary).toBe('100800 events in the window; newest 2026-11-24T03:56Z (4 min ago); 1 stream; 0 delivery failure events');
  });

  it('untrusted text in details is inert and bounded', () => {
    const v = bounded({ name: '\u001b[31mred\u001b[0m', list: Array.from({ length: 30 }, (_, i) => i), long: 'x'.repeat(5000) }) as Record<string, unknown>;
    expect(v.name).toBe('red');
    expect(v.list).toHaveLength(21);
    expect((v.list as unknown[])[20]).toBe('… 10 more');
    expect((v.long as string).length).toBeLessThan(2100);
  });
});
