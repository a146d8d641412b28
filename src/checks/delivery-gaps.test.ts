import { describe, expect, it } from 'vitest';
import { check, engineGaps } from './delivery-gaps.js';
import { gapReportOf, healthyEvidence } from '../evidence/builder.js';
import type { Evidence } from '../evidence/schema.js';
import { contextOf, ms } from './util.js';

const GAP = { start: '2026-11-22T10:00:00Z', end: '2026-11-22T13:00:00Z', minutes: 180 };

/** A 3-hour S3 gap; by default nothing else shows activity in it (a quiet region). */
const run = (mut?: (e: Evidence) => void, gap: typeof GAP | null = GAP) => {
  const e = healthyEvidence();
  if (gap) {
    e.steps.s6.listing.value!.gaps = [gap];
    const s = ms(gap.start)!;
    const en = ms(gap.end)!;
    const quiet = (hour: string) => ms(hour)! >= s && ms(hour)! < en;
    for (const h of e.steps.s3.eventCounts.value!.hourly) if (quiet(h.hour)) h.count = 0;
    const m = e.steps.s8.metrics.value![0]!;
    m.values = m.values.map((v, i) => (quiet(m.timestamps[i]!) ? 0 : v));
  }
  mut?.(e);
  return check.run(contextOf(e));
};

describe('delivery-gaps', () => {
  it('finds nothing on the healthy fixture', () => {
    expect(run(undefined, null)).toEqual({ findings: [], unverified: [] });
  });

  it('an uncorroborated gap is only possible (a quiet region writes no files)', () => {
    const f = run().findings[0]!;
    expect(f).toMatchObject({ id: 'delivery-gaps', confidence: 'possible', since: GAP.start });
    expect(f.data?.gaps).toEqual([expect.objectContaining({ start: GAP.start, end: GAP.end, corroborated: false, minutes: 180 })]);
  });

  it('events in CloudWatch Logs during the S3 gap make it likely', () => {
    const f = run((e) => e.steps.s3.eventCounts.value!.hourly.forEach((h) => (h.count = 600))).findings[0]!;
    expect(f.confidence).toBe('likely');
    expect(f.evidence.join('\n')).toContain('step 3: 1800 events reached CloudWatch Logs during it');
  });

  it('metrics during the gap make it likely', () => {
    const f = run((e) => (e.steps.s8.metrics.value![0]!.values = e.steps.s8.metrics.value![0]!.values.map(() => 5))).findings[0]!;
    expect(f.confidence).toBe('likely');
  });

  it('the gaps engine counting missing events makes it likely', () => {
    const f = run((e) => {
      e.gaps = gapReportOf(e.window, [{ destination: 's3', start: GAP.start, end: GAP.end, eventsMissing: 42, trigger: null, closedBy: null }]);
    }).findings[0]!;
    expect(f.confidence).toBe('likely');
    expect(f.summary).toContain('42 events are missing');
    expect(f.data?.gaps).toEqual([expect.objectContaining({ eventsMissing: 42, corroborated: true })]);
  });

  it('a change event recorded in the region during the gap shows activity', () => {
    const f = run((e) => {
      e.steps.s9.changes = [{ eventId: 'x', eventName: 'PutBucketPolicy', eventSource: 's3.amazonaws.com', eventTime: '2026-11-22T11:00:00Z', awsRegion: 'eu-west-1', sources: ['event-history'] }];
    }).findings[0]!;
    expect(f.confidence).toBe('likely');
  });

  it('a stop/start of logging inside the gap explains it', () => {
    const f = run((e) => {
      const s = e.steps.s2.status.value!;
      s.stopLoggingTime = '2026-11-22T10:02:00Z';
      s.startLoggingTime = '2026-11-22T12:58:00Z';
    }).findings[0]!;
    expect(f.confidence).toBe('likely');
    expect(f.data?.explainedBy).toEqual(['logging-stopped']);
  });

  it('silences of 30 minutes or less are the cadence, not gaps', () => {
    expect(run(undefined, { start: '2026-11-22T10:00:00Z', end: '2026-11-22T10:30:00Z', minutes: 30 }).findings).toEqual([]);
  });

  it('a CloudWatch Logs gap measured by the gaps engine is reported even when S3 has no gap', () => {
    const f = run((e) => {
      e.gaps = gapReportOf(e.window, [{ destination: 'cloudwatch-logs', start: GAP.start, end: GAP.end, eventsMissing: 7 }]);
    }, null).findings[0]!;
    expect(f.confidence).toBe('likely');
    expect(f.data?.gaps).toEqual([expect.objectContaining({ destination: 'cloudwatch-logs', eventsMissing: 7 })]);
  });

  it('reads the gap windows of evidence.gaps whose times parse', () => {
    const w = healthyEvidence().window;
    expect(engineGaps(undefined)).toEqual([]);
    expect(engineGaps(gapReportOf(w, [{ start: 'bad', end: GAP.end }, { start: GAP.start, end: GAP.end }]))).toEqual([{ destination: 's3', start: ms(GAP.start), end: ms(GAP.end), eventsMissing: 0 }]);
  });
});
