import { partitionOf } from '../aws/arn.js';
import { CLOUDTRAIL_SERVICE, s3DeliveryRequests } from '../policy/cloudtrail-requests.js';
import { blockedKinds, describeBlocked, evaluateCloudTrailRequest } from '../policy/request-verdict.js';
import { widenEncryptionDenies } from '../policy/encryption-fix.js';
import { accessLoggingAdvice, loggedRefusals } from './access-log-evidence.js';
import type { PolicyVerdict, StatementRef } from '../policy/types.js';
import type { CauseDefinition, Unverified } from './types.js';
import { bucketStatementsFor, correctPolicy, explainDenied, refLabel, trailTargetOf, verdictData, type RequestVerdict } from './remediation-policies.js';
import { bucketOf, callerAccount, result, safe, shellArg, statusOf, trailAccount, trailOf, trailRef, homeRegion } from './util.js';

/**
 * Runbook step 4 (with step 2's delivery error): the bucket policy, judged for the exact requests
 * CloudTrail makes — s3:GetBucketAcl on the bucket, s3:PutObject of log (and digest) files under
 * `[prefix/]AWSLogs/[o-id/]<account>/` with `s3:x-amz-acl` and `aws:SourceArn` in the context — does
 * not allow them, or a Deny blocks them. No policy at all denies too (CloudTrail needs a grant).
 * A bucket that cannot be read (another account, missing permission) is unverified, never "missing".
 */
const NO_POLICY: PolicyVerdict = { decision: 'implicit-deny', allowedBy: [], deniedBy: [], notApplicable: [], notes: [], uncertain: false };

