import { describe, expect, it } from 'vitest';
import { healthyEvidence } from '../evidence/builder.js';
import { ok } from '../evidence/probe.js';
import type { AccessLogSummary } from '../evidence/access-logs.js';
import type { Evidence } from '../evidence/schema.js';
import { buildTimeline } from '../diagnosis/timeline.js';
import { timelineDescription, timelineLanes, timelineSvg, timelineTable } from './timeline-svg.js';
import { accessBuckets } from './timeline-access.js';

/** The S3 server access log lane: in the timeline model only when the logs were read, drawn with refusals in the problem colour. */
const NOW = new Date('2026-11-24T04:00:00Z');
const hour = (h: string, attempted: number, refused: number) => ({ hour: h, attempted, succeeded: attempted - refused, refused, refusedLogFiles: refused, refusedDigests: 0 });

function withAccessLogs(e: Evidence, over: Partial<AccessLogSummary> = {}): Evidence {
  const summary: AccessLogSummary = {
    objectsListed: 3, objectsRead: 3, bytesRead: 5_000, capped: false, malformedLines: 0, unreadableObjects: 0,
    attempted: 36, succeeded: 26, refused: 10,
    hourly: [hour('2026-11-24T00:00:00Z', 12, 0), hour('2026-11-24T01:00:00Z', 12, 0), hour('2026-11-24T02:00:00Z', 12, 10)],
    errorCodes: [{ status: 403, errorCode: 'AccessDenied', count: 10 }],
    firstRefused: { time: '2026-11-24T02:10:04Z', kind: 'log-file', operation: 'REST.PUT.OBJECT', status: 403, errorCode: 'AccessDenied' },
    lastRefused: { time: '2026-11-24T02:55:04Z', kind: 'log-file', operation: 'REST.PUT.OBJECT', status: 403, errorCode: 'AccessDenied' },
    newestRecordTime: '2026-11-24T02:59:10Z',
    requesters: [],
    ...over,
  };
  e.steps.s4.accessLogs = ok({ config: { enabled: true, targetBucket: 'acme-access-logs', targetPrefix: 'trail/', keyFormat: 'simple', selfTargeting: false }, summary });
  return e;
}

describe('the access log lane', () => {
  it('is absent from the model and the chart when no access logs were read', () => {
    const e = healthyEvidence({ now: NOW });
    const t = buildTimeline(e, []);
    expect('accessLogs' in t).toBe(false);
    expect(timelineLanes(t).map((l) => l.key)).toEqual(['s3', 'cwl', 'm0']);
    expect(String(timelineSvg(t))).not.toContain('lane-access');
    // logging off, or a listing that failed: still no lane
    e.steps.s4.accessLogs = ok({ config: { enabled: false, selfTargeting: false } });
    expect(buildTimeline(e, []).accessLogs).toBeUndefined();
  });

  it('holds attempts and refusals per hour, only the hours with records, and the first and last refusal', () => {
    const t = buildTimeline(withAccessLogs(healthyEvidence({ now: NOW })), []);
    expect(t.accessLogs).toEqual({
      attempted: [
        { t: '2026-11-24T00:00:00Z', count: 12 },
        { t: '2026-11-24T01:00:00Z', count: 12 },
        { t: '2026-11-24T02:00:00Z', count: 12 },
      ],
      refused: [{ t: '2026-11-24T02:00:00Z', count: 10 }],
      capped: false,
      newestRecordTime: '2026-11-24T02:59:10Z',
      firstRefused: '2026-11-24T02:10:04Z',
      lastRefused: '2026-11-24T02:55:04Z',
    });
  });

  it('draws attempts and refusals on one scale below the S3 lane, refusals in their own class, the unlogged hours marked', () => {
    const t = buildTimeline(withAccessLogs(healthyEvidence({ now: NOW })), []);
    expect(timelineLanes(t).map((l) => l.key)).toEqual(['s3', 'access', 'cwl', 'm0']);
    const svg = String(timelineSvg(t));
    const lane = /<g class="lane lane-access">([\s\S]*?)<\/g><g class="lane lane-cwl">/.exec(svg)?.[1] ?? '';
    const heights = (cls: string) => [...(new RegExp(`<g class="${cls}">(.*?)</g>`).exec(lane)?.[1] ?? '').matchAll(/height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(heights('bar-access')).toHaveLength(3);
    expect(heights('bar-refused')).toHaveLength(1);
    // 10 refused of a 12-attempt maximum: 10/12 of the attempt bar
    expect(heights('bar-refused')[0]! / heights('bar-access')[2]!).toBeCloseTo(10 / 12, 2);
    expect(lane).toContain('<title>2026-11-24 02:00 UTC: 10 refused</title>');
    expect(lane).toContain('10 of 36 refused');
    expect(lane).toMatch(/class="access-unknown"><title>No access log records after/);
    expect(timelineDescription(t)).toContain('S3 server access logs: 36 CloudTrail write attempts, 10 refused from');
    const table = String(timelineTable(t));
    expect(table).toContain('<th scope="col">S3 access logs: refused</th>');
    // the 02:00 row: 12 attempts, 10 refused; an hour without records is unknown, not 0
    expect(table).toMatch(/2026-11-24 02:00 UTC<\/th><td>\d+<\/td><td>12<\/td><td>10<\/td>/);
    expect(table).toMatch(/2026-11-23 2\d:00 UTC<\/th><td>\d+<\/td><td>—<\/td><td>—<\/td>/);
  });

  it('buckets by time, not by index, when a long window needs fewer bars than hours', () => {
    const t = { start: '2026-11-01T00:00:00Z', end: '2026-11-21T00:00:00Z', intervalMinutes: 60 };
    const a = { attempted: [{ t: '2026-11-01T00:00:00Z', count: 5 }, { t: '2026-11-01T01:00:00Z', count: 5 }, { t: '2026-11-20T23:00:00Z', count: 7 }], refused: [{ t: '2026-11-20T23:00:00Z', count: 7 }], capped: false };
    const b = accessBuckets(a, t, 240);
    expect(b.bucketMs).toBe(2 * 3_600_000);
    expect(b.attempted).toEqual([{ t: '2026-11-01T00:00:00Z', count: 10 }, { t: '2026-11-20T22:00:00Z', count: 7 }]);
    expect(b.refused).toEqual([{ t: '2026-11-20T22:00:00Z', count: 7 }]);
  });
});
