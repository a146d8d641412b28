import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { GetTrailCommand } from '@aws-sdk/client-cloudtrail';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  GetQueryResultsCommand,
  StartQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { awsError, fakeAws, healthyTrail, regionOf, runFakePlan, LOG_GROUP } from '../../test/support/aws-fakes.js';
import { DELIVERY_FAILURE_PATTERN, isDeliveryFailure } from './step3-log-events.js';

const fake = fakeAws();
afterAll(() => fake.restore());
beforeEach(() => fake.install());

const rec = (over: Record<string, unknown>) => JSON.stringify({ eventID: `id-${Math.random()}`, eventTime: '2026-11-23T10:00:00Z', eventName: 'X', eventSource: 'x', ...over });

describe('step 3: log group content', () => {
  it('counts events per hour with Logs Insights and reads freshness from event timestamps', async () => {
    const { outputs } = await runFakePlan(fake);
    const s3 = outputs.s3;
    expect(s3.eventCounts.status).toBe('ok');
    expect(s3.eventCounts.value?.capped).toBe(false);
    expect(s3.eventCounts.value?.hourly).toHaveLength(7 * 24 + 1);
    expect(s3.eventCounts.value?.total).toBe((7 * 24 + 1) * 600);
    const q = fake.logs.commandCalls(StartQueryCommand)[0]!.args[0].input;
    expect(q).toMatchObject({ logGroupName: LOG_GROUP, startTime: Math.floor(fake.window.start.getTime() / 1000), queryString: expect.stringMatching(/stats count\(\*\).*bin\(1h\)/) });
    // DescribeLogStreams' lastEventTimestamp lags; the newest event itself (GetLogEvents) is fresher.
    expect(s3.newestEventTime).toBe('2026-11-24T03:56:00Z');
    expect(fake.logs.commandCalls(GetLogEventsCommand)[0]!.args[0].input).toMatchObject({ startFromHead: false, limit: 1 });
    expect(fake.logs.commandCalls(DescribeLogStreamsCommand)[0]!.args[0].input).toEqual({ logGroupName: LOG_GROUP, orderBy: 'LastEventTime', descending: true, limit: 50 });
  });

  it('Insights not computed (moto): falls back to a paginated FilterLogEvents scan counted by event timestamp', async () => {
    fake.logs.on(GetQueryResultsCommand).resolves({ status: 'Complete', results: [[{ field: '@ptr', value: 'abc' }]] });
    const t = (iso: string) => Date.parse(iso);
    fake.logs
      .on(FilterLogEventsCommand, { filterPattern: undefined })
      .resolvesOnce({ events: [{ timestamp: t('2026-11-23T10:05:00Z') }, { timestamp: t('2026-11-23T10:55:00Z') }], nextToken: 'p2' })
      .resolvesOnce({ events: [{ timestamp: t('2026-11-23T11:00:00Z') }, { timestamp: t('2020-01-01T00:00:00Z') }] });
    const { outputs } = await runFakePlan(fake);
    const c = outputs.s3.eventCounts.value!;
    expect(c.total).toBe(3);
    expect(c.capped).toBe(false);
    expect(c.hourly.find((h) => h.hour === '2026-11-23T10:00:00Z')?.count).toBe(2);
    expect(c.hourly.find((h) => h.hour === '2026-11-23T11:00:00Z')?.count).toBe(1);
  });

  it('the fallback scan is capped and says so', async () => {
    fake.logs.on(StartQueryCommand).rejects(awsError('AccessDeniedException'));
    fake.logs.on(FilterLogEventsCommand, { filterPattern: undefined }).resolves({ events: [{ timestamp: Date.parse('2026-11-23T10:05:00Z') }], nextToken: 'more' });
    const { outputs } = await runFakePlan(fake, { limits: { maxFilterPages: 3 } });
    expect(outputs.s3.eventCounts.value).toMatchObject({ total: 3, capped: true });
  });

  it('delivery failures: a JSON filter pattern, and every match re-checked here (moto ignores patterns)', async () => {
    const failures = [
      rec({ eventID: 'kms', eventSource: 'kms.amazonaws.com', eventName: 'GenerateDataKey', errorCode: 'AccessDeniedException', userIdentity: { type: 'AWSService', invokedBy: 'cloudtrail.amazonaws.com' } }),
      rec({ eventID: 'ct', eventSource: 'cloudtrail.amazonaws.com', eventName: 'UpdateTrail', errorCode: 'InsufficientS3BucketPolicyException' }),
      rec({ eventID: 'ok', eventSource: 'kms.amazonaws.com', eventName: 'GenerateDataKey', userIdentity: { invokedBy: 'cloudtrail.amazonaws.com' } }),
      rec({ eventID: 'user', eventSource: 's3.amazonaws.com', eventName: 'PutObject', errorCode: 'AccessDenied', userIdentity: { arn: 'arn:aws:iam::1:user/bob' } }),
      rec({ eventID: 'stop', eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', errorCode: 'AccessDenied' }),
      'not json',
    ];
    fake.logs.on(FilterLogEventsCommand, { filterPattern: DELIVERY_FAILURE_PATTERN }).resolves({ events: failures.map((message, i) => ({ timestamp: 1 + i, message })) });
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s3.deliveryFailures.value?.map((e) => e.eventId).sort()).toEqual(['ct', 'kms']);
    expect(outputs.s3.deliveryFailures.value?.[0]?.sources).toEqual(['log-group']);
  });

  it('isDeliveryFailure: CloudTrail acting on S3, Logs or KMS with an error', () => {
    const ok = (r: Record<string, unknown>) => isDeliveryFailure(JSON.parse(rec(r)));
    expect(ok({ eventSource: 's3.amazonaws.com', eventName: 'PutObject', errorCode: 'AccessDenied', sourceIPAddress: 'cloudtrail.amazonaws.com' })).toBe(true);
    expect(ok({ eventSource: 'logs.amazonaws.com', eventName: 'PutLogEvents', errorCode: 'AccessDenied', userAgent: 'cloudtrail.amazonaws.com' })).toBe(true);
    expect(ok({ eventSource: 'logs.amazonaws.com', eventName: 'DeleteLogGroup', errorCode: 'AccessDenied', userAgent: 'cloudtrail.amazonaws.com' })).toBe(false);
    expect(ok({ eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', errorCode: 'x', sourceIPAddress: 'cloudtrail.amazonaws.com' })).toBe(false);
  });

  it('missing log group (ResourceNotFoundException): absent', async () => {
    fake.logs.on(DescribeLogStreamsCommand).rejects(awsError('ResourceNotFoundException'));
    fake.logs.on(FilterLogEventsCommand).rejects(awsError('ResourceNotFoundException'));
    fake.logs.on(StartQueryCommand).rejects(awsError('ResourceNotFoundException'));
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s3.streams).toMatchObject({ status: 'absent', errorCode: 'ResourceNotFoundException' });
    expect(outputs.s3.eventCounts.status).toBe('absent');
    expect(outputs.s3.deliveryFailures.status).toBe('absent');
    expect(outputs.s3.newestEventTime).toBeUndefined();
  });

  it('AccessDenied on the streams: denied with needs; a throttled scan: error with needs', async () => {
    fake.logs.on(DescribeLogStreamsCommand).rejects(awsError('AccessDeniedException'));
    fake.logs.on(FilterLogEventsCommand, { filterPattern: DELIVERY_FAILURE_PATTERN }).rejects(awsError('ThrottlingException'));
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s3.streams).toMatchObject({ status: 'denied', needs: 'logs:DescribeLogStreams' });
    expect(outputs.s3.deliveryFailures).toMatchObject({ status: 'error', needs: expect.stringMatching(/^a retry when the API is less busy/) });
  });

  it('a log group in another region is read there (region from its ARN)', async () => {
    fake.ct.on(GetTrailCommand).resolves({ Trail: healthyTrail({ CloudWatchLogsLogGroupArn: 'arn:aws:logs:us-west-2:123456789012:log-group:ct-logs:*' }) });
    const regions = new Set<string>();
    fake.logs.on(DescribeLogStreamsCommand).callsFake(async (input: { logGroupName: string }, getClient) => {
      regions.add(`${input.logGroupName}@${await regionOf(getClient as never)}`);
      return { logStreams: [] };
    });
    await runFakePlan(fake);
    expect([...regions]).toEqual(['ct-logs@us-west-2']);
  });

  it('a log group of another account: unverified, naming the account — never "missing"', async () => {
    fake.sts.on(GetCallerIdentityCommand).resolves({ Account: '111122223333', Arn: 'arn:aws:iam::111122223333:user/x' });
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s3.streams).toMatchObject({ status: 'error', errorCode: 'CrossAccount' });
    expect(outputs.s3.streams.reason).toContain('123456789012');
    expect(fake.logs.commandCalls(DescribeLogStreamsCommand)).toHaveLength(0);
  });

  it('no CloudWatch Logs configured: skipped with the reason', async () => {
    fake.ct.on(GetTrailCommand).resolves({ Trail: healthyTrail({ CloudWatchLogsLogGroupArn: undefined, CloudWatchLogsRoleArn: undefined }) });
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s3.streams).toEqual({ status: 'skipped', reason: 'no CloudWatch Logs configured' });
    expect(outputs.s7.logGroup.reason).toBe('no CloudWatch Logs configured');
    expect(outputs.s8.metrics.status).toBe('skipped');
  });
});
