import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { GetTrailCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { awsError, fakeAws, healthyTrail, regionOf, runFakePlan, LOG_GROUP, LOG_GROUP_ARN } from '../../test/support/aws-fakes.js';

const fake = fakeAws();
afterAll(() => fake.restore());
beforeEach(() => fake.install());

describe('step 7: the log group configuration', () => {
  it('reads the exact group: ARN, retention, KMS key', async () => {
    fake.logs.on(DescribeLogGroupsCommand).resolves({
      logGroups: [
        { logGroupName: `${LOG_GROUP}-old`, arn: `${LOG_GROUP_ARN}-old` },
        { logGroupName: LOG_GROUP, arn: LOG_GROUP_ARN, retentionInDays: 3, kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/k', creationTime: Date.parse('2026-01-01T00:00:00Z'), storedBytes: 10 },
      ],
    });
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s7).toEqual({
      logGroupArn: LOG_GROUP_ARN,
      logGroupName: LOG_GROUP,
      logGroup: { status: 'ok', value: { name: LOG_GROUP, arn: LOG_GROUP_ARN, retentionInDays: 3, kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/k', creationTime: '2026-01-01T00:00:00Z', storedBytes: 10 } },
    });
    expect(fake.logs.commandCalls(DescribeLogGroupsCommand)[0]!.args[0].input).toMatchObject({ logGroupNamePrefix: LOG_GROUP });
  });

  it('paginates through other groups sharing the prefix', async () => {
    fake.logs
      .on(DescribeLogGroupsCommand)
      .resolvesOnce({ logGroups: [{ logGroupName: `${LOG_GROUP}-a` }], nextToken: 't' })
      .resolvesOnce({ logGroups: [{ logGroupName: LOG_GROUP, logGroupArn: LOG_GROUP_ARN.replace(/:\*$/, '') }] });
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s7.logGroup.value).toEqual({ name: LOG_GROUP, arn: LOG_GROUP_ARN });
  });

  it('missing group: absent (only other groups share the prefix)', async () => {
    fake.logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: `${LOG_GROUP}-2` }] });
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s7.logGroup).toMatchObject({ status: 'absent', errorCode: 'ResourceNotFoundException' });
  });

  it('AccessDenied: denied with needs', async () => {
    fake.logs.on(DescribeLogGroupsCommand).rejects(awsError('AccessDeniedException'));
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s7.logGroup).toMatchObject({ status: 'denied', needs: 'logs:DescribeLogGroups' });
  });

  it('a group in another region is looked up there', async () => {
    fake.ct.on(GetTrailCommand).resolves({ Trail: healthyTrail({ CloudWatchLogsLogGroupArn: 'arn:aws:logs:ca-central-1:123456789012:log-group:/aws/ct/main:*' }) });
    let region = '';
    fake.logs.on(DescribeLogGroupsCommand).callsFake(async (input: { logGroupNamePrefix: string }, getClient) => {
      region = await regionOf(getClient as never);
      return { logGroups: [{ logGroupName: input.logGroupNamePrefix }] };
    });
    const { outputs } = await runFakePlan(fake);
    expect(region).toBe('ca-central-1');
    expect(outputs.s7.logGroupName).toBe('/aws/ct/main');
    expect(outputs.s7.logGroup.value?.name).toBe('/aws/ct/main');
  });
});
