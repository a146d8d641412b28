import { evaluatePolicy } from '../policy/evaluate.js';
import { CLOUDTRAIL_SERVICE, kmsRequests } from '../policy/cloudtrail-requests.js';
import { arnAccount, arnRegion } from '../policy/match.js';
import type { StatementRef } from '../policy/types.js';
import { loggedRefusals } from './access-log-evidence.js';
import type { CauseDefinition, Confidence, Unverified } from './types.js';
import { correctPolicy, explainDenied, keyStatementsFor, refLabel, trailTargetOf, verdictData, type RequestVerdict } from './remediation-policies.js';
import { callerAccount, result, safe, shellArg, statusOf, trailOf, trailRef, homeRegion, valueOf } from './util.js';

/**
 * Runbook step 4: SSE-KMS is in play (the trail's KmsKeyId, or the bucket's default aws:kms key) and
 * the key cannot be used: disabled, pending deletion, gone, in another region than the bucket, or its
 * key policy does not let cloudtrail.amazonaws.com run kms:GenerateDataKey* (with this trail's
 * encryption context) and kms:DescribeKey. A key that cannot be read is unverified, naming its account.
 */
export const check: CauseDefinition = {
  id: 's3-kms-key-denies',
  title: 'KMS key does not let CloudTrail encrypt',
  step: 4,
  severity: 'critical',
  precedence: { tier: 'bucket', rank: 30 },
  relations: { explainsSilence: true },
  triggerEvents: ['PutKeyPolicy', 'DisableKey', 'ScheduleKeyDeletion', 'UpdateTrail', 'PutBucketEncryption'],
  reads: ['s1.trail', 's1.caller', 's2.status', 's4.head', 's4.location', 's4.encryption', 's4.kmsKeySource', 's4.kmsKey', 's4.kmsKeyPolicy'],
  meaning: 'SSE-KMS key disabled, pending deletion, in another region than the bucket, or its policy does not allow CloudTrail `kms:GenerateDataKey*` for this trail\'s encryption context',
  fix: 'Enable the key, cancel its deletion, or give cloudtrail.amazonaws.com kms:GenerateDataKey* and kms:DescribeKey in its key policy.',
  run({ evidence: e, now }) {
    const trail = trailOf(e);
    const target = trailTargetOf(e, now);
    if (!trail || !target) return result();
    const s4 = e.steps.s4;
    const enc = valueOf(s4.encryption);
    const bucketKms = !!enc && /aws:kms/i.test(enc.algorithm);
    if (!trail.kmsKeyId && !bucketKms && !s4.kmsKeySource) return result();
    const source: 'trail' | 'bucket-default' = s4.kmsKeySource ?? (trail.kmsKeyId ? 'trail' : 'bucket-default');
    const keyProbe = s4.kmsKey;
    const key = valueOf(keyProbe);
    const keyRef = key?.arn ?? (source === 'trail' ? trail.kmsKeyId : enc?.kmsKeyId);
    const keyName = safe(keyRef ?? 'the aws/s3 AWS managed key', 300);
    const keyAccount = key?.accountId ?? (keyRef ? arnAccount(keyRef) : undefined);
    const caller = callerAccount(e);
    const otherAccount = keyAccount && caller && keyAccount !== caller ? keyAccount : undefined;
    const keyRegion = keyRef ? arnRegion(keyRef) : undefined;
    const kmsRegion = shellArg(keyRegion ?? homeRegion(e));
    const keyArg = shellArg(keyRef ?? 'KEY_ID');

    const status = statusOf(e);
    const deliveryError = status?.latestDeliveryError;
    const logged = loggedRefusals(e, ['log-file']);
    const kmsError = (!!deliveryError && /kms|KMS\.|encrypt/i.test(deliveryError)) || !!logged?.kms;

    const evidence: string[] = [];
    const unverified: Unverified[] = [];
    const problems: string[] = [];
    const commands: string[] = [];
    let confidence: Confidence = 'confirmed';
    let policy: unknown;
    let data: Record<string, unknown> = { keyId: keyRef ?? null, keySource: source, latestDeliveryError: deliveryError ?? null };
    const soften = () => {
      if (!kmsError) confidence = 'likely';
    };

    if (deliveryError) evidence.push(`step 2: LatestDeliveryError = ${safe(deliveryError, 300)}`);
    if (logged?.kms) evidence.push(...logged.evidence);
    evidence.push(
      source === 'trail'
        ? `step 2: the trail encrypts log files with KMS key ${keyName}`
        : `step 4: bucket default encryption is ${safe(enc?.algorithm ?? 'aws:kms', 40)} with key ${keyName}`,
    );
    if (source === 'bucket-default') {
      // AWS documents no encryption header on the log files of a trail without a key: if CloudTrail
      // sends none, S3 applies this default key on its behalf; if it sends AES256, the key is never
      // used. Without a KMS error from CloudTrail, a verdict on the key is likely, not proven.
      soften();
      evidence.push("step 4: the trail has no KMS key of its own; whether S3 applies the bucket's default key to CloudTrail's log files depends on an encryption header AWS does not document for them");
      data = { ...data, hingesOnUndocumentedHeader: true };
    }

    const notReadable = (what: string, p: { needs?: string; reason?: string; errorCode?: string; status: string }, needs: string) => {
      const u: Unverified = {
        step: 4,
        what: `${what} of ${keyName}${otherAccount ? ` (the key belongs to account ${otherAccount}, not ${caller})` : ''}`,
        needs: p.needs ?? needs,
      };
      const reason = p.reason ?? p.errorCode;
      if (reason) u.reason = safe(reason, 500);
      unverified.push(u);
    };

    // ---- the key itself
    if (keyProbe.status === 'absent') {
      problems.push(`KMS key ${keyName} does not exist (deleted, or the alias points nowhere)`);
      evidence.push(`step 4: DescribeKey ${keyName}: ${safe(keyProbe.errorCode ?? 'NotFoundException', 60)}`);
      commands.push(
        `aws kms create-key --region ${shellArg(homeRegion(e))} --description ${shellArg(`CloudTrail logs of ${trail.name}`)}`,
        source === 'trail'
          ? `aws cloudtrail update-trail --name ${trailRef(e)} --region ${homeRegion(e)} --kms-key-id NEW_KEY_ARN`
          : `aws s3api put-bucket-encryption --bucket ${shellArg(target.bucket)} --server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"NEW_KEY_ARN"}}]}'`,
      );
    } else if (keyProbe.status === 'denied' || keyProbe.status === 'error') {
      notReadable('key state (DescribeKey)', keyProbe, 'kms:DescribeKey');
    } else if (key) {
      data = { ...data, keyArn: key.arn, keyState: key.keyState, ...(key.deletionDate ? { deletionDate: key.deletionDate } : {}) };
      if (key.keyState === 'PendingDeletion' || key.keyState === 'PendingReplicaDeletion') {
        problems.push(`KMS key ${keyName} is pending deletion${key.deletionDate ? ` (deleted on ${safe(key.deletionDate, 40)})` : ''}`);
        evidence.push(`step 4: DescribeKey ${keyName}: KeyState = ${safe(key.keyState, 40)}${key.deletionDate ? `, DeletionDate = ${safe(key.deletionDate, 40)}` : ''}`);
        commands.push(`aws kms cancel-key-deletion --key-id ${keyArg} --region ${kmsRegion}`, `aws kms enable-key --key-id ${keyArg} --region ${kmsRegion}`);
      } else if (key.keyState === 'Disabled' || !key.enabled) {
        problems.push(`KMS key ${keyName} is disabled`);
        evidence.push(`step 4: DescribeKey ${keyName}: KeyState = ${safe(key.keyState, 40)}, Enabled = ${key.enabled}`);
        commands.push(`aws kms enable-key --key-id ${keyArg} --region ${kmsRegion}`);
      } else if (key.keyState !== 'Enabled') {
        problems.push(`KMS key ${keyName} is in state ${safe(key.keyState, 40)}, not Enabled`);
        evidence.push(`step 4: DescribeKey ${keyName}: KeyState = ${safe(key.keyState, 40)}`);
        soften();
      }
      const bucketRegion = valueOf(s4.location)?.region ?? valueOf(s4.head)?.region;
      const region = arnRegion(key.arn);
      if (bucketRegion && region && bucketRegion !== region) {
        problems.push(`KMS key ${keyName} is in ${safe(region, 40)} but bucket ${safe(target.bucket)} is in ${safe(bucketRegion, 40)} (AWS requires the key in the bucket's region)`);
        evidence.push(`step 4: key region ${safe(region, 40)} ≠ bucket region ${safe(bucketRegion, 40)}`);
        commands.push(`aws kms create-key --region ${shellArg(bucketRegion)} --description ${shellArg(`CloudTrail logs of ${trail.name}`)}`);
        if (source === 'trail') commands.push(`aws cloudtrail update-trail --name ${trailRef(e)} --region ${homeRegion(e)} --kms-key-id NEW_KEY_ARN`);
      }
    }

    // ---- the key policy, judged for CloudTrail's requests
    const keyPolicy = s4.kmsKeyPolicy;
    const awsManaged = key?.keyManager === 'AWS' || (source === 'bucket-default' && !enc?.kmsKeyId && !key);
    if (keyPolicy.status === 'denied' || keyPolicy.status === 'error') {
      notReadable('key policy', keyPolicy, 'kms:GetKeyPolicy');
    } else if (keyPolicy.status === 'ok' && keyPolicy.value !== undefined && !awsManaged && keyRef && keyProbe.status !== 'absent') {
      const arn = key?.arn ?? keyRef;
      const bucketRegion = valueOf(s4.location)?.region ?? valueOf(s4.head)?.region;
      const requests = kmsRequests(
        { ...target, kmsKeyArn: arn },
        { source, ...(bucketRegion ? { bucketRegion } : {}), ...(enc?.bucketKeyEnabled !== undefined ? { bucketKeyEnabled: enc.bucketKeyEnabled } : {}) },
      );
      const verdicts: RequestVerdict[] = requests.map((r) => ({ request: r, verdict: evaluatePolicy(keyPolicy.value, r) }));
      const failing = verdicts.filter((rv) => rv.verdict.decision !== 'allow');
      data = { ...data, requests: verdictData(verdicts) };
      if (failing.length) {
        const denyRefs = new Map<number, StatementRef>();
        for (const rv of failing) for (const d of rv.verdict.deniedBy) denyRefs.set(d.index, d);
        const denies = [...denyRefs.values()];
        const actions = failing.map((rv) => rv.request.action).join(' and ');
        problems.push(
          `the key policy of ${keyName} does not let ${CLOUDTRAIL_SERVICE} run ${actions}${source === 'trail' ? ` for trail ${safe(trail.arn)}` : ''}${denies.length ? `: ${denies.map(refLabel).join(', ')} denies it` : ''}`,
        );
        for (const rv of failing) evidence.push(...explainDenied(4, `key policy of ${keyName}`, rv));
        const generateFails = failing.some((rv) => rv.request.purpose === 'kms-generate-data-key');
        if (!generateFails || failing.every((rv) => rv.verdict.uncertain || rv.verdict.error)) soften();
        const corrected = correctPolicy(
          keyPolicy.value,
          keyStatementsFor(
            target,
            failing.map((rv) => rv.request),
            source,
          ),
          denies,
        );
        policy = corrected.policy;
        data = { ...data, deniedBy: denies, removedStatements: corrected.removed, addedStatements: corrected.added };
        commands.push(
          `aws kms get-key-policy --key-id ${shellArg(arn)} --policy-name default --output text --region ${kmsRegion} > key-policy-backup.json`,
          `aws kms put-key-policy --key-id ${shellArg(arn)} --policy-name default --policy file://key-policy.json --region ${kmsRegion}`,
        );
      }
    }

    if (!problems.length) return result([], unverified);
    if (kmsError) evidence.push('step 2: the delivery error names KMS or encryption, which this explains');
    const removed = (data.removedStatements as string[] | undefined) ?? [];
    return result(
      [
        {
          id: 's3-kms-key-denies',
          confidence,
          summary: `CloudTrail cannot encrypt log files of trail ${safe(trail.name)} with KMS key ${keyName}: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : ''}.`,
          evidence,
          remediation: {
            summary:
              problems.join('; ') +
              '. ' +
              (policy
                ? `Write the corrected key policy below to key-policy.json: it keeps the existing statements and adds CloudTrail's${removed.length ? `, and removes ${removed.join(', ')}` : ''}.`
                : 'Run the commands below, then confirm delivery resumes.'),
            commands: [...new Set(commands), `aws cloudtrail get-trail-status --name ${trailRef(e)} --region ${homeRegion(e)}`],
            ...(policy ? { policy } : {}),
          },
          resources: [...new Set([keyRef, key?.keyId, key?.arn, trail.kmsKeyId].filter((x): x is string => !!x))],
          ...(logged?.kms && logged.start ? { since: logged.start } : deliveryError && status?.latestDeliveryTime ? { since: status.latestDeliveryTime } : {}),
          data,
        },
      ],
      unverified,
    );
  },
};
