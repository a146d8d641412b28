import { describe, expect, it } from 'vitest';
import { ACCOUNT, LOG_GROUP, REGION, ROLE_ARN, ROLE_NAME, TRUST_POLICY, TRAIL_ARN, healthyEvidence, rolePolicyFor } from '../evidence/builder.js';
import type { Evidence } from '../evidence/schema.js';
import { absent, denied, ok } from '../evidence/probe.js';
import { evaluatePolicies, evaluatePolicy } from '../policy/evaluate.js';
import { logsRequests, roleTrustRequest } from '../policy/cloudtrail-requests.js';
import { check } from './cloudwatch-role-invalid.js';
import { trailTargetOf } from './remediation-policies.js';
import { contextOf } from './util.js';
import { testCheck } from '../../test/support/check-tester.js';
import type { Finding } from './types.js';

const ORG = 'o-abc1234567';
const STREAM = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${LOG_GROUP}:log-stream:${ACCOUNT}_CloudTrail_${REGION}`;

/** The role's inline policies are exactly these documents. */
const withInline =
  (...docs: unknown[]) =>
  (e: Evidence) => {
    e.steps.s5.inlinePolicies = ok(docs.map((d, i) => ({ name: i === 0 ? 'CloudTrailPolicyForCloudWatchLogs' : `extra${i}`, document: typeof d === 'string' ? d : JSON.stringify(d) })));
  };
const orgTrail = (doc: unknown) => (e: Evidence) => {
  withInline(doc)(e);
  Object.assign(e.steps.s1.trail.value!, { isOrganizationTrail: true });
  e.steps.s6.organizationId = ok(ORG);
};
const policyFile = (f: { data?: Record<string, unknown> }, name: string) => (f.data?.policyFiles as Record<string, unknown>)[name];

/** The corrected documents the finding prints let CloudTrail assume the role and write its streams. */
function expectCorrectedWorks(e: Evidence, f: Finding) {
  const files = f.data!.policyFiles as Record<string, unknown>;
  const found = trailTargetOf(e, contextOf(e).now)!;
  const t = { ...found, roleArn: found.roleArn ?? ROLE_ARN };
  if (files['trust-policy.json']) expect(evaluatePolicy(files['trust-policy.json'], roleTrustRequest(t)!).decision).toBe('allow');
  if (files['role-policy.json']) {
    for (const r of logsRequests(t)) expect(evaluatePolicies([{ document: files['role-policy.json'] }], r, { kind: 'identity' }).decision, r.label).toBe('allow');
  }
}

testCheck(check, {
  valid: [
    {
      name: 'trail without a log group: not this check',
      evidence: (e) => {
        delete e.steps.s1.trail.value!.cloudWatchLogsLogGroupArn;
        delete e.steps.s1.trail.value!.cloudWatchLogsRoleArn;
        e.steps.s5.role = absent('NoSuchEntity');
      },
    },
    { name: 'URL-encoded trust policy (as IAM returns it) is read', evidence: (e) => (e.steps.s5.role.value!.trustPolicy = encodeURIComponent(TRUST_POLICY)) },
    {
      name: 'an attached managed policy can be the grant',
      evidence: (e) => {
        withInline()(e);
        e.steps.s5.attachedPolicies = ok([{ name: 'Logs', arn: `arn:aws:iam::${ACCOUNT}:policy/Logs`, document: JSON.stringify({ Statement: { Effect: 'Allow', Action: 'logs:*', Resource: '*' } }) }]);
      },
    },
    {
      name: "organization trail: AWS documentation's organization role policy allows",
      evidence: orgTrail({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'AWSCloudTrailCreateLogStream20141101', Effect: 'Allow', Action: ['logs:CreateLogStream'], Resource: [`${STREAM}*`, `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${LOG_GROUP}:log-stream:${ORG}_*`] },
          { Sid: 'AWSCloudTrailPutLogEvents20141101', Effect: 'Allow', Action: ['logs:PutLogEvents'], Resource: [`${STREAM}*`, `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${LOG_GROUP}:log-stream:${ORG}_*`] },
        ],
      }),
    },
  ],
  invalid: [
    {
      name: 'log group configured but no role ARN → confirmed, create role and update-trail',
      evidence: (e) => {
        delete e.steps.s1.trail.value!.cloudWatchLogsRoleArn;
        delete e.steps.s5.roleArn;
      },
      findings: [{ confidence: 'confirmed', summary: /without a CloudWatch Logs role/ }],
      assert: ({ findings: [f] }, e) => {
        expect(f!.remediation.commands.join('\n')).toContain('--cloud-watch-logs-role-arn');
        expectCorrectedWorks(e, f!);
      },
    },
    {
      name: 'role deleted (NoSuchEntity) → confirmed',
      evidence: (e) => {
        e.steps.s5.role = absent('The role cannot be found', { errorCode: 'NoSuchEntity' });
        e.steps.s2.status.value!.latestCloudWatchLogsDeliveryError = 'Failed to assume role';
      },
      findings: [{ confidence: 'confirmed', summary: new RegExp(`${ROLE_NAME} of trail main does not exist`), evidence: ['step 2: LatestCloudWatchLogsDeliveryError = Failed to assume role'] }],
      assert: ({ findings: [f] }) => {
        expect(f!.evidence[0]).toBe('step 2: LatestCloudWatchLogsDeliveryError = Failed to assume role');
        expect(f!.resources).toEqual(expect.arrayContaining([ROLE_NAME, ROLE_ARN, LOG_GROUP]));
        expect(f!.triggerEvents ?? check.triggerEvents).toEqual(expect.arrayContaining(['DeleteRole', 'PutRolePolicy', 'DeleteRolePolicy', 'DetachRolePolicy', 'UpdateAssumeRolePolicy']));
        expect(f!.remediation.commands[0]).toContain(`aws iam create-role --role-name ${ROLE_NAME}`);
      },
    },
    {
      name: 'trust policy for another service → confirmed, update-assume-role-policy with a corrected document',
      evidence: (e) => {
        e.steps.s5.role.value!.trustPolicy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
      },
      findings: [{ confidence: 'confirmed', summary: /does not let cloudtrail\.amazonaws\.com assume it/ }],
      assert: ({ findings: [f] }, e) => {
        expect(f!.remediation.commands[0]).toBe(`aws iam update-assume-role-policy --role-name ${ROLE_NAME} --policy-document file://trust-policy.json`);
        const trust = policyFile(f!, 'trust-policy.json') as { Statement: unknown[] };
        expect(trust.Statement).toHaveLength(2); // ec2 statement kept, CloudTrail added
        expectCorrectedWorks(e, f!);
      },
    },
    {
      name: 'trust policy whose SourceArn condition names another trail',
      evidence: (e) => {
        e.steps.s5.role.value!.trustPolicy = JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'cloudtrail.amazonaws.com' },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'aws:SourceArn': `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/other` } },
            },
          ],
        });
      },
      findings: [{ confidence: 'confirmed', evidence: [/condition StringEquals aws:SourceArn/] }],
    },
    {
      name: 'only CreateLogStream allowed → names the missing PutLogEvents',
      evidence: withInline({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:CreateLogStream', Resource: `${STREAM}*` }] }),
      findings: [{ confidence: 'confirmed', match: { data: { missing: [`logs:PutLogEvents on stream ${ACCOUNT}_CloudTrail_${REGION}`] } } }],
      assert: ({ findings: [f] }, e) => {
        expect(f!.data?.missing).toEqual([`logs:PutLogEvents on stream ${ACCOUNT}_CloudTrail_${REGION}`]);
        expect(f!.remediation.commands[0]).toBe(`aws iam put-role-policy --role-name ${ROLE_NAME} --policy-name CloudTrailPolicyForCloudWatchLogs --policy-document file://role-policy.json`);
        expectCorrectedWorks(e, f!);
      },
    },
    {
      name: 'no role policies at all → both actions named per stream, a new inline policy',
      evidence: withInline(),
      findings: [{ confidence: 'confirmed', summary: new RegExp(`logs:CreateLogStream and logs:PutLogEvents on stream ${ACCOUNT}_CloudTrail_${REGION}`) }],
      assert: ({ findings: [f] }, e) => {
        expect(f!.remediation.summary).not.toContain('existing statements');
        expectCorrectedWorks(e, f!);
      },
    },
    {
      name: 'role policy still pointing at an old log group',
      evidence: withInline(rolePolicyFor(REGION, ACCOUNT, 'old-log-group')),
      findings: [{ confidence: 'confirmed', evidence: [/does not apply: Resource does not match .*aws-cloudtrail-logs-main/] }],
    },
    {
      name: 'explicit Deny in an attached policy → named, detach command',
      evidence: (e) => {
        e.steps.s5.attachedPolicies = ok([{ name: 'NoLogs', arn: `arn:aws:iam::${ACCOUNT}:policy/NoLogs`, document: JSON.stringify({ Statement: [{ Sid: 'DenyLogs', Effect: 'Deny', Action: 'logs:PutLogEvents', Resource: '*' }] }) }]);
      },
      findings: [{ confidence: 'confirmed', summary: /"DenyLogs" of NoLogs/ }],
      assert: ({ findings: [f] }) => expect(f!.remediation.commands).toContain(`aws iam detach-role-policy --role-name ${ROLE_NAME} --policy-arn arn:aws:iam::${ACCOUNT}:policy/NoLogs`),
    },
    {
      name: 'organization trail: a policy without the o-id stream misses member streams',
      evidence: orgTrail(rolePolicyFor(REGION, ACCOUNT, LOG_GROUP)),
      findings: [{ confidence: 'confirmed' }],
      assert: ({ findings: [f] }, e) => {
        expect(f!.data?.missing).toEqual(expect.arrayContaining([`logs:PutLogEvents on stream ${ORG}_${ACCOUNT}_CloudTrail_${REGION}`]));
        expectCorrectedWorks(e, f!);
      },
    },
  ],
  unverified: [
    {
      name: 'denied probes → unverified with the IAM actions, no finding',
      evidence: (e) => {
        e.steps.s5.role = denied('iam:GetRole', 'AccessDenied');
        e.steps.s5.inlinePolicies = denied('iam:ListRolePolicies, iam:GetRolePolicy', 'AccessDenied');
        e.steps.s5.attachedPolicies = denied('iam:ListAttachedRolePolicies, iam:GetPolicy, iam:GetPolicyVersion', 'AccessDenied');
      },
      unverified: [
        { step: 5, needs: 'iam:GetRole' },
        { step: 5, needs: 'iam:ListRolePolicies, iam:GetRolePolicy' },
        { step: 5, needs: 'iam:ListAttachedRolePolicies, iam:GetPolicy, iam:GetPolicyVersion' },
      ],
    },
    {
      name: 'an attached policy whose document could not be read: unverified, not a finding',
      evidence: (e) => {
        withInline()(e);
        e.steps.s5.attachedPolicies = ok([{ name: 'Logs', arn: `arn:aws:iam::${ACCOUNT}:policy/Logs` }]);
      },
      unverified: [{ step: 5, needs: 'iam:GetPolicy, iam:GetPolicyVersion' }],
    },
    {
      name: 'a role in another account that cannot be read: unverified naming the account',
      evidence: (e) => {
        const arn = 'arn:aws:iam::444455556666:role/CtLogs';
        e.steps.s1.trail.value!.cloudWatchLogsRoleArn = arn;
        e.steps.s5.roleArn = arn;
        e.steps.s5.role = denied('iam:GetRole', 'AccessDenied');
        e.steps.s5.inlinePolicies = denied('iam:ListRolePolicies, iam:GetRolePolicy', 'AccessDenied');
        e.steps.s5.attachedPolicies = denied('iam:ListAttachedRolePolicies', 'AccessDenied');
      },
      unverified: [{ step: 5 }, { step: 5 }, { step: 5 }],
      assert: ({ unverified }) => expect(unverified[0]!.what).toContain('account 444455556666'),
    },
  ],
});

describe('cloudwatch-role-invalid: the trust request', () => {
  it('the trail ARN is the SourceArn of the trust request', () => {
    const t = trailTargetOf(healthyEvidence(), new Date('2026-11-24T04:00:00Z'))!;
    expect(roleTrustRequest(t)!.context['aws:SourceArn']).toBe(TRAIL_ARN);
  });
});
