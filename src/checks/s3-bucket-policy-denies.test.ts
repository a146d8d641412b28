import { describe, expect, it } from 'vitest';
import { ACCOUNT, BUCKET, TRAIL_ARN, bucketPolicyFor, healthyEvidence } from '../evidence/builder.js';
import type { Evidence } from '../evidence/schema.js';
import { absent, denied, ok, skipped } from '../evidence/probe.js';
import { evaluatePolicy } from '../policy/evaluate.js';
import { s3DeliveryRequests } from '../policy/cloudtrail-requests.js';
import { check } from './s3-bucket-policy-denies.js';
import { trailTargetOf } from './remediation-policies.js';
import { contextOf } from './util.js';

const ORG = 'o-abc1234567';
const run = (e: Evidence) => check.run(contextOf(e));

function withPolicy(doc: unknown, mutate: (e: Evidence) => void = () => {}): Evidence {
  const e = healthyEvidence();
  e.steps.s4.policy = ok(typeof doc === 'string' ? doc : JSON.stringify(doc));
  mutate(e);
  return e;
}
function setTrail(e: Evidence, patch: Record<string, unknown>) {
  Object.assign(e.steps.s1.trail.value!, patch);
}
const accessDenied = (e: Evidence) => {
  e.steps.s2.status.value!.latestDeliveryError = 'AccessDenied';
};

/** The corrected policy of a finding must allow every required request CloudTrail makes. */
function expectCorrectedAllows(e: Evidence, policy: unknown) {
  const t = trailTargetOf(e, contextOf(e).now)!;
  for (const r of s3DeliveryRequests(t).filter((x) => x.required)) expect(evaluatePolicy(policy, r).decision, r.label).toBe('allow');
}

const base = JSON.parse(bucketPolicyFor(BUCKET, ACCOUNT, TRAIL_ARN));

