import type { Scenario } from '../scenarios.js';
import { addBackgroundChanges, at, base, stopS3 } from './helpers.js';

/** The newest log file is 18 minutes old: only the newest events are not delivered yet. Not a fault. */
export const scenario: Scenario = {
  id: 'delivery-delayed',
  title: 'The newest events are not delivered yet',
  description:
    'The newest log file in acme-trail-logs was delivered at 03:42 UTC, 18 minutes before collection; CloudWatch Logs has events from 4 minutes ago. CloudTrail delivers within about 5 minutes on average with no guarantee: events from the last quarter of an hour being absent is its normal delay, not a fault.',
  evidence: () => {
    const e = base();
    addBackgroundChanges(e);
    stopS3(e, at('2026-11-24T03:42:00Z'));
    return e;
  },
  expect: { verdict: 'healthy', rootCause: 'delivery-delayed', exitCode: 0 },
};
