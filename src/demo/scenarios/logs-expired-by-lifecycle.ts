import type { Scenario } from '../scenarios.js';
import { ok } from '../../evidence/probe.js';
import { BUCKET } from '../../evidence/builder.js';
import { addBackgroundChanges, addChange, at, base, BOB, BOB_IP, keepS3From } from './helpers.js';

const EXPIRE_DAYS = 3;

/** A new lifecycle rule expires AWSLogs/ after 3 days: a 7-day search in S3 finds only the last 3. */
export const scenario: Scenario = {
  id: 'logs-expired-by-lifecycle',
  title: 'An S3 lifecycle rule deletes the log files',
  description:
    'bob added a lifecycle rule "expire-old-logs" (prefix AWSLogs/, expire after 3 days) to bucket acme-trail-logs on 2026-11-20 at 16:48 UTC (PutBucketLifecycleConfiguration from 203.0.113.7). Log files older than 2026-11-21 04:00 UTC are gone; the remaining ones arrive on schedule. CloudWatch Logs (365-day retention) still has the older events.',
  evidence: () => {
    const e = base();
    addBackgroundChanges(e);
    addChange(e, {
      eventName: 'PutBucketLifecycleConfiguration',
      eventSource: 's3.amazonaws.com',
      eventTime: '2026-11-20T16:48:09Z',
      actor: BOB,
      sourceIPAddress: BOB_IP,
      requestParameters: {
        bucketName: BUCKET,
        Host: `${BUCKET}.s3.eu-west-1.amazonaws.com`,
        lifecycle: '',
        LifecycleConfiguration: { Rule: { ID: 'expire-old-logs', Status: 'Enabled', Filter: { Prefix: 'AWSLogs/' }, Expiration: { Days: EXPIRE_DAYS } } },
      },
    });
    e.steps.s4.lifecycle = ok([{ id: 'expire-old-logs', status: 'Enabled', prefix: 'AWSLogs/', expirationDays: EXPIRE_DAYS }]);
    keepS3From(e, at(e.collectedAt) - EXPIRE_DAYS * 86_400_000);
    return e;
  },
  expect: { verdict: 'problem', rootCause: 'logs-expired-by-lifecycle', trigger: 'PutBucketLifecycleConfiguration', exitCode: 1 },
};
