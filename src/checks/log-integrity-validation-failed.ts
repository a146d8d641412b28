import type { CauseDefinition } from './types.js';
import { bucketOf, homeRegion, result, safe, shellArg, trailOf, trailRef } from './util.js';

/**
 * Runbook fallback: "Check for CloudTrail log file integrity validation failures that might indicate
 * tampering or corruption." Reads evidence.integrity (src/integrity: the digest chain validated over
 * the window) and names the files concerned.
 */
export const check: CauseDefinition = {
  id: 'log-integrity-validation-failed',
  title: 'Log file integrity validation failed (files modified, deleted or unaccounted for)',
  step: 6,
  severity: 'high',
  precedence: { tier: 'fallback', rank: 40 },
  triggerEvents: ['PutBucketLifecycle', 'PutBucketLifecycleConfiguration'],
  reads: ['s1.trail', 's4.bucket', 'integrity'],
  meaning: 'digest or log files were modified, deleted or are missing from the digest chain',
  fix: 'Treat it as a security incident: find who modified or deleted the files (S3 data events, server access logs) and restore them from a replica.',
  noDemo: 'needs a digest chain (evidence.integrity) from the validator; the validator has its own end-to-end tests against moto.',
  run({ evidence: e }) {
    const trail = trailOf(e);
    const integ = e.integrity;
    if (!trail || !trail.logFileValidationEnabled || integ === undefined) return result();
    if (integ.status === 'unverified') {
      return result(
        [],
        [{ step: 6, what: 'log file integrity (digest chain validation)', needs: integ.needs ?? 's3:GetObject, s3:ListBucket, cloudtrail:ListPublicKeys', ...(integ.reason ? { reason: safe(integ.reason, 300) } : {}) }],
      );
    }
    const s = integ.summary;
    if (!s) return result();
    const badDigests = s.digests.invalid + s.digests.missing;
    const badLogs = s.logs.invalid + s.logs.missing;
    const unlisted = s.logs.unlisted;
    const links = s.linkMismatches ?? 0;
    if (badDigests + badLogs + unlisted + links === 0) return result();

    const parts: string[] = [];
    if (s.digests.invalid) parts.push(`${s.digests.invalid} digest file${plural(s.digests.invalid)} invalid`);
    if (s.digests.missing) parts.push(`${s.digests.missing} digest file${plural(s.digests.missing)} missing`);
    if (s.logs.invalid) parts.push(`${s.logs.invalid} log file${plural(s.logs.invalid)} modified or corrupt`);
    if (s.logs.missing) parts.push(`${s.logs.missing} log file${plural(s.logs.missing)} deleted`);
    if (unlisted) parts.push(`${unlisted} log file${plural(unlisted)} named by no digest`);
    if (links) parts.push(`${links} broken digest link${plural(links)}`);
    const evidence = [
      `fallback: digest chain validated ${integ.window.start} to ${integ.window.end}: digests ${s.digests.valid} valid, ${s.digests.invalid} invalid, ${s.digests.missing} missing; log files ${s.logs.valid} valid, ${s.logs.invalid} invalid, ${s.logs.missing} missing, ${unlisted} unlisted`,
      ...integ.problems.slice(0, 20).map((p) => `step 6: ${p.kind === 'log' ? 'log file' : p.kind === 'digest' ? 'digest file' : 'backfill digest file'} s3://${safe(p.bucket, 100)}/${safe(p.key, 400)}: ${p.verdict === 'valid' ? 'valid' : `${p.verdict.toUpperCase()}${p.reason ? `: ${safe(p.reason, 200)}` : ''}`}`),
      ...(integ.problems.length > 20 || integ.problemsTruncated ? ['…more files: run `trail-doctor validate --verbose` for the full list'] : []),
      ...(integ.notices ?? []).slice(0, 5).map((n) => `fallback: ${safe(n, 300)}`),
    ];
    const bucket = bucketOf(e) ?? integ.bucket ?? 'BUCKET';
    return result([
      {
        id: 'log-integrity-validation-failed',
        confidence: 'confirmed',
        summary: `Log file integrity validation of trail ${safe(trail.name)} failed: ${parts.join(', ')} between ${integ.window.start} and ${integ.window.end}.`,
        evidence,
        remediation: {
          summary:
            'Treat the files as possibly tampered with: find who deleted or overwrote them (S3 data events or server access logs for the bucket), restore them from versioning or a replica if you can, and protect the bucket (deny s3:DeleteObject/PutObject to everyone but CloudTrail, enable versioning and MFA delete or S3 Object Lock).',
          commands: [
            `npx trail-doctor validate --trail ${trailRef(e)} --region ${homeRegion(e)} --start ${integ.window.start} --end ${integ.window.end} --verbose`,
            `aws cloudtrail validate-logs --trail-arn ${shellArg(trail.arn)} --start-time ${integ.window.start} --end-time ${integ.window.end} --region ${homeRegion(e)} --verbose`,
            `aws s3api get-bucket-versioning --bucket ${shellArg(bucket)}`,
            `aws s3api list-object-versions --bucket ${shellArg(bucket)} --prefix ${shellArg(trail.s3KeyPrefix ? `${trail.s3KeyPrefix.replace(/\/+$/, '')}/AWSLogs/` : 'AWSLogs/')} --max-items 50`,
          ],
        },
        resources: [trail.name, trail.arn, bucket],
        data: { summary: s, problems: integ.problems, chains: integ.chains ?? [] },
      },
    ]);
  },
};

const plural = (n: number) => (n === 1 ? '' : 's');
