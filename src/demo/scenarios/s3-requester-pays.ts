import type { Scenario } from '../scenarios.js';
import { ok } from '../../evidence/probe.js';
import { BUCKET } from '../../evidence/builder.js';
import { addBackgroundChanges, addChange, at, base, BOB, BOB_IP, stopS3 } from './helpers.js';

const CHANGED = '2026-11-23T08:45:52Z';

/** Requester Pays turned on: CloudTrail's PutObject carries no x-amz-request-payer and is refused. */
export const scenario: Scenario = {
  id: 's3-requester-pays',
  title: 'Requester Pays was enabled on the log bucket',
  description:
    'To push download costs to consumers, bob enabled Requester Pays on acme-trail-logs on 2026-11-23 at 08:45 UTC (PutBucketRequestPayment from 203.0.113.7). CloudTrail cannot deliver to a Requester Pays bucket: it reports AccessDenied and the last log file arrived at 08:47. The bucket policy is still correct.',
  evidence: () => {
    const e = base();
    addBackgroundChanges(e);
    addChange(e, {
      eventName: 'PutBucketRequestPayment',
      eventSource: 's3.amazonaws.com',
      eventTime: CHANGED,
      actor: BOB,
      sourceIPAddress: BOB_IP,
      requestParameters: { bucketName: BUCKET, Host: `${BUCKET}.s3.eu-west-1.amazonaws.com`, requestPayment: '', RequestPaymentConfiguration: { Payer: 'Requester', xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' } },
    });
    e.steps.s4.requestPayment = ok({ payer: 'Requester' });
    stopS3(e, at(CHANGED) + 2 * 60_000, { error: 'AccessDenied' });
    return e;
  },
  expect: { verdict: 'problem', rootCause: 's3-requester-pays', trigger: 'PutBucketRequestPayment', exitCode: 1 },
};