describe('s3-bucket-policy-denies', () => {
  it('healthy evidence: no finding, nothing unverified', () => {
    expect(run(healthyEvidence())).toEqual({ findings: [], unverified: [] });
  });

  it('no bucket policy at all denies (CloudTrail needs a grant)', () => {
    const e = healthyEvidence();
    e.steps.s4.policy = absent('The bucket policy does not exist', { errorCode: 'NoSuchBucketPolicy' });
    accessDenied(e);
    const [f] = run(e).findings;
    expect(f).toMatchObject({ id: 's3-bucket-policy-denies', confidence: 'confirmed', resources: [BUCKET, `arn:aws:s3:::${BUCKET}`] });
    expect(f!.summary).toContain('no bucket policy');
    expect(f!.evidence[0]).toBe('step 2: LatestDeliveryError = AccessDenied');
    expect(f!.triggerEvents ?? check.triggerEvents).toEqual(expect.arrayContaining(['PutBucketPolicy', 'DeleteBucketPolicy']));
    expect(f!.remediation.commands).toContain(`aws s3api put-bucket-policy --bucket ${BUCKET} --policy file://policy.json`);
    expectCorrectedAllows(e, f!.remediation.policy);
  });

  it('prefix changed: the policy still grants the old path', () => {
    const e = withPolicy(base, (x) => setTrail(x, { s3KeyPrefix: 'new-prefix' }));
    const [f] = run(e).findings;
    expect(f?.confidence).toBe('confirmed');
    expect(f!.summary).toContain('new-prefix/AWSLogs/123456789012/*');
    expect(f!.evidence.join('\n')).toMatch(/"AWSCloudTrailWrite" does not apply: Resource does not match arn:aws:s3:::acme-trail-logs\/new-prefix\/AWSLogs/);
    const statements = (f!.remediation.policy as { Statement: { Sid: string; Resource: unknown }[] }).Statement;
    expect(statements.map((s) => s.Sid)).toEqual(['AWSCloudTrailAclCheck', 'AWSCloudTrailWrite', 'AWSCloudTrailWrite2']);
    expect(statements[2]!.Resource).toBe(`arn:aws:s3:::${BUCKET}/new-prefix/AWSLogs/${ACCOUNT}/*`);
    expectCorrectedAllows(e, f!.remediation.policy);
  });

  it('explicit Deny with a condition CloudTrail cannot meet is named and removed in the correction', () => {
    const doc = {
      ...base,
      Statement: [
        ...base.Statement,
        {
          Sid: 'DenyOutsideOffice',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
          Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
        },
      ],
    };
    const e = withPolicy(doc, accessDenied);
    const [f] = run(e).findings;
    expect(f?.confidence).toBe('confirmed');
    expect(f!.summary).toContain('statement #2 "DenyOutsideOffice" denies it');
    expect(f!.data?.deniedBy).toEqual([{ index: 2, sid: 'DenyOutsideOffice', effect: 'Deny' }]);
    expect(f!.data?.removedStatements).toEqual(['statement #2 "DenyOutsideOffice"']);
    expect(f!.remediation.summary).toContain('DenyOutsideOffice');
    expectCorrectedAllows(e, f!.remediation.policy);
  });

  it('a Deny whose condition CloudTrail meets does not block', () => {
    const doc = {
      ...base,
      Statement: [
        ...base.Statement,
        { Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${BUCKET}/*`, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      ],
    };
    expect(run(withPolicy(doc)).findings).toEqual([]);
  });

  it('SourceArn condition naming another trail: implicit deny, the condition is named', () => {
    const other = `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/old-trail`;
    const e = withPolicy(JSON.parse(bucketPolicyFor(BUCKET, ACCOUNT, other)));
    const [f] = run(e).findings;
    expect(f?.summary).toContain('no statement allows it');
    const text = f!.evidence.join('\n');
    expect(text).toContain('condition StringEquals aws:SourceArn');
    expect(text).toContain('old-trail');
    expectCorrectedAllows(e, f!.remediation.policy);
  });

  it('a grant without the bucket-owner-full-control condition value CloudTrail sends', () => {
    const doc = structuredClone(base);
    doc.Statement[1].Condition.StringEquals['s3:x-amz-acl'] = 'private';
    const [f] = run(withPolicy(doc)).findings;
    expect(f?.evidence.join('\n')).toContain('s3:x-amz-acl');
  });

  it('digest files: a grant limited to CloudTrail/ misses CloudTrail-Digest/ when validation is on', () => {
    const doc = structuredClone(base);
    doc.Statement[1].Resource = `arn:aws:s3:::${BUCKET}/AWSLogs/${ACCOUNT}/CloudTrail/*`;
    const e = withPolicy(doc);
    const [f] = run(e).findings;
    expect(f?.evidence.join('\n')).toContain('CloudTrail-Digest/');
    expectCorrectedAllows(e, f!.remediation.policy);
    setTrail(e, { logFileValidationEnabled: false });
    expect(run(e).findings).toEqual([]);
  });

  it('LatestDeliveryError AccessDenied while the policy allows: not this cause', () => {
    const e = healthyEvidence();
    accessDenied(e);
    expect(run(e).findings).toEqual([]);
  });

  it('a missing bucket is s3-bucket-missing, not this', () => {
    const e = healthyEvidence();
    e.steps.s4.head = absent('Not Found', { errorCode: 'NotFound' });
    e.steps.s4.policy = absent('NoSuchBucket', { errorCode: 'NoSuchBucket' });
    expect(run(e)).toEqual({ findings: [], unverified: [] });
  });

  it('policy probe denied → unverified with the permission, no finding', () => {
    const e = healthyEvidence();
    e.steps.s4.policy = denied('s3:GetBucketPolicy', 'AccessDenied', { errorCode: 'AccessDenied' });
    const r = run(e);
    expect(r.findings).toEqual([]);
    expect(r.unverified).toEqual([expect.objectContaining({ step: 4, needs: 's3:GetBucketPolicy' })]);
    expect(r.unverified[0]!.what).toContain(BUCKET);
  });

  it('bucket in another account that cannot be read → unverified naming the account, never missing', () => {
    const e = healthyEvidence();
    e.steps.s1.caller = ok({ accountId: '999988887777', arn: 'arn:aws:iam::999988887777:user/oncall', partition: 'aws' });
    e.steps.s4.head = denied('s3:ListBucket', 'Forbidden', { errorCode: 'Forbidden' });
    e.steps.s4.policy = skipped('HeadBucket was denied');
    const r = run(e);
    expect(r.findings).toEqual([]);
    expect(r.unverified).toHaveLength(1);
    expect(r.unverified[0]!.what).toContain('account 123456789012');
    expect(r.unverified[0]!.what).toContain('999988887777');
    expect(r.unverified[0]!.what).not.toMatch(/missing|deleted/i);
  });

  it('skipped policy probe for an unrelated reason: nothing', () => {
    const e = healthyEvidence();
    e.steps.s4.policy = skipped('no bucket configured');
    expect(run(e)).toEqual({ findings: [], unverified: [] });
  });

  describe('organization trails', () => {
    const orgEvidence = (doc: unknown) =>
      withPolicy(doc, (e) => {
        setTrail(e, { isOrganizationTrail: true });
        e.steps.s6.organizationId = ok(ORG);
      });
    it('a policy granting only AWSLogs/<account>/ misses AWSLogs/<o-id>/', () => {
      const e = orgEvidence(base);
      const [f] = run(e).findings;
      expect(f?.summary).toContain(`AWSLogs/${ORG}/${ACCOUNT}/*`);
      const write = (f!.remediation.policy as { Statement: { Sid: string; Resource: unknown }[] }).Statement.find((s) => s.Sid === 'AWSCloudTrailWrite2');
      expect(write?.Resource).toBe(`arn:aws:s3:::${BUCKET}/AWSLogs/${ORG}/*`);
      expectCorrectedAllows(e, f!.remediation.policy);
    });
    it('AWS documentation org-trail policy (account path + o-id path) allows', () => {
      const doc = structuredClone(base);
      doc.Statement[1].Resource = [`arn:aws:s3:::${BUCKET}/AWSLogs/${ACCOUNT}/*`, `arn:aws:s3:::${BUCKET}/AWSLogs/${ORG}/*`];
      expect(run(orgEvidence(doc)).findings).toEqual([]);
    });
    it("the management account's own path is advisory: granting only the o-id path is enough", () => {
      const doc = structuredClone(base);
      doc.Statement[1].Resource = `arn:aws:s3:::${BUCKET}/AWSLogs/${ORG}/*`;
      expect(run(orgEvidence(doc)).findings).toEqual([]);
    });
    it('organization id unknown and no AccessDenied: unverified (the o-id path cannot be judged)', () => {
      const doc = structuredClone(base);
      doc.Statement[1].Resource = `arn:aws:s3:::${BUCKET}/AWSLogs/${ORG}/*`;
      const e = withPolicy(doc, (x) => setTrail(x, { isOrganizationTrail: true }));
      e.steps.s6.organizationId = denied('organizations:DescribeOrganization', 'AccessDenied');
      const r = run(e);
      expect(r.findings).toEqual([]);
      expect(r.unverified).toEqual([expect.objectContaining({ step: 6, needs: 'organizations:DescribeOrganization' })]);
    });
    it('organization id unknown but the ACL check fails (SourceArn of another trail): confirmed, and said so', () => {
      const e = withPolicy(JSON.parse(bucketPolicyFor(BUCKET, ACCOUNT, 'arn:aws:cloudtrail:eu-west-1:123456789012:trail/x')), (x) => {
        setTrail(x, { isOrganizationTrail: true });
        accessDenied(x);
      });
      const [f] = run(e).findings;
      expect(f?.confidence).toBe('confirmed');
      expect(f?.evidence.join('\n')).toContain('organization id is unknown');
      delete e.steps.s2.status.value!.latestDeliveryError;
      expect(run(e).findings[0]?.confidence).toBe('confirmed');
    });
  });

  it('untrusted Sids stay inert in the summary', () => {
    const doc = { Statement: [{ Sid: 'Evil\u001b[31mRed', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' }, ...base.Statement] };
    const [f] = run(withPolicy(doc)).findings;
    expect(f!.summary).not.toContain('\u001b');
  });
});
