import { describe, expect, it } from 'vitest';
import { ACCOUNT, BUCKET, TRAIL_ARN, bucketPolicyFor, healthyEvidence } from '../evidence/builder.js';
import type { Evidence } from '../evidence/schema.js';
import { ok } from '../evidence/probe.js';
import { s3DeliveryRequests } from '../policy/cloudtrail-requests.js';
import { evaluateCloudTrailRequest } from '../policy/request-verdict.js';
import { check } from './s3-bucket-policy-denies.js';
import { trailTargetOf } from './remediation-policies.js';
import { contextOf } from './util.js';

/**
 * The bucket-policy check judged on CloudTrail's exact PutObject requests, encryption headers included:
 * SSE-KMS log files of a trail with a key, SSE-S3 digests, and the undocumented header of log files of a
 * trail without a key (uncertain).
 */

const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ORG = 'o-abc1234567';
const run = (e: Evidence) => check.run(contextOf(e));
const base = JSON.parse(bucketPolicyFor(BUCKET, ACCOUNT, TRAIL_ARN));
const denyUnless = (sid: string, values: string | string[]) => ({
  Sid: sid,
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:PutObject',
  Resource: `arn:aws:s3:::${BUCKET}/*`,
  Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': values } },
});
const DENY_UNENCRYPTED = {
  Sid: 'DenyUnEncryptedObjectUploads',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:PutObject',
  Resource: `arn:aws:s3:::${BUCKET}/*`,
  Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } },
};

function evidence(statements: unknown[], opts: { key?: boolean; patch?: (e: Evidence) => void } = {}): Evidence {
  const e = healthyEvidence();
  e.steps.s4.policy = ok(JSON.stringify({ ...base, Statement: [...base.Statement, ...statements] }));
  if (opts.key) Object.assign(e.steps.s1.trail.value!, { kmsKeyId: KEY });
  opts.patch?.(e);
  return e;
}

/** Every required request CloudTrail makes, with its alternatives, is allowed by the corrected policy. */
function expectCorrectedAllows(e: Evidence, policy: unknown) {
  const t = trailTargetOf(e, contextOf(e).now)!;
  for (const r of s3DeliveryRequests(t).filter((x) => x.required)) expect(evaluateCloudTrailRequest(policy, r), r.label).toMatchObject({ decision: 'allow', uncertain: false });
}

