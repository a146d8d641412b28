import type { Scenario } from '../scenarios.js';
import { absent, skipped } from '../../evidence/probe.js';
import { BUCKET } from '../../evidence/builder.js';
import { addBackgroundChanges, addChange, at, base, BOB, BOB_IP, stopS3 } from './helpers.js';

const DELETED = '2026-11-23T15:41:27Z';

/** The bucket was emptied and deleted (`aws s3 rb --force`): HeadBucket 404, LatestDeliveryError NoSuchBucket. */
export const scenario: Scenario = {
  id: 's3-bucket-missing',
  title: 'The destination bucket was deleted',
  description:
    'bob emptied and deleted bucket acme-trail-logs on 2026-11-23 at 15:41 UTC (aws s3 rb --force) from 203.0.113.7. HeadBucket answers 404, CloudTrail reports NoSuchBucket, and every log file of the window went with the bucket. CloudWatch Logs delivery is independent and keeps flowing.',
  evidence: () => {
    const e = base();
    addBackgroundChanges(e);
    addChange(e, { eventName: 'DeleteBucket', eventSource: 's3.amazonaws.com', eventTime: DELETED, actor: BOB, sourceIPAddress: BOB_IP, requestParameters: { bucketName: BUCKET, Host: `${BUCKET}.s3.eu-west-1.amazonaws.com` } });
    stopS3(e, at(DELETED), { error: 'NoSuchBucket' });
    const s4 = e.steps.s4;
    const gone = 'the bucket does not exist';
    s4.head = absent('Not Found', { errorCode: 'NotFound' });
    s4.location = absent('The specified bucket does not exist', { errorCode: 'NoSuchBucket' });
    s4.policy = skipped(gone);
    s4.encryption = skipped(gone);
    s4.ownership = skipped(gone);
    s4.objectLock = skipped(gone);
    s4.lifecycle = skipped(gone);
    s4.requestPayment = skipped(gone);
    e.steps.s6.listing = absent('The specified bucket does not exist', { errorCode: 'NoSuchBucket' });
    return e;
  },
  expect: { verdict: 'problem', rootCause: 's3-bucket-missing', trigger: 'DeleteBucket', exitCode: 1 },
};
