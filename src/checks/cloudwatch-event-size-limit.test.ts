import { describe, expect, it } from 'vitest';
import { check } from './cloudwatch-event-size-limit.js';
import { healthyEvidence } from '../evidence/builder.js';
import type { GapReport } from '../evidence/gaps.js';
import { contextOf } from './util.js';

const report = (extra: Partial<GapReport> = {}): GapReport => ({
  window: { start: '2026-11-17T04:00:00Z', end: '2026-11-24T04:00:00Z' },
  totals: { recorded: 100, delivered: 100, missing: 0, sampled: false },
  gaps: [],
  ...extra,
});

describe('cloudwatch-event-size-limit', () => {
  it('finds nothing on the healthy fixture (no gap measurement)', () => {
    expect(check.run(contextOf(healthyEvidence()))).toEqual({ findings: [], unverified: [] });
  });

  it('finds nothing when the gap report has no oversized event', () => {
    const e = healthyEvidence();
    e.gaps = report();
    expect(check.run(contextOf(e)).findings).toEqual([]);
  });

  it('an event over 256 KB in S3 and absent from the log group: confirmed, low, not a fault', () => {
    const e = healthyEvidence();
    e.gaps = report({ tooLargeForCloudWatch: [{ eventId: 'abc-1', eventName: 'PutRolePolicy', eventTime: '2026-11-20T02:00:00Z', sizeBytes: 300 * 1024 }] });
    const f = check.run(contextOf(e)).findings[0]!;
    expect(f).toMatchObject({ id: 'cloudwatch-event-size-limit', confidence: 'confirmed' });
    expect(check.severity).toBe('low');
    expect(f.summary).toContain('300 KB');
    expect(f.summary).toContain('Not a delivery fault');
    expect(f.evidence[0]).toContain('PutRolePolicy');
    expect(f.remediation.commands[0]).toContain('AttributeValue=abc-1');
  });

  it('finds nothing in a gap report that could not check (a malformed one never loads: src/evidence/io.test.ts)', () => {
    const e = healthyEvidence();
    e.gaps = report({ status: 'could-not-check', reason: 'boom' });
    expect(check.run(contextOf(e)).findings).toEqual([]);
  });
});
