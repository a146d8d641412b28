import type { CauseDefinition } from './types.js';
import {
  bucketOf,
  callerAccount,
  changesNamed,
  cloudTrailBucketPolicy,
  describeChange,
  homeRegion,
  newestDelivery,
  isoOf,
  result,
  safe,
  shellArg,
  statusOf,
  touches,
  trailAccount,
  trailOf,
  trailRef,
} from './util.js';

/**
 * Runbook steps 2 and 4: the destination bucket does not exist. Deduced, not echoed: HeadBucket 404
 * proves it even before CloudTrail reports NoSuchBucket; NoSuchBucket alone proves it too.
 * HeadBucket 403 is NOT missing: the bucket exists in another account or we may not read it.
 */
export const check: CauseDefinition = {
  id: 's3-bucket-missing',
  title: 'S3 bucket does not exist',
  step: 4,
  severity: 'critical',
  precedence: { tier: 'bucket', rank: 10 },
  relations: { explainsSilence: true },
  triggerEvents: ['DeleteBucket', 'UpdateTrail'],
  reads: ['s1.trail', 's1.caller', 's2.status', 's4.head', 's6.listing', 's9.changes'],
  meaning: 'the destination bucket does not exist — proven by HeadBucket 404 even before CloudTrail reports `NoSuchBucket`',
  fix: 'Recreate the bucket with CloudTrail\'s bucket policy, or point the trail at an existing bucket (update-trail).',
  run({ evidence: e }) {
    const trail = trailOf(e);
    const bucket = bucketOf(e);
    if (!trail || !bucket) return result();
    const head = e.steps.s4.head;
    const status = statusOf(e);
    const noSuchBucket = !!status?.latestDeliveryError && /NoSuchBucket/i.test(status.latestDeliveryError);
    const headAbsent = head.status === 'absent';

    if (!headAbsent && !noSuchBucket) {
      if (head.status === 'denied' || head.status === 'error') {
        const caller = callerAccount(e);
        const owner = trailAccount(e);
        const other = owner && caller && owner !== caller ? ` (the trail belongs to account ${owner}; the bucket may be there)` : '';
        return result(
          [],
          [
            {
              step: 4,
              what: `bucket ${safe(bucket)}: HeadBucket answered ${safe(head.errorCode ?? head.status, 60)}: it exists but is owned by another account or not readable by ${caller ? `account ${caller}` : 'the caller'}${other}`,
              needs: head.needs ?? 's3:ListBucket',
              ...(head.reason ? { reason: safe(head.reason, 500) } : {}),
            },
          ],
        );
      }
      return result();
    }

    const evidence: string[] = [];
    if (noSuchBucket) evidence.push(`step 2: LatestDeliveryError = ${safe(status!.latestDeliveryError, 200)}`);
    if (headAbsent) evidence.push(`step 4: HeadBucket ${safe(bucket)}: ${safe(head.errorCode ?? 'NotFound (404)', 60)}: the bucket does not exist`);
    if (!noSuchBucket && status && !status.latestDeliveryError) evidence.push('step 2: GetTrailStatus reports no delivery error yet (CloudTrail reports it on its next delivery attempt)');
    const deletes = changesNamed(e, ['DeleteBucket']).filter((c) => touches(c, [bucket]));
    const lastDelete = deletes[deletes.length - 1];
    if (lastDelete) evidence.push(describeChange(lastDelete));

    const region = homeRegion(e);
    const b = shellArg(bucket);
    const create =
      region === 'us-east-1'
        ? `aws s3api create-bucket --bucket ${b} --region us-east-1`
        : `aws s3api create-bucket --bucket ${b} --region ${region} --create-bucket-configuration LocationConstraint=${region}`;
    const newest = newestDelivery(e);
    const since = lastDelete?.eventTime ?? status?.latestDeliveryTime ?? (newest !== undefined ? isoOf(newest) : undefined);
    return result([
      {
        id: 's3-bucket-missing',
        confidence: 'confirmed',
        summary: `Bucket ${safe(bucket)}, the destination of trail ${safe(trail.name)}, does not exist: CloudTrail cannot deliver log files.`,
        evidence,
        remediation: {
          summary: `Recreate bucket ${safe(bucket)} in ${region} with the CloudTrail bucket policy (or point the trail to an existing bucket with update-trail --s3-bucket-name). CloudTrail retries undelivered logs for up to 30 days.`,
          commands: [
            create,
            `aws s3api put-public-access-block --bucket ${b} --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true`,
            `aws s3api put-bucket-policy --bucket ${b} --policy file://cloudtrail-bucket-policy.json`,
            `aws cloudtrail get-trail-status --name ${trailRef(e)} --region ${region}`,
          ],
          policy: cloudTrailBucketPolicy(e),
        },
        resources: [bucket],
        ...(since ? { since } : {}),
        data: { bucket, headBucket: head.status, latestDeliveryError: status?.latestDeliveryError ?? null },
      },
    ]);
  },
};
