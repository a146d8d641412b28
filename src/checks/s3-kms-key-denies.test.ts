import { describe, expect, it } from 'vitest';
import { ACCOUNT, REGION, TRAIL_ARN, healthyEvidence } from '../evidence/builder.js';
import type { Evidence } from '../evidence/schema.js';
import { absent, denied, ok } from '../evidence/probe.js';
import { evaluatePolicy } from '../policy/evaluate.js';
import { kmsRequests } from '../policy/cloudtrail-requests.js';
import { check } from './s3-kms-key-denies.js';
import { trailTargetOf } from './remediation-policies.js';
import { contextOf } from './util.js';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${KEY_ID}`;
const run = (e: Evidence) => check.run(contextOf(e));

/** AWS documentation's key policy for trails (create-kms-key-policy-for-cloudtrail), trimmed to the CloudTrail parts. */
function docKeyPolicy(account = ACCOUNT, sourceArn = TRAIL_ARN) {
  return {
    Version: '2012-10-17',
    Id: 'Key policy created by CloudTrail',
    Statement: [
      { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' },
      {
        Sid: 'Allow CloudTrail to encrypt logs',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 'kms:GenerateDataKey*',
        Resource: '*',
        Condition: {
          StringEquals: { 'aws:SourceArn': sourceArn },
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${account}:trail/*` },
        },
      },
      {
        Sid: 'Allow CloudTrail to describe key',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 'kms:DescribeKey',
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceArn': sourceArn } },
      },
    ],
  };
}

function kmsEvidence(opts: { policy?: unknown; state?: string; enabled?: boolean; deletionDate?: string; keyArn?: string } = {}): Evidence {
  const e = healthyEvidence();
  const arn = opts.keyArn ?? KEY_ARN;
  e.steps.s1.trail.value!.kmsKeyId = arn;
  e.steps.s4.kmsKeySource = 'trail';
  e.steps.s4.kmsKey = ok({
    keyId: arn.split('/').pop()!,
    arn,
    keyState: opts.state ?? 'Enabled',
    enabled: opts.enabled ?? (opts.state ?? 'Enabled') === 'Enabled',
    keyManager: 'CUSTOMER',
    accountId: arn.split(':')[4]!,
    ...(opts.deletionDate ? { deletionDate: opts.deletionDate } : {}),
  });
  e.steps.s4.kmsKeyPolicy = ok(JSON.stringify(opts.policy ?? docKeyPolicy()));
  return e;
}

function expectCorrectedAllows(e: Evidence, policy: unknown, source: 'trail' | 'bucket-default' = 'trail') {
  const t = { ...trailTargetOf(e, contextOf(e).now)!, kmsKeyArn: KEY_ARN };
  for (const r of kmsRequests(t, { source, bucketRegion: REGION })) expect(evaluatePolicy(policy, r).decision, r.label).toBe('allow');
}