export const check: CauseDefinition = {
  id: 's3-bucket-policy-denies',
  title: 'Bucket policy does not let CloudTrail write',
  step: 4,
  severity: 'critical',
  precedence: { tier: 'bucket', rank: 20 },
  relations: { explainsSilence: true },
  triggerEvents: ['PutBucketPolicy', 'DeleteBucketPolicy', 'UpdateTrail'],
  reads: ['s1.trail', 's1.caller', 's2.status', 's4.head', 's4.policy', 's6.organizationId'],
  meaning: 'the bucket policy, evaluated for CloudTrail\'s exact requests (principal, action, key path with prefix and account or org id, `aws:SourceArn`, `aws:SourceAccount`, `s3:x-amz-acl`, explicit denies), does not let it write',
  fix: 'Put back a bucket policy letting cloudtrail.amazonaws.com run s3:GetBucketAcl and s3:PutObject on the trail\'s key path (trail-doctor prints the corrected policy).',
  run({ evidence: e, now }) {
    const trail = trailOf(e);
    const bucket = bucketOf(e);
    const target = trailTargetOf(e, now);
    if (!trail || !bucket || !target) return result();
    const s4 = e.steps.s4;
    const head = s4.head;
    const policy = s4.policy;
    // a bucket that does not exist is s3-bucket-missing's
    if (head.status === 'absent' || (policy.status === 'absent' && /NoSuchBucket(?!Policy)/i.test(policy.errorCode ?? ''))) return result();

    const status = statusOf(e);
    const deliveryError = status?.latestDeliveryError;
    const refusal = (msg: string | undefined) => !!msg && /AccessDenied|Access Denied|Forbidden|403/i.test(msg);
    const digestError = status?.latestDigestDeliveryError;

    if (policy.status !== 'ok' && policy.status !== 'absent') {
      if (policy.status === 'skipped' && head.status !== 'denied' && head.status !== 'error') return result();
      const caller = callerAccount(e);
      const owner = trailAccount(e);
      const unreadableBucket = head.status === 'denied' || head.status === 'error';
      const other =
        owner && caller && owner !== caller
          ? `; the bucket may belong to account ${owner}, which owns the trail`
          : unreadableBucket
            ? '; the bucket may belong to another account'
            : '';
      const u: Unverified = {
        step: 4,
        what: `bucket policy of ${safe(bucket)}${unreadableBucket ? ` (HeadBucket answered ${safe(head.errorCode ?? head.status, 60)}: the bucket is not readable from ${caller ? `account ${caller}` : 'this account'}${other})` : other ? ` (${other.slice(2)})` : ''}`,
        needs: policy.status === 'skipped' ? (head.needs ?? 's3:ListBucket') : (policy.needs ?? 's3:GetBucketPolicy'),
      };
      const reason = policy.reason ?? policy.errorCode ?? head.reason;
      if (reason) u.reason = safe(reason, 500);
      return result([], [u]);
    }

    const doc = policy.status === 'ok' ? policy.value : undefined;
    const requests = s3DeliveryRequests(target);
    const verdicts: RequestVerdict[] = requests.map((r) => ({ request: r, verdict: doc === undefined ? NO_POLICY : evaluateCloudTrailRequest(doc, r) }));
    const failing = verdicts.filter((rv) => rv.request.required && rv.verdict.decision !== 'allow');
    if (!failing.length) return result();
    const kinds = blockedKinds(verdicts);
    // digests are refused on their own (a deny of non-KMS uploads: digests are SSE-S3): their error is the digest one
    const digestsOnly = failing.every((rv) => rv.request.purpose === 'digest-write');
    // refused writes in the S3 access logs prove it even when the trail's status has since recovered
    const logged = loggedRefusals(e, digestsOnly ? ['digest-file'] : ['log-file', 'digest-file']);
    const accessDenied = (digestsOnly ? refusal(digestError) : refusal(deliveryError)) || !!logged?.accessDenied;

    // An organization trail whose organization id is unknown writes under AWSLogs/<o-id>/, which cannot
    // be judged: a missing grant on the account path alone proves nothing.
    const orgUnknown = trail.isOrganizationTrail && !target.orgId;
    if (orgUnknown && !accessDenied && failing.every((rv) => rv.request.purpose !== 'bucket-acl-check' && rv.verdict.decision === 'implicit-deny')) {
      return result(
        [],
        [
          {
            step: 6,
            what: `bucket policy of ${safe(bucket)} for organization trail ${safe(trail.name)}: the organization id (AWSLogs/<o-id>/ path) is unknown`,
            needs: e.steps.s6.organizationId.needs ?? 'organizations:DescribeOrganization',
          },
        ],
      );
    }

    const denyRefs = new Map<number, StatementRef>();
    for (const rv of failing) for (const d of rv.verdict.deniedBy) denyRefs.set(d.index, d);
    const denies = [...denyRefs.values()];

    const evidence: string[] = [];
    if (deliveryError && !digestsOnly) evidence.push(`step 2: LatestDeliveryError = ${safe(deliveryError, 300)}`);
    if (digestError && failing.some((rv) => rv.request.purpose === 'digest-write')) evidence.push(`step 2: LatestDigestDeliveryError = ${safe(digestError, 300)}`);
    if (doc === undefined) evidence.push(`step 4: bucket ${safe(bucket)} has no bucket policy (GetBucketPolicy: ${safe(policy.errorCode ?? 'NoSuchBucketPolicy', 60)}): nothing grants ${CLOUDTRAIL_SERVICE} access`);
    for (const rv of failing) evidence.push(...explainDenied(4, `bucket policy of ${safe(bucket)}`, rv));
    if (logged) evidence.push(...logged.evidence);
    evidence.push(...accessLoggingAdvice(e, bucket));
    if (trail.isOrganizationTrail && !target.orgId) evidence.push('step 6: the organization id is unknown: only the management account path was judged, not AWSLogs/<o-id>/');

    const uncertain = doc !== undefined && failing.every((rv) => rv.verdict.uncertain || !!rv.verdict.error);
    // a verdict resting on an undocumented header, while log files still arrive: the header CloudTrail sends passes
    const lastDelivery = status?.latestDeliveryTime ? Date.parse(status.latestDeliveryTime) : NaN;
    const deliveringNow = !deliveryError && now.getTime() - lastDelivery <= 30 * 60_000;
    const confidence = uncertain && !accessDenied ? (deliveringNow && !digestsOnly ? 'possible' : 'likely') : 'confirmed';

    const actions = [...new Set(failing.map((rv) => rv.request.action))].join(' and ');
    const paths = [...new Set(failing.map((rv) => rv.request.grantPrefix && (digestsOnly ? `${rv.request.grantPrefix}CloudTrail-Digest/` : rv.request.grantPrefix)).filter(Boolean))] as string[];
    const what = `${actions}${paths.length ? ` on ${paths.map((p) => `${safe(p, 300)}*`).join(', ')}` : ''}`;
    const why = doc === undefined ? 'it has no bucket policy' : denies.length ? `${denies.map(refLabel).join(', ')} denies it` : 'no statement allows it';
    const blocked = describeBlocked(kinds);
    const digestNote = digestsOnly
      ? ' Digest files are always SSE-S3 (AES256), even when the trail encrypts its log files with KMS: a policy that requires aws:kms must accept AES256 too, or log file integrity validation breaks.'
      : '';
    const summary = `Bucket policy of ${safe(bucket)} does not let ${CLOUDTRAIL_SERVICE} run ${what} for trail ${safe(trail.name)}: ${why}${blocked ? `; it blocks ${blocked}` : ''}.${digestNote}`;

    // a Deny that only refuses CloudTrail's encryption header is widened (AWS's advice), not removed
    const widen = widenEncryptionDenies(doc, failing, denies);
    const widenedIdx = new Set(widen?.widened.map((r) => r.index));
    const corrected = correctPolicy(
      widen?.document ?? doc,
      bucketStatementsFor(
        target,
        failing.filter((rv) => !rv.verdict.allowedBy.length || !rv.verdict.deniedBy.every((d) => widenedIdx.has(d.index))).map((rv) => rv.request),
      ),
      denies.filter((d) => !widenedIdx.has(d.index)),
    );
    const b = shellArg(bucket);
    const steps: string[] = [];
    if (corrected.added.length) steps.push(`adds ${corrected.added.join(', ')} for trail ${safe(trail.arn)}`);
    if (widen) steps.push(`widens ${widen.widened.map(refLabel).join(', ')} to accept the encryption CloudTrail sends (${[...new Set(failing.map((rv) => rv.request.context['s3:x-amz-server-side-encryption']).filter((v) => typeof v === 'string'))].join(', ')})`);
    if (corrected.removed.length) steps.push(`removes ${corrected.removed.join(', ')}, which blocks CloudTrail (if it guards other access, narrow it instead, e.g. exclude ${CLOUDTRAIL_SERVICE} with aws:PrincipalServiceName)`);
    const commands = [
      ...(doc !== undefined ? [`aws s3api get-bucket-policy --bucket ${b} --query Policy --output text > bucket-policy-backup.json`] : []),
      `aws s3api put-bucket-policy --bucket ${b} --policy file://policy.json`,
      `aws cloudtrail get-trail-status --name ${trailRef(e)} --region ${homeRegion(e)}`,
    ];

    return result([
      {
        id: 's3-bucket-policy-denies',
        confidence,
        summary,
        evidence,
        remediation: {
          summary: `Write the corrected policy below to policy.json and apply it to ${safe(bucket)}: it keeps the existing statements, ${steps.join('; ') || 'grants CloudTrail the access it needs'}.`,
          commands,
          policy: corrected.policy,
        },
        resources: [bucket, `arn:${partitionOf(target.trailArn)}:s3:::${bucket}`],
        // the first refused write (access logs) dates the outage to the minute, better than the last delivery
        ...(logged?.start && logged.accessDenied
          ? { since: logged.start }
          : accessDenied && !digestsOnly && status?.latestDeliveryTime
            ? { since: status.latestDeliveryTime }
            : accessDenied && digestsOnly && status?.latestDigestDeliveryTime
              ? { since: status.latestDigestDeliveryTime }
              : {}),
        data: {
          bucket,
          policyPresent: doc !== undefined,
          latestDeliveryError: deliveryError ?? null,
          blocks: kinds,
          deniedBy: denies,
          removedStatements: corrected.removed,
          widenedStatements: (widen?.widened ?? []).map(refLabel),
          addedStatements: corrected.added,
          requests: verdictData(verdicts),
        },
      },
    ]);
  },
};
