import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { GetTrailCommand } from '@aws-sdk/client-cloudtrail';
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { awsError, fakeAws, healthyTrail, runFakePlan, ROLE_ARN, ROLE_NAME } from '../../test/support/aws-fakes.js';
import { TRUST_POLICY } from '../evidence/builder.js';
import { decodePolicy } from './util.js';

const fake = fakeAws();
afterAll(() => fake.restore());
beforeEach(() => fake.install());

describe('step 5: the CloudWatch Logs role', () => {
  it('reads the trust policy (URL-decoded) and the inline policy', async () => {
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s5.roleArn).toBe(ROLE_ARN);
    expect(outputs.s5.role.value).toEqual({ arn: ROLE_ARN, name: ROLE_NAME, trustPolicy: TRUST_POLICY });
    expect(outputs.s5.inlinePolicies.value?.map((p) => p.name)).toEqual(['CloudTrailPolicyForCloudWatchLogs']);
    expect(JSON.parse(outputs.s5.inlinePolicies.value![0]!.document!).Statement[1].Action).toEqual(['logs:PutLogEvents']);
    expect(outputs.s5.attachedPolicies).toEqual({ status: 'ok', value: [] });
  });

  it('paginates both lists and reads every attached policy at its default version', async () => {
    fake.iam
      .on(ListRolePoliciesCommand)
      .resolvesOnce({ PolicyNames: ['a'], IsTruncated: true, Marker: 'm1' })
      .resolvesOnce({ PolicyNames: ['b'], IsTruncated: false });
    fake.iam.on(GetRolePolicyCommand).callsFake((input: { PolicyName: string }) => ({ PolicyDocument: encodeURIComponent(`{"Sid":"${input.PolicyName}"}`) }));
    fake.iam
      .on(ListAttachedRolePoliciesCommand)
      .resolvesOnce({ AttachedPolicies: [{ PolicyName: 'p1', PolicyArn: 'arn:aws:iam::123456789012:policy/p1' }], IsTruncated: true, Marker: 'x' })
      .resolvesOnce({ AttachedPolicies: [{ PolicyName: 'CloudWatchLogsFullAccess', PolicyArn: 'arn:aws:iam::aws:policy/CloudWatchLogsFullAccess' }], IsTruncated: false });
    fake.iam.on(GetPolicyCommand).callsFake((input: { PolicyArn: string }) => ({ Policy: { Arn: input.PolicyArn, DefaultVersionId: input.PolicyArn.endsWith('p1') ? 'v3' : 'v1' } }));
    fake.iam.on(GetPolicyVersionCommand).callsFake((input: { PolicyArn: string; VersionId: string }) => ({
      // AWS URL-encodes; moto returns plain JSON: both read the same.
      PolicyVersion: { Document: input.PolicyArn.endsWith('p1') ? encodeURIComponent('{"v":"3"}') : '{"v":"1"}' },
    }));
    const { outputs } = await runFakePlan(fake);
    expect(fake.iam.commandCalls(ListRolePoliciesCommand)[1]!.args[0].input).toEqual({ RoleName: ROLE_NAME, Marker: 'm1' });
    expect(outputs.s5.inlinePolicies.value).toEqual([
      { name: 'a', document: '{"Sid":"a"}' },
      { name: 'b', document: '{"Sid":"b"}' },
    ]);
    expect(outputs.s5.attachedPolicies.value).toEqual([
      { name: 'p1', arn: 'arn:aws:iam::123456789012:policy/p1', document: '{"v":"3"}' },
      { name: 'CloudWatchLogsFullAccess', arn: 'arn:aws:iam::aws:policy/CloudWatchLogsFullAccess', document: '{"v":"1"}' },
    ]);
    expect(fake.iam.commandCalls(GetPolicyVersionCommand).map((c) => c.args[0].input.VersionId).sort()).toEqual(['v1', 'v3']);
  });

  it('the role does not exist: absent (NoSuchEntity)', async () => {
    fake.iam.on(GetRoleCommand).rejects(awsError('NoSuchEntityException', 404));
    fake.iam.on(ListRolePoliciesCommand).rejects(awsError('NoSuchEntityException', 404));
    fake.iam.on(ListAttachedRolePoliciesCommand).rejects(awsError('NoSuchEntityException', 404));
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s5.role).toMatchObject({ status: 'absent', errorCode: 'NoSuchEntityException' });
    expect(outputs.s5.inlinePolicies.status).toBe('skipped');
  });

  it('a policy that can be listed but not read: denied with the permission, what was seen kept', async () => {
    fake.iam.on(GetRolePolicyCommand).rejects(awsError('AccessDenied', 403));
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s5.inlinePolicies).toMatchObject({ status: 'denied', needs: 'iam:GetRolePolicy', value: [{ name: 'CloudTrailPolicyForCloudWatchLogs' }] });
  });

  it('GetRole throttled after retries: error with needs', async () => {
    fake.iam.on(GetRoleCommand).rejects(awsError('Throttling', 400));
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s5.role).toMatchObject({ status: 'error', needs: expect.stringMatching(/^a retry when the API is less busy/) });
  });

  it('a role of another account (organization trail seen from a member): unverified, naming the account', async () => {
    fake.ct.on(GetTrailCommand).resolves({ Trail: healthyTrail({ CloudWatchLogsRoleArn: 'arn:aws:iam::999988887777:role/service-role/ct' }) });
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s5.role).toMatchObject({ status: 'error', errorCode: 'CrossAccount' });
    expect(outputs.s5.role.reason).toContain('999988887777');
    expect(fake.iam.commandCalls(GetRoleCommand)).toHaveLength(0);
  });

  it('a role with a path: the name is the last segment', async () => {
    fake.ct.on(GetTrailCommand).resolves({ Trail: healthyTrail({ CloudWatchLogsRoleArn: 'arn:aws:iam::123456789012:role/service-role/ct-role' }) });
    await runFakePlan(fake);
    expect(fake.iam.commandCalls(GetRoleCommand)[0]!.args[0].input).toEqual({ RoleName: 'ct-role' });
  });

  it('no role configured: skipped with the reason', async () => {
    fake.ct.on(GetTrailCommand).resolves({ Trail: healthyTrail({ CloudWatchLogsRoleArn: undefined }) });
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s5.role).toEqual({ status: 'skipped', reason: 'the trail names a log group but no CloudWatch Logs role' });
  });

  it('decodePolicy decodes only what is encoded', () => {
    expect(decodePolicy('%7B%22a%22%3A1%7D')).toBe('{"a":1}');
    expect(decodePolicy('{"a":"%41"}')).toBe('{"a":"%41"}');
    expect(decodePolicy('%E0%A4%A')).toBe('%E0%A4%A');
  });
});
