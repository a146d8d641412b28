import { evaluatePolicy } from '../policy/evaluate.js';
import { kmsRequests, s3DeliveryRequests } from '../policy/cloudtrail-requests.js';
import { evaluateCloudTrailRequest } from '../policy/request-verdict.js';
import type { CauseDefinition, Confidence } from './types.js';
import { trailTargetOf } from './remediation-policies.js';
import { bucketOf, callerAccount, duration, MINUTE, ms, newestDelivery, result, safe, shellArg, statusOf, trailOf, valueOf } from './util.js';

/**
 * Fallback: CloudTrail reports AccessDenied writing to S3 while the bucket policy (and the KMS key
 * policy, when SSE-KMS is used) evaluate as allowing CloudTrail's exact requests. What is left is a
 * policy above the account: an organization's resource control policy (RCP) on the bucket or key
 * (RCPs apply to AWS service principals unless they exempt them, and do not apply to the management
 * account's resources). SCPs restrict the account's IAM principals, not CloudTrail's service principal.
 * RCPs are not readable without Organizations access, so this is `likely` at most. It is the residue
 * of the bucket causes: when one of them is found (Requester Pays, a disabled key, ...), the diagnosis
 * drops this finding.
 */
export const check: CauseDefinition = {
  id: 'organization-policy-denies',
  title: 'An organization policy denies delivery',
  step: 4,
  severity: 'critical',
  precedence: { tier: 'bucket', rank: 50 },
  relations: { residueOf: ['s3-bucket-missing', 's3-bucket-policy-denies', 's3-kms-key-denies', 's3-requester-pays'], explainsSilence: true },
  triggerEvents: [],
  reads: ['s1.trail', 's1.caller', 's2.status', 's4.head', 's4.location', 's4.policy', 's4.encryption', 's4.kmsKeySource', 's4.kmsKey', 's4.kmsKeyPolicy', 's6.listing'],
  meaning: 'access denied while bucket and key policies allow: a resource control policy of the organization is the likely cause',
  fix: 'From the management account, exempt AWS service principals from the resource control policy\'s Deny, or allow cloudtrail.amazonaws.com for this trail.',
  noDemo: 'a resource control policy lives in the management account; a recorded member account can only show its absence of other causes, which the check table covers.',
  run({ evidence: e, now }) {
    const trail = trailOf(e);
    const status = statusOf(e);
    const bucket = bucketOf(e);
    const target = trailTargetOf(e, now);
    if (!trail || !status || !bucket || !target) return result();
    const error = status.latestDeliveryError ?? status.latestDigestDeliveryError;
    if (!error || !/AccessDenied|Access Denied|Forbidden|403/i.test(error)) return result();
    // deliveries still arriving: the error is old, nothing to explain
    const newest = newestDelivery(e);
    const lastOk = ms(status.latestDeliveryTime);
    if (newest !== undefined && lastOk !== undefined && now.getTime() - newest <= 30 * MINUTE && now.getTime() - lastOk <= 30 * MINUTE) return result();

    const s4 = e.steps.s4;
    if (s4.head.status !== 'ok') return result();
    const policy = valueOf(s4.policy);
    if (policy === undefined) return result(); // no policy or unreadable: the bucket-policy check speaks
    const s3Verdicts = s3DeliveryRequests(target)
      .filter((r) => r.required)
      .map((r) => ({ r, v: evaluateCloudTrailRequest(policy, r) }));
    if (!s3Verdicts.length || s3Verdicts.some(({ v }) => v.decision !== 'allow' || v.uncertain || v.error)) return result();

    const evidence = [
      `step 2: ${status.latestDeliveryError ? 'LatestDeliveryError' : 'LatestDigestDeliveryError'} = ${safe(error, 300)}`,
      `step 4: the bucket policy of ${safe(bucket)} allows every request CloudTrail makes (${s3Verdicts.map(({ r }) => r.action).filter((a, i, xs) => xs.indexOf(a) === i).join(', ')})`,
    ];
    if (lastOk !== undefined) evidence.push(`step 2: last successful delivery ${safe(status.latestDeliveryTime, 40)}, ${duration(now.getTime() - lastOk)} ago`);
    let confidence: Confidence = 'likely';

    // SSE-KMS: the key policy must allow too, else the key check explains it
    const enc = valueOf(s4.encryption);
    const kmsUsed = !!trail.kmsKeyId || (!!enc && /aws:kms/i.test(enc.algorithm));
    if (kmsUsed) {
      const key = valueOf(s4.kmsKey);
      const keyPolicy = valueOf(s4.kmsKeyPolicy);
      if (key && keyPolicy !== undefined) {
        const source = s4.kmsKeySource ?? (trail.kmsKeyId ? 'trail' : 'bucket-default');
        const bucketRegion = valueOf(s4.location)?.region ?? valueOf(s4.head)?.region;
        const kv = kmsRequests(
          { ...target, kmsKeyArn: key.arn },
          { source, ...(bucketRegion ? { bucketRegion } : {}), ...(enc?.bucketKeyEnabled !== undefined ? { bucketKeyEnabled: enc.bucketKeyEnabled } : {}) },
        ).map((r) => evaluatePolicy(keyPolicy, r));
        if (kv.some((v) => v.decision !== 'allow' || v.uncertain || v.error)) return result();
        evidence.push(`step 4: the key policy of ${safe(key.arn)} allows CloudTrail's kms:GenerateDataKey and kms:DescribeKey`);
      } else {
        confidence = 'possible';
        evidence.push('step 4: the KMS key or its policy could not be read, so the key remains a candidate');
      }
    }
    evidence.push('step 4: nothing in the account explains the denial: an organization resource control policy (RCP) on the bucket or key is the remaining candidate');

    const account = callerAccount(e) ?? 'ACCOUNT_ID';
    return result(
      [
        {
          id: 'organization-policy-denies',
          confidence,
          summary: `CloudTrail is denied writing to ${safe(bucket)} although the bucket${kmsUsed ? ' and key policies allow' : ' policy allows'} it: an AWS Organizations resource control policy most likely blocks cloudtrail.amazonaws.com.`,
          evidence,
          remediation: {
            summary:
              'From the management account (or a delegated administrator), list the RCPs that apply to the bucket\'s account and exempt AWS service principals in their Deny statements (condition "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}), or allow cloudtrail.amazonaws.com with aws:SourceArn = the trail ARN.',
            commands: [
              `aws organizations list-policies-for-target --target-id ${shellArg(account)} --filter RESOURCE_CONTROL_POLICY`,
              'aws organizations list-policies --filter RESOURCE_CONTROL_POLICY',
              'aws organizations describe-policy --policy-id POLICY_ID',
            ],
          },
          resources: [bucket, ...(trail.kmsKeyId ? [trail.kmsKeyId] : [])],
          ...(status.latestDeliveryTime ? { since: status.latestDeliveryTime } : {}),
          data: { error: safe(error, 1000), bucket, kmsUsed, bucketAccount: account },
        },
      ],
      [
        {
          step: 4,
          what: `resource control policies of the organization applying to account ${account}`,
          needs: 'organizations:ListPoliciesForTarget, organizations:DescribePolicy (management account or delegated administrator)',
        },
      ],
    );
  },
};