describe('s3-bucket-policy-denies on the exact requests', () => {
  it('deny non-KMS uploads with a KMS trail: digests only are blocked, dated by the digest error, and the deny is widened to accept AES256', () => {
    const e = evidence([denyUnless('DenyNonKms', 'aws:kms')], {
      key: true,
      patch: (x) => Object.assign(x.steps.s2.status.value!, { latestDigestDeliveryError: 'AccessDenied' }),
    });
    const [f] = run(e).findings;
    expect(f).toMatchObject({ id: 's3-bucket-policy-denies', confidence: 'confirmed' });
    expect(f!.data?.blocks).toEqual({ aclCheck: 'allowed', logFiles: 'allowed', digestFiles: 'blocked' });
    expect(f!.summary).toContain('it blocks digest files — log files are still written');
    expect(f!.summary).toContain('Digest files are always SSE-S3 (AES256)');
    expect(f!.summary).toContain('/CloudTrail-Digest/');
    expect(f!.since).toBe(e.steps.s2.status.value!.latestDigestDeliveryTime);
    expect(f!.evidence).toContain('step 2: LatestDigestDeliveryError = AccessDenied');
    expect(f!.data?.widenedStatements).toEqual(['statement #2 "DenyNonKms"']);
    expect(f!.data?.removedStatements).toEqual([]);
    const statements = (f!.remediation.policy as { Statement: { Sid: string; Condition?: unknown }[] }).Statement;
    // the guard stays, widened; no redundant grant is added
    expect(statements.map((s) => s.Sid)).toEqual(['AWSCloudTrailAclCheck', 'AWSCloudTrailWrite', 'DenyNonKms']);
    expect(statements[2]!.Condition).toEqual({ StringNotEquals: { 's3:x-amz-server-side-encryption': ['aws:kms', 'AES256'] } });
    expect(f!.remediation.summary).toMatch(/widens statement #2 "DenyNonKms" to accept the encryption CloudTrail sends \(AES256\)/);
    expectCorrectedAllows(e, f!.remediation.policy);
  });

  it('deny non-KMS uploads without a trail key: log files are refused whichever header CloudTrail sends', () => {
    const e = evidence([denyUnless('DenyNonKms', 'aws:kms')], { patch: (x) => Object.assign(x.steps.s2.status.value!, { latestDeliveryError: 'AccessDenied' }) });
    const [f] = run(e).findings;
    expect(f).toMatchObject({ confidence: 'confirmed' });
    expect(f!.data?.blocks).toEqual({ aclCheck: 'allowed', logFiles: 'blocked', digestFiles: 'blocked' });
    expect(f!.summary).toContain('it blocks log files and digest files');
  });

  it("AWS's advice applied (deny unless aws:kms or AES256) with a KMS trail: no finding", () => {
    expect(run(evidence([denyUnless('DenyUnlessKmsOrAes', ['aws:kms', 'AES256'])], { key: true })).findings).toEqual([]);
  });

  it('deny unencrypted uploads without a trail key: the verdict hinges on an undocumented header, so it is likely, not confirmed', () => {
    // log files still arriving say the header CloudTrail sends passes: only possible then
    expect(run(evidence([DENY_UNENCRYPTED])).findings[0]).toMatchObject({ confidence: 'possible' });
    const e = evidence([DENY_UNENCRYPTED], { patch: (x) => Object.assign(x.steps.s2.status.value!, { latestDeliveryTime: '2026-01-01T00:00:00Z' }) });
    const [f] = run(e).findings;
    expect(f).toMatchObject({ confidence: 'likely' });
    expect(f!.data?.blocks).toMatchObject({ logFiles: 'uncertain', digestFiles: 'allowed' });
    expect(f!.evidence.join('\n')).toMatch(/AWS does not document this header/);
  });

  it('the same policy with a KMS trail is fine: log files carry aws:kms, digests AES256', () => {
    expect(run(evidence([DENY_UNENCRYPTED], { key: true })).findings).toEqual([]);
  });

  it('a policy that wants SSE-S3 only refuses the SSE-KMS log files of a KMS trail', () => {
    const e = evidence([denyUnless('RequireAes256', 'AES256')], { key: true });
    const [f] = run(e).findings;
    expect(f!.data?.blocks).toEqual({ aclCheck: 'allowed', logFiles: 'blocked', digestFiles: 'allowed' });
    expect(f!.summary).toContain('it blocks log files');
    expectCorrectedAllows(e, f!.remediation.policy);
  });

  it('a TLS-only deny (aws:SecureTransport false) never blocks CloudTrail', () => {
    const tls = {
      Sid: 'AllowSSLRequestsOnly',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    };
    expect(run(evidence([tls], { key: true })).findings).toEqual([]);
  });

  it('organization trail: deny non-KMS refuses the digests under AWSLogs/<o-id>/', () => {
    const e = evidence([denyUnless('DenyNonKms', 'aws:kms')], {
      key: true,
      patch: (x) => {
        Object.assign(x.steps.s1.trail.value!, { isOrganizationTrail: true });
        x.steps.s6.organizationId = ok(ORG);
        const doc = JSON.parse(x.steps.s4.policy.value as string);
        doc.Statement[1].Resource = [doc.Statement[1].Resource, `arn:aws:s3:::${BUCKET}/AWSLogs/${ORG}/*`];
        x.steps.s4.policy = ok(JSON.stringify(doc));
      },
    });
    const [f] = run(e).findings;
    expect(f!.data?.blocks).toEqual({ aclCheck: 'allowed', logFiles: 'allowed', digestFiles: 'blocked' });
    expect(f!.summary).toContain(`AWSLogs/${ORG}/${ACCOUNT}/`);
    expectCorrectedAllows(e, f!.remediation.policy);
  });
});
