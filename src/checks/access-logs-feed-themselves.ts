import type { CauseDefinition } from './types.js';
import { bucketOf, result, safe, shellArg } from './util.js';

/**
 * Runbook fallback (S3 server access logs): the trail's bucket writes its access logs into itself.
 * Every access log object S3 delivers is a write to the bucket, which is logged again: the logs
 * feed on themselves, grow without end, and bury CloudTrail's own writes among S3's. It is not a
 * delivery fault; AWS recommends a separate target bucket.
 */
export const check: CauseDefinition = {
  id: 'access-logs-feed-themselves',
  title: "The trail bucket's server access logs are written into the bucket itself",
  step: 4,
  severity: 'low',
  precedence: { tier: 'fallback', rank: 95 },
  // The change is PutBucketLogging, which step 9 does not collect: a state, judged as it is now.
  triggerEvents: [],
  state: true,
  reads: ['s4.accessLogs'],
  meaning: "the trail bucket's server access logs are delivered into the same bucket, so they log themselves",
  fix: 'Send the access logs to a separate bucket (put-bucket-logging with another TargetBucket).',
  noDemo: 'it needs S3 server access logging evidence, which the recorded demo accounts do not carry; the check table and the access-log end-to-end test cover it.',
  run({ evidence: e }) {
    const p = e.steps.s4.accessLogs;
    const c = p?.status === 'ok' ? p.value?.config : undefined;
    if (!c?.enabled || !c.selfTargeting) return result();
    const bucket = bucketOf(e) ?? c.targetBucket ?? '';
    const where = c.insideTrailPrefix ? ", inside the trail's own key prefix" : '';
    return result([
      {
        id: 'access-logs-feed-themselves',
        confidence: 'possible',
        summary: `S3 server access logs of ${safe(bucket)} are written into ${safe(bucket)} itself${where}: every access log delivery is logged again. Not a delivery fault.`,
        evidence: [`step 4: GetBucketLogging TargetBucket = ${safe(c.targetBucket ?? bucket)}, TargetPrefix = ${safe(c.targetPrefix || '(none)', 200)}${where}`],
        remediation: {
          summary: `Deliver the access logs of ${safe(bucket)} to a separate bucket (one whose policy lets logging.s3.amazonaws.com write), then delete the old access log objects from ${safe(bucket)}.`,
          commands: [
            `aws s3api put-bucket-logging --bucket ${shellArg(bucket)} --bucket-logging-status '{"LoggingEnabled":{"TargetBucket":"ACCESS_LOG_BUCKET","TargetPrefix":"${safe(bucket, 63)}/"}}'`,
            `aws s3api get-bucket-logging --bucket ${shellArg(bucket)}`,
          ],
        },
        resources: [bucket],
        data: { targetBucket: c.targetBucket ?? null, targetPrefix: c.targetPrefix ?? null, insideTrailPrefix: c.insideTrailPrefix ?? false },
      },
    ]);
  },
};
