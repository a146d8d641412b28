import { expect } from 'vitest';
import { check } from './cloudwatch-event-size-limit.js';
import type { GapReport } from '../evidence/gaps.js';
import { testCheck } from '../../test/support/check-tester.js';

const report = (extra: Partial<GapReport> = {}): GapReport => ({
  window: { start: '2026-11-17T04:00:00Z', end: '2026-11-24T04:00:00Z' },
  totals: { recorded: 100, delivered: 100, missing: 0, sampled: false },
  gaps: [],
  ...extra,
});

// the healthy fixture has no gap measurement and finds nothing
testCheck(check, {
  valid: [
    { name: 'finds nothing when the gap report has no oversized event', evidence: (e) => (e.gaps = report()) },
    { name: 'finds nothing in a gap report that could not check (a malformed one never loads: src/evidence/io.test.ts)', evidence: (e) => (e.gaps = report({ status: 'could-not-check', reason: 'boom' })) },
  ],
  invalid: [
    {
      name: 'an event over 256 KB in S3 and absent from the log group: confirmed, low, not a fault',
      evidence: (e) => (e.gaps = report({ tooLargeForCloudWatch: [{ eventId: 'abc-1', eventName: 'PutRolePolicy', eventTime: '2026-11-20T02:00:00Z', sizeBytes: 300 * 1024 }] })),
      findings: [{ confidence: 'confirmed', summary: /300 KB[\s\S]*Not a delivery fault|Not a delivery fault[\s\S]*300 KB/, evidence: [/PutRolePolicy/] }],
      assert: ({ findings: [f] }) => {
        expect(check.severity).toBe('low');
        expect(f!.summary).toContain('300 KB');
        expect(f!.summary).toContain('Not a delivery fault');
        expect(f!.evidence[0]).toContain('PutRolePolicy');
        expect(f!.remediation.commands[0]).toContain('AttributeValue=abc-1');
      },
    },
  ],
});
