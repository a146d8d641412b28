import type { Scenario } from '../scenarios.js';
import { addBackgroundChanges, base } from './helpers.js';

/** The reference account: logging, delivering every 5 minutes to S3 and CloudWatch Logs, nothing wrong. */
export const scenario: Scenario = {
  id: 'healthy',
  title: 'A healthy trail',
  description:
    'Trail main (multi-region, global events, log file validation) logs to s3://acme-trail-logs and log group aws-cloudtrail-logs-main. Files arrive every 5 minutes, the newest 3 minutes ago; two unrelated changes on other buckets happened this week.',
  evidence: () => {
    const e = base();
    addBackgroundChanges(e);
    return e;
  },
  expect: { verdict: 'healthy', rootCause: 'healthy', exitCode: 0 },
};
