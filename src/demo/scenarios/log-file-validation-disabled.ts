import type { Scenario } from '../scenarios.js';
import { addBackgroundChanges, base } from './helpers.js';

/** Delivery is healthy but no digest files are written: tampering with log files cannot be detected. */
export const scenario: Scenario = {
  id: 'log-file-validation-disabled',
  title: 'Log file integrity validation is off',
  description:
    'Trail main delivers on schedule but LogFileValidationEnabled is false: CloudTrail writes no digest files, so a deleted or modified log file would go unnoticed. Not a delivery fault: the verdict stays healthy with the risk listed.',
  evidence: () => {
    const e = base();
    e.steps.s1.trail.value!.logFileValidationEnabled = false;
    delete e.steps.s2.status.value!.latestDigestDeliveryTime;
    addBackgroundChanges(e);
    return e;
  },
  expect: { verdict: 'healthy', rootCause: 'log-file-validation-disabled', exitCode: 0 },
};
