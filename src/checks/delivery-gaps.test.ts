import { describe, expect, it } from 'vitest';
import { check, engineGaps } from './delivery-gaps.js';
import type { Evidence } from '../evidence/schema.js';
import { gapReportOf } from '../evidence/builder.js';
import { ms } from './util.js';
import { testCheck } from '../../test/support/check-tester.js';

const GAP = { start: '2026-11-22T10:00:00Z', end: '2026-11-22T13:00:00Z', minutes: 180 };

/** A 3-hour S3 gap (or none); by default nothing else shows activity in it (a quiet region). */
const gapped = (mut?: (e: Evidence) => void, gap: typeof GAP | null = GAP) => (e: Evidence) => {
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
};

testCheck(check, {
  valid: [{ name: 'silences of 30 minutes or less are the cadence, not gaps', evidence: gapped(undefined, { start: '2026-11-22T10:00:00Z', end: '2026-11-22T10:30:00Z', minutes: 30 }) }],
  invalid: [
    {
      name: 'an uncorroborated gap is only possible (a quiet region writes no files)',
      evidence: gapped(),
      findings: [{ confidence: 'possible', since: GAP.start }],
      assert: ({ findings: [f] }) => expect(f!.data?.gaps).toEqual([expect.objectContaining({ start: GAP.start, end: GAP.end, corroborated: false, minutes: 180 })]),
    },
    {
      name: 'events in CloudWatch Logs during the S3 gap make it likely',
      evidence: gapped((e) => e.steps.s3.eventCounts.value!.hourly.forEach((h) => (h.count = 600))),
      findings: [{ confidence: 'likely', evidence: ['step 3: 1800 events reached CloudWatch Logs during it'] }],
    },
    {
      name: 'metrics during the gap make it likely',
      evidence: gapped((e) => (e.steps.s8.metrics.value![0]!.values = e.steps.s8.metrics.value![0]!.values.map(() => 5))),
      findings: [{ confidence: 'likely' }],
    },
    {
      name: 'the gaps engine counting missing events makes it likely',
      evidence: gapped((e) => {
        e.gaps = gapReportOf(e.window, [{ destination: 's3', start: GAP.start, end: GAP.end, eventsMissing: 42, trigger: null, closedBy: null }]);
      }),
      findings: [{ confidence: 'likely', summary: /42 events are missing/ }],
      assert: ({ findings: [f] }) => expect(f!.data?.gaps).toEqual([expect.objectContaining({ eventsMissing: 42, corroborated: true })]),
    },
    {
      name: 'a change event recorded in the region during the gap shows activity',
      evidence: gapped((e) => {
        e.steps.s9.changes = [{ eventId: 'x', eventName: 'PutBucketPolicy', eventSource: 's3.amazonaws.com', eventTime: '2026-11-22T11:00:00Z', awsRegion: 'eu-west-1', sources: ['event-history'] }];
      }),
      findings: [{ confidence: 'likely' }],
    },
    {
      name: 'a stop/start of logging inside the gap explains it',
      evidence: gapped((e) => {
        const s = e.steps.s2.status.value!;
        s.stopLoggingTime = '2026-11-22T10:02:00Z';
        s.startLoggingTime = '2026-11-22T12:58:00Z';
      }),
      findings: [{ confidence: 'likely', match: { data: { explainedBy: ['logging-stopped'] } } }],
      assert: ({ findings: [f] }) => {
        expect(f!.data?.explainedBy).toEqual(['logging-stopped']);
        // the declared relation the diagnosis applies: logging-stopped explains this gap
        expect(check.relations?.explainedBy?.find((x) => x.cause === 'logging-stopped')?.when(f!)).toBe(true);
      },
    },
    {
      name: 'a CloudWatch Logs gap measured by the gaps engine is reported even when S3 has no gap',
      evidence: gapped((e) => {
        e.gaps = gapReportOf(e.window, [{ destination: 'cloudwatch-logs', start: GAP.start, end: GAP.end, eventsMissing: 7 }]);
      }, null),
      findings: [{ confidence: 'likely' }],
      assert: ({ findings: [f] }) => expect(f!.data?.gaps).toEqual([expect.objectContaining({ destination: 'cloudwatch-logs', eventsMissing: 7 })]),
    },
  ],
});

describe('delivery-gaps: evidence.gaps', () => {
  it('reads evidence.gaps defensively', () => {
    expect(engineGaps(undefined)).toEqual([]);
    const w = { start: '2026-11-17T04:00:00Z', end: '2026-11-24T04:00:00Z' };
    expect(engineGaps(gapReportOf(w, [{ start: 'bad', end: GAP.end }, { start: GAP.start, end: GAP.end }]))).toEqual([{ destination: 's3', start: ms(GAP.start), end: ms(GAP.end), eventsMissing: 0 }]);
  });
});
