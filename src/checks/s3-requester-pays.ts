import type { CauseDefinition } from './types.js';
import { bucketOf, result, safe, shellArg, statusOf, trailOf, unverifiedOf, valueOf } from './util.js';

/** Runbook step 4: a Requester Pays bucket; CloudTrail cannot deliver to it. */
export const check: CauseDefinition = {
  id: 's3-requester-pays',
  title: 'Bucket has Requester Pays enabled',
  step: 4,
  severity: 'critical',
  precedence: { tier: 'bucket', rank: 40 },
  relations: { explainsSilence: true },
  triggerEvents: ['PutBucketRequestPayment'],
  reads: ['s1.trail', 's2.status', 's4.head', 's4.requestPayment'],
  meaning: 'the bucket has Requester Pays on, which CloudTrail cannot deliver to',
  fix: 'Turn Requester Pays off (put-bucket-request-payment Payer=BucketOwner).',
  run({ evidence: e }) {
    const trail = trailOf(e);
    const bucket = bucketOf(e);
    if (!trail || !bucket) return result();
    const probe = e.steps.s4.requestPayment;
    const rp = valueOf(probe);
    if (!rp) {
      if (e.steps.s4.head.status === 'absent') return result();
      return result([], [unverifiedOf(probe, 4, `Requester Pays setting of bucket ${safe(bucket)}`, 's3:GetBucketRequestPayment')]);
    }
    if (rp.payer !== 'Requester') return result();
    const status = statusOf(e);
    const evidence = [`step 4: GetBucketRequestPayment ${safe(bucket)}: Payer = Requester`];
    if (status?.latestDeliveryError) evidence.push(`step 2: LatestDeliveryError = ${safe(status.latestDeliveryError, 200)}`);
    return result([
      {
        id: 's3-requester-pays',
        confidence: 'confirmed',
        summary: `Bucket ${safe(bucket)} has Requester Pays enabled; CloudTrail does not deliver to Requester Pays buckets, so trail ${safe(trail.name)} cannot write its log files.`,
        evidence,
        remediation: {
          summary: `Make the bucket owner pay for requests on ${safe(bucket)} again.`,
          commands: [
            `aws s3api put-bucket-request-payment --bucket ${shellArg(bucket)} --request-payment-configuration Payer=BucketOwner`,
            `aws s3api get-bucket-request-payment --bucket ${shellArg(bucket)}`,
          ],
        },
        resources: [bucket],
        data: { bucket, payer: rp.payer },
      },
    ]);
  },
};
