import { expect } from 'vitest';
import { ACCOUNT, BUCKET, TRAIL_ARN, bucketPolicyFor } from '../evidence/builder.js';
import type { Evidence } from '../evidence/schema.js';
import { absent, denied, ok, skipped } from '../evidence/probe.js';
import { evaluatePolicy } from '../policy/evaluate.js';
import { s3DeliveryRequests } from '../policy/cloudtrail-requests.js';
import { check } from './s3-bucket-policy-denies.js';
import { trailTargetOf } from './remediation-policies.js';
import { contextOf } from './util.js';
import { testCheck } from '../../test/support/check-tester.js';

const ORG = 'o-abc1234567';

/** The bucket policy is `doc`, then `mutate` applies. */
const withPolicy =
  (doc: unknown, mutate: (e: Evidence) => void = () => {}) =>
  (e: Evidence) => {
    e.steps.s4.policy = ok(typeof doc === 'string' ? doc : JSON.stringify(doc));
    mutate(e);
  };
function setTrail(e: Evidence, patch: Record<string, unknown>) {
  Object.assign(e.steps.s1.trail.value!, patch);
}
const accessDenied = (e: Evidence) => {
  e.steps.s2.status.value!.latestDeliveryError = 'AccessDenied';
};
const orgTrail = (doc: unknown) =>
  withPolicy(doc, (e) => {
    setTrail(e, { isOrganizationTrail: true });
    e.steps.s6.organizationId = ok(ORG);
  });

/** The corrected policy of a finding must allow every required request CloudTrail makes. */
function expectCorrectedAllows(e: Evidence, policy: unknown) {
  const t = trailTargetOf(e, contextOf(e).now)!;
  for (const r of s3DeliveryRequests(t).filter((x) => x.required)) expect(evaluatePolicy(policy, r).decision, r.label).toBe('allow');
}

const base = JSON.parse(bucketPolicyFor(BUCKET, ACCOUNT, TRAIL_ARN));
const digestOnlyCloudTrail = () => {
  const doc = structuredClone(base);
  doc.Statement[1].Resource = `arn:aws:s3:::${BUCKET}/AWSLogs/${ACCOUNT}/CloudTrail/*`;
  return doc;
};
const orgIdOnly = () => {
  const doc = structuredClone(base);
  doc.Statement[1].Resource = `arn:aws:s3:::${BUCKET}/AWSLogs/${ORG}/*`;
  return doc;
};
const otherTrailOrg = (mut: (e: Evidence) => void = () => {}) =>
  withPolicy(JSON.parse(bucketPolicyFor(BUCKET, ACCOUNT, 'arn:aws:cloudtrail:eu-west-1:123456789012:trail/x')), (x) => {
    setTrail(x, { isOrganizationTrail: true });
    mut(x);
  });

