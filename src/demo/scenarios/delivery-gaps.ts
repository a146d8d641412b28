import type { Scenario } from '../scenarios.js';
import { addBackgroundChanges, at, base, gapS3 } from './helpers.js';

/** A 3h05m hole in the S3 log files while CloudWatch Logs kept receiving events: intermittent delivery. */
export const scenario: Scenario = {
  id: 'delivery-gaps',
  title: 'Intermittent delivery: a gap in the log files',
  description:
    'No log file was delivered to acme-trail-logs between 2026-11-22 01:02 and 04:07 UTC (3h05m), while CloudWatch Logs kept receiving about 600 events an hour: events were recorded but never written to S3 for that window. Delivery has been normal since, with no error and no configuration change.',
  evidence: () => {
    const e = base();
    addBackgroundChanges(e);
    gapS3(e, at('2026-11-22T01:02:00Z'), at('2026-11-22T04:07:00Z'));
    return e;
  },
  expect: { verdict: 'problem', rootCause: 'delivery-gaps', exitCode: 1 },
};
