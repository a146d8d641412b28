import type { RootCauseId } from './types.js';
import type { CauseDefinition } from './types.js';
import { bucketOf, duration, homeRegion, MINUTE, ms, newestDelivery, result, safe, shellArg, statusOf, trailOf, trailRef } from './util.js';

/** Root causes an S3 delivery error text points to; the diagnosis prefers them when they are found. */
export function s3ErrorExplainedBy(error: string): RootCauseId[] {
  const out: RootCauseId[] = [];
  if (/NoSuchBucket/i.test(error)) out.push('s3-bucket-missing');
  if (/kms|KMS\.|encrypt/i.test(error)) out.push('s3-kms-key-denies');
  if (/requester ?pays|RequestPayer/i.test(error)) out.push('s3-requester-pays');
  if (/AccessDenied|Forbidden|403|not authorized/i.test(error)) {
    out.push('s3-bucket-policy-denies', 'organization-policy-denies');
    if (!out.includes('s3-kms-key-denies')) out.push('s3-kms-key-denies');
  }
  return [...new Set(out)];
}

/**
 * Runbook step 2: CloudTrail reports an S3 delivery error (log or digest files). Reported as
 * `likely` with `data.explainedBy`: the diagnosis drops it when a more specific cause explains it.
 */
export const check: CauseDefinition = {
  id: 's3-delivery-error',
  title: 'CloudTrail reports an S3 delivery error',
  step: 2,
  severity: 'high',
  precedence: { tier: 'trail', rank: 50 },
  relations: { residueOf: ['s3-bucket-missing', 's3-bucket-policy-denies', 's3-kms-key-denies', 's3-requester-pays', 'organization-policy-denies', 'organization-trail-misconfigured'], explainsSilence: true },
  triggerEvents: ['PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketAcl', 'PutBucketEncryption', 'PutBucketOwnershipControls', 'UpdateTrail'],
  reads: ['s1.trail', 's2.status', 's4.bucket', 's6.listing'],
  meaning: 'CloudTrail reports an S3 delivery error none of the above explains',
  fix: 'Fix the cause the error names (bucket policy, key, ownership), then confirm GetTrailStatus shows a new delivery.',
  run({ evidence: e, now }) {
    const trail = trailOf(e);
    const status = statusOf(e);
    if (!trail || !status) return result();
    const logError = status.latestDeliveryError;
    const digestError = status.latestDigestDeliveryError;
    if (!logError && !digestError) return result();
    const bucket = bucketOf(e) ?? 'BUCKET';
    const error = logError ?? digestError!;
    const explainedBy = s3ErrorExplainedBy([logError, digestError].filter(Boolean).join(' '));

    const evidence: string[] = [];
    if (logError) evidence.push(`step 2: LatestDeliveryError = ${safe(logError, 300)}`);
    if (digestError) evidence.push(`step 2: LatestDigestDeliveryError = ${safe(digestError, 300)}`);
    if (status.latestDeliveryTime) evidence.push(`step 2: LatestDeliveryTime = ${safe(status.latestDeliveryTime, 40)} (last successful delivery)`);

    // A reported error while log files keep arriving is an old or intermittent one.
    const newest = newestDelivery(e);
    const lastOk = ms(status.latestDeliveryTime);
    const current = logError && newest !== undefined && now.getTime() - newest <= 30 * MINUTE && lastOk !== undefined && now.getTime() - lastOk <= 30 * MINUTE;
    if (current) evidence.push(`step 6: the newest log file was delivered ${duration(now.getTime() - newest!)} ago: deliveries are current, the error is old or intermittent`);

    const b = shellArg(bucket);
    return result([
      {
        id: 's3-delivery-error',
        confidence: current ? 'possible' : 'likely',
        summary: `CloudTrail reports ${logError ? '' : 'digest '}delivery error "${safe(error, 200)}" writing to bucket ${safe(bucket)} for trail ${safe(trail.name)}.`,
        evidence,
        remediation: {
          summary: explainedBy.length
            ? `The error points to ${explainedBy.join(' / ')}: fix that cause (see its remediation), then confirm delivery resumes.`
            : `Inspect the bucket's policy, encryption, ownership and object lock settings against the error, then confirm delivery resumes.`,
          commands: [
            `aws cloudtrail get-trail-status --name ${trailRef(e)} --region ${homeRegion(e)}`,
            `aws s3api get-bucket-policy --bucket ${b}`,
            `aws s3api get-bucket-encryption --bucket ${b}`,
            `aws s3api get-bucket-ownership-controls --bucket ${b}`,
          ],
        },
        resources: [bucket],
        ...(status.latestDeliveryTime ? { since: status.latestDeliveryTime } : {}),
        data: { error: safe(error, 1000), kind: logError ? 'log' : 'digest', digestError: digestError ? safe(digestError, 1000) : null, explainedBy, deliveriesCurrent: !!current },
      },
    ]);
  },
};
