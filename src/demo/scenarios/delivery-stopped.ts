import type { Scenario } from '../scenarios.js';
import { addBackgroundChanges, at, base, stopCloudWatch, stopS3 } from './helpers.js';

const SILENT_SINCE = '2026-11-23T21:32:00Z';

/** Logging, no delivery error, no configuration cause, no change: yet nothing arrives anywhere. */
export const scenario: Scenario = {
  id: 'delivery-stopped',
  title: 'Delivery stopped with no configuration cause',
  description:
    'Trail main is logging and reports no delivery error, but no log file has arrived in acme-trail-logs since 2026-11-23 21:32 UTC and CloudWatch Logs has been silent since 21:35, six and a half hours before collection. The bucket, its policy, the role and the log group all check out and nobody changed anything in the window.',
  evidence: () => {
    const e = base();
    addBackgroundChanges(e);
    stopS3(e, at(SILENT_SINCE));
    stopCloudWatch(e, at(SILENT_SINCE) + 3 * 60_000);
    return e;
  },
  expect: { verdict: 'problem', rootCause: 'delivery-stopped', exitCode: 1 },
};
