import type { Scenario } from '../scenarios.js';
import { at, addBackgroundChanges, base, stopS3 } from './helpers.js';

const FAILING_SINCE = '2026-11-23T23:50:00Z';

/**
 * CloudTrail reports an S3 error that no configuration explains: the bucket exists, its policy,
 * encryption and payer are right, no change was made, yet PutObject keeps failing.
 */
export const scenario: Scenario = {
  id: 's3-delivery-error',
  title: 'An S3 delivery error nothing in the configuration explains',
  description:
    'Since 2026-11-23 23:52 UTC CloudTrail reports LatestDeliveryError InternalError for acme-trail-logs and no log file has arrived. The bucket exists, its policy lets CloudTrail write, it is not Requester Pays, no KMS key is involved and nobody changed anything: the fault is on the S3/CloudTrail side (AWS Health was not readable without a support plan). CloudWatch Logs keeps receiving events.',
  evidence: () => {
    const e = base();
    addBackgroundChanges(e);
    stopS3(e, at(FAILING_SINCE) + 2 * 60_000, { error: 'InternalError' });
    return e;
  },
  expect: { verdict: 'problem', rootCause: 's3-delivery-error', exitCode: 1 },
};