testCheck(check, {
  valid: [
    {
      name: 'a Deny whose condition CloudTrail meets does not block',
      evidence: withPolicy({
        ...base,
        Statement: [
          ...base.Statement,
          { Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${BUCKET}/*`, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
        ],
      }),
    },
    { name: 'digest files: a grant limited to CloudTrail/ is enough when validation is off', evidence: withPolicy(digestOnlyCloudTrail(), (e) => setTrail(e, { logFileValidationEnabled: false })) },
    { name: 'LatestDeliveryError AccessDenied while the policy allows: not this cause', evidence: accessDenied },
    {
      name: 'a missing bucket is s3-bucket-missing, not this',
      evidence: (e) => {
        e.steps.s4.head = absent('Not Found', { errorCode: 'NotFound' });
        e.steps.s4.policy = absent('NoSuchBucket', { errorCode: 'NoSuchBucket' });
      },
    },
    { name: 'skipped policy probe for an unrelated reason: nothing', evidence: (e) => (e.steps.s4.policy = skipped('no bucket configured')) },
    {
      name: 'organization trail: AWS documentation org-trail policy (account path + o-id path) allows',
      evidence: orgTrail(
        (() => {
          const doc = structuredClone(base);
          doc.Statement[1].Resource = [`arn:aws:s3:::${BUCKET}/AWSLogs/${ACCOUNT}/*`, `arn:aws:s3:::${BUCKET}/AWSLogs/${ORG}/*`];
          return doc;
        })(),
      ),
    },
    { name: "organization trail: the management account's own path is advisory: granting only the o-id path is enough", evidence: orgTrail(orgIdOnly()) },
  ],
  invalid: [
    {
      name: 'no bucket policy at all denies (CloudTrail needs a grant)',
      evidence: (e) => {
        e.steps.s4.policy = absent('The bucket policy does not exist', { errorCode: 'NoSuchBucketPolicy' });
        accessDenied(e);
      },
      findings: [{ confidence: 'confirmed', summary: /no bucket policy/, evidence: ['step 2: LatestDeliveryError = AccessDenied'], match: { resources: [BUCKET, `arn:aws:s3:::${BUCKET}`] } }],
      assert: ({ findings: [f] }, e) => {
        expect(f!.evidence[0]).toBe('step 2: LatestDeliveryError = AccessDenied');
        expect(f!.triggerEvents ?? check.triggerEvents).toEqual(expect.arrayContaining(['PutBucketPolicy', 'DeleteBucketPolicy']));
        expect(f!.remediation.commands).toContain(`aws s3api put-bucket-policy --bucket ${BUCKET} --policy file://policy.json`);
        expectCorrectedAllows(e, f!.remediation.policy);
      },
    },
    {
      name: 'prefix changed: the policy still grants the old path',
      evidence: withPolicy(base, (x) => setTrail(x, { s3KeyPrefix: 'new-prefix' })),
      findings: [{ confidence: 'confirmed', summary: /new-prefix\/AWSLogs\/123456789012\/\*/, evidence: [/"AWSCloudTrailWrite" does not apply: Resource does not match arn:aws:s3:::acme-trail-logs\/new-prefix\/AWSLogs/] }],
      assert: ({ findings: [f] }, e) => {
        const statements = (f!.remediation.policy as { Statement: { Sid: string; Resource: unknown }[] }).Statement;
        expect(statements.map((s) => s.Sid)).toEqual(['AWSCloudTrailAclCheck', 'AWSCloudTrailWrite', 'AWSCloudTrailWrite2']);
        expect(statements[2]!.Resource).toBe(`arn:aws:s3:::${BUCKET}/new-prefix/AWSLogs/${ACCOUNT}/*`);
        expectCorrectedAllows(e, f!.remediation.policy);
      },
    },
    {
      name: 'explicit Deny with a condition CloudTrail cannot meet is named and removed in the correction',
      evidence: withPolicy(
        {
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
        },
        accessDenied,
      ),
      findings: [{ confidence: 'confirmed', summary: /statement #2 "DenyOutsideOffice" denies it/ }],
      assert: ({ findings: [f] }, e) => {
        expect(f!.data?.deniedBy).toEqual([{ index: 2, sid: 'DenyOutsideOffice', effect: 'Deny' }]);
        expect(f!.data?.removedStatements).toEqual(['statement #2 "DenyOutsideOffice"']);
        expect(f!.remediation.summary).toContain('DenyOutsideOffice');
        expectCorrectedAllows(e, f!.remediation.policy);
      },
    },
    {
      name: 'SourceArn condition naming another trail: implicit deny, the condition is named',
      evidence: withPolicy(JSON.parse(bucketPolicyFor(BUCKET, ACCOUNT, `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/old-trail`))),
      findings: [{ confidence: 'confirmed', summary: /no statement allows it/, evidence: [/condition StringEquals aws:SourceArn/] }],
      assert: ({ findings: [f] }, e) => {
        expect(f!.evidence.join('\n')).toContain('old-trail');
        expectCorrectedAllows(e, f!.remediation.policy);
      },
    },
    {
      name: 'a grant without the bucket-owner-full-control condition value CloudTrail sends',
      evidence: withPolicy(
        (() => {
          const doc = structuredClone(base);
          doc.Statement[1].Condition.StringEquals['s3:x-amz-acl'] = 'private';
          return doc;
        })(),
      ),
      findings: [{ confidence: 'confirmed', evidence: [/s3:x-amz-acl/] }],
    },
    {
      name: 'digest files: a grant limited to CloudTrail/ misses CloudTrail-Digest/ when validation is on',
      evidence: withPolicy(digestOnlyCloudTrail()),
      findings: [{ confidence: 'confirmed', evidence: [/CloudTrail-Digest\//] }],
      assert: ({ findings: [f] }, e) => expectCorrectedAllows(e, f!.remediation.policy),
    },
    {
      name: 'organization trail: a policy granting only AWSLogs/<account>/ misses AWSLogs/<o-id>/',
      evidence: orgTrail(base),
      findings: [{ confidence: 'confirmed', summary: new RegExp(`AWSLogs/${ORG}/${ACCOUNT}/\\*`) }],
      assert: ({ findings: [f] }, e) => {
        const write = (f!.remediation.policy as { Statement: { Sid: string; Resource: unknown }[] }).Statement.find((s) => s.Sid === 'AWSCloudTrailWrite2');
        expect(write?.Resource).toBe(`arn:aws:s3:::${BUCKET}/AWSLogs/${ORG}/*`);
        expectCorrectedAllows(e, f!.remediation.policy);
      },
    },
    {
      name: 'organization id unknown but the ACL check fails (SourceArn of another trail): confirmed, and said so',
      evidence: otherTrailOrg(accessDenied),
      findings: [{ confidence: 'confirmed', evidence: [/organization id is unknown/] }],
    },
    { name: 'organization id unknown, the ACL check fails, no delivery error yet: still confirmed', evidence: otherTrailOrg(), findings: [{ confidence: 'confirmed' }] },
    {
      name: 'untrusted Sids stay inert in the summary',
      evidence: withPolicy({ Statement: [{ Sid: 'Evil\u001b[31mRed', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' }, ...base.Statement] }),
      findings: [{ confidence: 'confirmed' }],
      assert: ({ findings: [f] }) => expect(f!.summary).not.toContain('\u001b'),
    },
  ],
  unverified: [
    {
      name: 'policy probe denied → unverified with the permission, no finding',
      evidence: (e) => (e.steps.s4.policy = denied('s3:GetBucketPolicy', 'AccessDenied', { errorCode: 'AccessDenied' })),
      unverified: [{ step: 4, needs: 's3:GetBucketPolicy' }],
      assert: ({ unverified: [u] }) => expect(u!.what).toContain(BUCKET),
    },
    {
      name: 'bucket in another account that cannot be read → unverified naming the account, never missing',
      evidence: (e) => {
        e.steps.s1.caller = ok({ accountId: '999988887777', arn: 'arn:aws:iam::999988887777:user/oncall', partition: 'aws' });
        e.steps.s4.head = denied('s3:ListBucket', 'Forbidden', { errorCode: 'Forbidden' });
        e.steps.s4.policy = skipped('HeadBucket was denied');
      },
      unverified: [{}],
      assert: ({ unverified: [u] }) => {
        expect(u!.what).toContain('account 123456789012');
        expect(u!.what).toContain('999988887777');
        expect(u!.what).not.toMatch(/missing|deleted/i);
      },
    },
    {
      name: 'organization trail, id unknown and no AccessDenied: unverified (the o-id path cannot be judged)',
      evidence: withPolicy(orgIdOnly(), (x) => {
        setTrail(x, { isOrganizationTrail: true });
        x.steps.s6.organizationId = denied('organizations:DescribeOrganization', 'AccessDenied');
      }),
      unverified: [{ step: 6, needs: 'organizations:DescribeOrganization' }],
    },
  ],
});
