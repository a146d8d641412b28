import { describe, expect, it } from 'vitest';
import { ACCOUNT, LOG_GROUP, REGION, ROLE_ARN, ROLE_NAME, TRUST_POLICY, TRAIL_ARN, healthyEvidence, rolePolicyFor } from '../evidence/builder.js';
import type { Evidence } from '../evidence/schema.js';
import { absent, denied, ok } from '../evidence/probe.js';
import { evaluatePolicies, evaluatePolicy } from '../policy/evaluate.js';
import { logsRequests, roleTrustRequest } from '../policy/cloudtrail-requests.js';
import { check } from './cloudwatch-role-invalid.js';
import { trailTargetOf } from './remediation-policies.js';
import { contextOf } from './util.js';

const ORG = 'o-abc1234567';
const run = (e: Evidence) => check.run(contextOf(e));
const STREAM = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${LOG_GROUP}:log-stream:${ACCOUNT}_CloudTrail_${REGION}`;

function withInline(...docs: unknown[]): Evidence {
  const e = healthyEvidence();
  e.steps.s5.inlinePolicies = ok(docs.map((d, i) => ({ name: i === 0 ? 'CloudTrailPolicyForCloudWatchLogs' : `extra${i}`, document: typeof d === 'string' ? d : JSON.stringify(d) })));
  return e;
}
const policyFile = (f: { data?: Record<string, unknown> }, name: string) => (f.data?.policyFiles as Record<string, unknown>)[name];

function expectCorrectedWorks(e: Evidence, files: Record<string, unknown>) {
  const found = trailTargetOf(e, contextOf(e).now)!;
  const t = { ...found, roleArn: found.roleArn ?? ROLE_ARN };
  if (files['trust-policy.json']) expect(evaluatePolicy(files['trust-policy.json'], roleTrustRequest(t)!).decision).toBe('allow');
  if (files['role-policy.json']) {
    for (const r of logsRequests(t)) expect(evaluatePolicies([{ document: files['role-policy.json'] }], r, { kind: 'identity' }).decision, r.label).toBe('allow');
  }
}

describe('cloudwatch-role-invalid', () => {
  it('healthy evidence: nothing', () => {
    expect(run(healthyEvidence())).toEqual({ findings: [], unverified: [] });
  });

  it('trail without a log group: not this check', () => {
    const e = healthyEvidence();
    delete e.steps.s1.trail.value!.cloudWatchLogsLogGroupArn;
    delete e.steps.s1.trail.value!.cloudWatchLogsRoleArn;
    e.steps.s5.role = absent('NoSuchEntity');
    expect(run(e)).toEqual({ findings: [], unverified: [] });
  });

  it('log group configured but no role ARN → confirmed, create role and update-trail', () => {
    const e = healthyEvidence();
    delete e.steps.s1.trail.value!.cloudWatchLogsRoleArn;
    delete e.steps.s5.roleArn;
    const [f] = run(e).findings;
    expect(f).toMatchObject({ id: 'cloudwatch-role-invalid', confidence: 'confirmed' });
    expect(f!.summary).toContain('without a CloudWatch Logs role');
    expect(f!.remediation.commands.join('\n')).toContain('--cloud-watch-logs-role-arn');
    expectCorrectedWorks(e, f!.data!.policyFiles as Record<string, unknown>);
  });

  it('role deleted (NoSuchEntity) → confirmed', () => {
    const e = healthyEvidence();
    e.steps.s5.role = absent('The role cannot be found', { errorCode: 'NoSuchEntity' });
    e.steps.s2.status.value!.latestCloudWatchLogsDeliveryError = 'Failed to assume role';
    const [f] = run(e).findings;
    expect(f?.summary).toContain(`${ROLE_NAME} of trail main does not exist`);
    expect(f!.evidence[0]).toBe('step 2: LatestCloudWatchLogsDeliveryError = Failed to assume role');
    expect(f!.resources).toEqual(expect.arrayContaining([ROLE_NAME, ROLE_ARN, LOG_GROUP]));
    expect(f!.triggerEvents ?? check.triggerEvents).toEqual(expect.arrayContaining(['DeleteRole', 'PutRolePolicy', 'DeleteRolePolicy', 'DetachRolePolicy', 'UpdateAssumeRolePolicy']));
    expect(f!.remediation.commands[0]).toContain(`aws iam create-role --role-name ${ROLE_NAME}`);
  });

  it('trust policy for another service → confirmed, update-assume-role-policy with a corrected document', () => {
    const e = healthyEvidence();
    e.steps.s5.role.value!.trustPolicy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    const [f] = run(e).findings;
    expect(f?.summary).toContain('does not let cloudtrail.amazonaws.com assume it');
    expect(f!.remediation.commands[0]).toBe(`aws iam update-assume-role-policy --role-name ${ROLE_NAME} --policy-document file://trust-policy.json`);
    const trust = policyFile(f!, 'trust-policy.json') as { Statement: unknown[] };
    expect(trust.Statement).toHaveLength(2); // ec2 statement kept, CloudTrail added
    expectCorrectedWorks(e, f!.data!.policyFiles as Record<string, unknown>);
  });

  it('trust policy whose SourceArn condition names another trail', () => {
    const e = healthyEvidence();
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
    const [f] = run(e).findings;
    expect(f!.evidence.join('\n')).toContain('condition StringEquals aws:SourceArn');
  });

  it('URL-encoded trust policy (as IAM returns it) is read', () => {
    const e = healthyEvidence();
    e.steps.s5.role.value!.trustPolicy = encodeURIComponent(TRUST_POLICY);
    expect(run(e).findings).toEqual([]);
  });

  it('only CreateLogStream allowed → names the missing PutLogEvents', () => {
    const e = withInline({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:CreateLogStream', Resource: `${STREAM}*` }] });
    const [f] = run(e).findings;
    expect(f?.confidence).toBe('confirmed');
    expect(f!.data?.missing).toEqual([`logs:PutLogEvents on stream ${ACCOUNT}_CloudTrail_${REGION}`]);
    expect(f!.remediation.commands[0]).toBe(`aws iam put-role-policy --role-name ${ROLE_NAME} --policy-name CloudTrailPolicyForCloudWatchLogs --policy-document file://role-policy.json`);
    expectCorrectedWorks(e, f!.data!.policyFiles as Record<string, unknown>);
  });

  it('no role policies at all → both actions named per stream, a new inline policy', () => {
    const e = withInline();
    const [f] = run(e).findings;
    expect(f!.summary).toContain(`logs:CreateLogStream and logs:PutLogEvents on stream ${ACCOUNT}_CloudTrail_${REGION}`);
    expect(f!.remediation.summary).not.toContain('existing statements');
    expectCorrectedWorks(e, f!.data!.policyFiles as Record<string, unknown>);
  });

  it('role policy still pointing at an old log group', () => {
    const e = withInline(rolePolicyFor(REGION, ACCOUNT, 'old-log-group'));
    const [f] = run(e).findings;
    expect(f!.evidence.join('\n')).toMatch(/does not apply: Resource does not match .*aws-cloudtrail-logs-main/);
  });

  it('an attached managed policy can be the grant', () => {
    const e = withInline();
    e.steps.s5.attachedPolicies = ok([{ name: 'Logs', arn: `arn:aws:iam::${ACCOUNT}:policy/Logs`, document: JSON.stringify({ Statement: { Effect: 'Allow', Action: 'logs:*', Resource: '*' } }) }]);
    expect(run(e)).toEqual({ findings: [], unverified: [] });
  });

  it('explicit Deny in an attached policy → named, detach command', () => {
    const e = healthyEvidence();
    const arn = `arn:aws:iam::${ACCOUNT}:policy/NoLogs`;
    e.steps.s5.attachedPolicies = ok([{ name: 'NoLogs', arn, document: JSON.stringify({ Statement: [{ Sid: 'DenyLogs', Effect: 'Deny', Action: 'logs:PutLogEvents', Resource: '*' }] }) }]);
    const [f] = run(e).findings;
    expect(f!.summary).toContain('"DenyLogs" of NoLogs');
    expect(f!.remediation.commands).toContain(`aws iam detach-role-policy --role-name ${ROLE_NAME} --policy-arn ${arn}`);
  });

  it('denied probes → unverified with the IAM actions, no finding', () => {
    const e = healthyEvidence();
    e.steps.s5.role = denied('iam:GetRole', 'AccessDenied');
    e.steps.s5.inlinePolicies = denied('iam:ListRolePolicies, iam:GetRolePolicy', 'AccessDenied');
    e.steps.s5.attachedPolicies = denied('iam:ListAttachedRolePolicies, iam:GetPolicy, iam:GetPolicyVersion', 'AccessDenied');
    const r = run(e);
    expect(r.findings).toEqual([]);
    expect(r.unverified.map((u) => u.needs)).toEqual(['iam:GetRole', 'iam:ListRolePolicies, iam:GetRolePolicy', 'iam:ListAttachedRolePolicies, iam:GetPolicy, iam:GetPolicyVersion']);
    expect(r.unverified.every((u) => u.step === 5)).toBe(true);
  });

  it('an attached policy whose document could not be read: unverified, not a finding', () => {
    const e = withInline();
    e.steps.s5.attachedPolicies = ok([{ name: 'Logs', arn: `arn:aws:iam::${ACCOUNT}:policy/Logs` }]);
    const r = run(e);
    expect(r.findings).toEqual([]);
    expect(r.unverified[0]).toMatchObject({ step: 5, needs: 'iam:GetPolicy, iam:GetPolicyVersion' });
  });

  it('a role in another account that cannot be read: unverified naming the account', () => {
    const e = healthyEvidence();
    const arn = 'arn:aws:iam::444455556666:role/CtLogs';
    e.steps.s1.trail.value!.cloudWatchLogsRoleArn = arn;
    e.steps.s5.roleArn = arn;
    e.steps.s5.role = denied('iam:GetRole', 'AccessDenied');
    e.steps.s5.inlinePolicies = denied('iam:ListRolePolicies, iam:GetRolePolicy', 'AccessDenied');
    e.steps.s5.attachedPolicies = denied('iam:ListAttachedRolePolicies', 'AccessDenied');
    const r = run(e);
    expect(r.findings).toEqual([]);
    expect(r.unverified[0]!.what).toContain('account 444455556666');
  });

  describe('organization trails', () => {
    const orgEvidence = (doc: unknown) => {
      const e = withInline(doc);
      Object.assign(e.steps.s1.trail.value!, { isOrganizationTrail: true });
      e.steps.s6.organizationId = ok(ORG);
      return e;
    };
    it('a policy without the o-id stream misses member streams', () => {
      const e = orgEvidence(rolePolicyFor(REGION, ACCOUNT, LOG_GROUP));
      const [f] = run(e).findings;
      expect(f!.data?.missing).toEqual(expect.arrayContaining([`logs:PutLogEvents on stream ${ORG}_${ACCOUNT}_CloudTrail_${REGION}`]));
      expectCorrectedWorks(e, f!.data!.policyFiles as Record<string, unknown>);
    });
    it("AWS documentation's organization role policy allows", () => {
      const base = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${LOG_GROUP}:log-stream:`;
      const resources = [`${base}${ACCOUNT}_CloudTrail_${REGION}*`, `${base}${ORG}_*`];
      const doc = {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'AWSCloudTrailCreateLogStream20141101', Effect: 'Allow', Action: ['logs:CreateLogStream'], Resource: resources },
          { Sid: 'AWSCloudTrailPutLogEvents20141101', Effect: 'Allow', Action: ['logs:PutLogEvents'], Resource: resources },
        ],
      };
      expect(run(orgEvidence(doc)).findings).toEqual([]);
    });
  });

  it('the trail ARN is the SourceArn of the trust request', () => {
    const t = trailTargetOf(healthyEvidence(), new Date('2026-11-24T04:00:00Z'))!;
    expect(roleTrustRequest(t)!.context['aws:SourceArn']).toBe(TRAIL_ARN);
  });
});
