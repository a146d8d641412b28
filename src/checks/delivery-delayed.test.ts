import { expect } from 'vitest';
import { check } from './delivery-delayed.js';
import type { Evidence } from '../evidence/schema.js';
import { testCheck } from '../../test/support/check-tester.js';

/** The newest log file was delivered at `newest`; the healthy fixture's is 3 minutes old. */
const newestAt = (newest: string, mut?: (e: Evidence) => void) => (e: Evidence) => {
  const l = e.steps.s6.listing.value!;
  l.newest = { ...l.newest!, deliveryTime: newest };
  mut?.(e);
};

testCheck(check, {
  valid: [
    { name: 'within the cadence it says nothing', evidence: newestAt('2026-11-24T03:52:00Z') },
    { name: 'past 30 minutes (delivery-stopped) it says nothing', evidence: newestAt('2026-11-24T03:00:00Z') },
    { name: 'says nothing when the trail is not logging', evidence: newestAt('2026-11-24T03:40:00Z', (e) => (e.steps.s2.status.value!.isLogging = false)) },
  ],
  invalid: [
    {
      name: 'newest file 20 minutes old: possible, info, explicitly not a fault',
      evidence: newestAt('2026-11-24T03:40:00Z'),
      findings: [{ confidence: 'possible', since: '2026-11-24T03:40:00Z', summary: /not a fault/, match: { data: { notAFault: true, ageMinutes: 20 } } }],
      assert: () => expect(check.severity).toBe('info'),
    },
    { name: '12 minutes: within the normal delay', evidence: newestAt('2026-11-24T03:48:00Z'), findings: [{ confidence: 'possible', summary: /CloudTrail's normal delay/ }] },
  ],
});