describe('s3-kms-key-denies', () => {
  it('healthy evidence (no SSE-KMS): nothing', () => {
    expect(run(healthyEvidence())).toEqual({ findings: [], unverified: [] });
  });

  it("healthy KMS: AWS documentation's key policy and an enabled key", () => {
    expect(run(kmsEvidence())).toEqual({ findings: [], unverified: [] });
  });

  it('disabled key → confirmed, enable-key', () => {
    const e = kmsEvidence({ state: 'Disabled' });
    e.steps.s2.status.value!.latestDeliveryError = 'KMS.DisabledException';
    const [f] = run(e).findings;
    expect(f).toMatchObject({ id: 's3-kms-key-denies', confidence: 'confirmed' });
    expect(f!.summary).toContain('is disabled');
    expect(f!.remediation.commands[0]).toBe(`aws kms enable-key --key-id ${KEY_ARN} --region ${REGION}`);
    expect(f!.resources).toEqual(expect.arrayContaining([KEY_ARN, KEY_ID]));
    expect(f!.triggerEvents ?? check.triggerEvents).toEqual(expect.arrayContaining(['DisableKey', 'ScheduleKeyDeletion', 'PutKeyPolicy']));
  });

  it('pending deletion → confirmed with the deletion date; cancel then enable', () => {
    const [f] = run(kmsEvidence({ state: 'PendingDeletion', deletionDate: '2026-12-01T00:00:00Z' })).findings;
    expect(f?.confidence).toBe('confirmed');
    expect(f!.summary).toContain('2026-12-01T00:00:00Z');
    expect(f!.data?.deletionDate).toBe('2026-12-01T00:00:00Z');
    expect(f!.remediation.commands.slice(0, 2)).toEqual([
      `aws kms cancel-key-deletion --key-id ${KEY_ARN} --region ${REGION}`,
      `aws kms enable-key --key-id ${KEY_ARN} --region ${REGION}`,
    ]);
  });

  it('key deleted (NotFound) → confirmed', () => {
    const e = kmsEvidence();
    e.steps.s4.kmsKey = absent('Key not found', { errorCode: 'NotFoundException' });
    const [f] = run(e).findings;
    expect(f?.summary).toContain('does not exist');
  });

  it('key policy without a CloudTrail statement → confirmed, corrected policy keeps the admin statement', () => {
    const policy = { Version: '2012-10-17', Statement: [docKeyPolicy().Statement[0]] };
    const e = kmsEvidence({ policy });
    const [f] = run(e).findings;
    expect(f?.confidence).toBe('confirmed');
    expect(f!.summary).toContain('kms:GenerateDataKey and kms:DescribeKey');
    const corrected = f!.remediation.policy as { Statement: { Sid: string }[] };
    expect(corrected.Statement.map((s) => s.Sid)).toEqual(['Enable IAM User Permissions', 'AllowCloudTrailToEncryptLogs', 'AllowCloudTrailToDescribeKey']);
    expect(f!.remediation.commands).toContain(`aws kms put-key-policy --key-id ${KEY_ARN} --policy-name default --policy file://key-policy.json --region ${REGION}`);
    expectCorrectedAllows(e, corrected);
  });

  it("encryption-context condition for another account's trails: the condition is named", () => {
    const policy = docKeyPolicy();
    (policy.Statement[1]!.Condition as Record<string, Record<string, string>>).StringLike!['kms:EncryptionContext:aws:cloudtrail:arn'] = 'arn:aws:cloudtrail:*:999999999999:trail/*';
    const [f] = run(kmsEvidence({ policy })).findings;
    expect(f!.evidence.join('\n')).toContain('kms:EncryptionContext:aws:cloudtrail:arn');
    expect(f!.summary).toContain('kms:GenerateDataKey');
  });

  it('SourceArn naming another trail blocks encryption', () => {
    const [f] = run(kmsEvidence({ policy: docKeyPolicy(ACCOUNT, `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/other`) })).findings;
    expect(f!.evidence.join('\n')).toContain('aws:SourceArn');
  });

  it('explicit Deny in the key policy is named and removed in the correction', () => {
    const policy = docKeyPolicy();
    (policy.Statement as unknown[]).push({ Sid: 'DenyServices', Effect: 'Deny', Principal: '*', Action: 'kms:GenerateDataKey*', Resource: '*', Condition: { Bool: { 'aws:PrincipalIsAWSService': 'true' } } });
    const e = kmsEvidence({ policy });
    const [f] = run(e).findings;
    expect(f!.data?.deniedBy).toEqual([{ index: 3, sid: 'DenyServices', effect: 'Deny' }]);
    expectCorrectedAllows(e, f!.remediation.policy);
  });

  it('only DescribeKey missing → likely (delivery itself may still work)', () => {
    const policy = docKeyPolicy();
    policy.Statement.pop();
    const [f] = run(kmsEvidence({ policy })).findings;
    expect(f?.confidence).toBe('likely');
  });

  it('key in another region than the bucket', () => {
    const arn = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${KEY_ID}`;
    const [f] = run(kmsEvidence({ keyArn: arn })).findings;
    expect(f!.summary).toContain("AWS requires the key in the bucket's region");
  });

  it('key in another account that cannot be read → unverified naming the account', () => {
    const arn = `arn:aws:kms:${REGION}:444455556666:key/${KEY_ID}`;
    const e = healthyEvidence();
    e.steps.s1.trail.value!.kmsKeyId = arn;
    e.steps.s4.kmsKeySource = 'trail';
    e.steps.s4.kmsKey = denied('kms:DescribeKey', 'AccessDeniedException', { errorCode: 'AccessDeniedException' });
    e.steps.s4.kmsKeyPolicy = denied('kms:GetKeyPolicy', 'AccessDeniedException', { errorCode: 'AccessDeniedException' });
    const r = run(e);
    expect(r.findings).toEqual([]);
    expect(r.unverified.map((u) => u.needs)).toEqual(['kms:DescribeKey', 'kms:GetKeyPolicy']);
    expect(r.unverified[0]!.what).toContain('account 444455556666');
  });

  describe('bucket default SSE-KMS (S3 encrypts for CloudTrail)', () => {
    const bucketDefault = (policy: unknown) => {
      const e = kmsEvidence({ policy });
      delete e.steps.s1.trail.value!.kmsKeyId;
      e.steps.s4.kmsKeySource = 'bucket-default';
      e.steps.s4.encryption = ok({ algorithm: 'aws:kms', kmsKeyId: KEY_ARN, bucketKeyEnabled: false });
      return e;
    };
    it("a grant conditioned on CloudTrail's own encryption context does not cover S3's request", () => {
      const e = bucketDefault(docKeyPolicy());
      const [f] = run(e).findings;
      expect(f!.evidence.join('\n')).toContain('kms:EncryptionContext:aws:cloudtrail:arn');
      expectCorrectedAllows(e, f!.remediation.policy, 'bucket-default');
    });
    it('a grant with SourceArn only allows', () => {
      const policy = docKeyPolicy();
      delete (policy.Statement[1]!.Condition as Record<string, unknown>).StringLike;
      expect(run(bucketDefault(policy)).findings).toEqual([]);
    });
  });
});
