import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { CreateTrailCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { CreateBucketCommand, PutBucketPolicyCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand, PutRetentionPolicyCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { startMoto, skipWithoutMoto, useMotoCredentials, type Moto } from '../../test/support/moto.js';
import { createClients } from '../aws/clients.js';
import { evidenceSchema, type Evidence } from '../evidence/schema.js';
import { bucketPolicyFor, rolePolicyFor, TRUST_POLICY } from '../evidence/builder.js';
import { collect } from './index.js';
import type { PlanResult } from './plan.js';
import { actionForCall, COLLECT_ACTIONS } from './permissions.js';

const skip = skipWithoutMoto('collect against moto');

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const BUCKET = 'moto-trail-logs';
const GROUP = 'aws-cloudtrail-logs-main';
const GROUP_ARN = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${GROUP}:*`;
const ROLE = 'CloudTrailRoleForCloudWatchLogs_main';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;
const TRAIL_ARN = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/main`;

const pad = (n: number) => String(n).padStart(2, '0');
function logKey(t: Date, n: number): string {
  const day = `${t.getUTCFullYear()}/${pad(t.getUTCMonth() + 1)}/${pad(t.getUTCDate())}`;
  const stamp = `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}T${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}Z`;
  return `AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/${day}/${ACCOUNT}_CloudTrail_${REGION}_${stamp}_${('M' + String(n).padStart(15, '0')).slice(0, 16)}.json.gz`;
}

describe.skipIf(skip)('collect() end to end against moto', () => {
  let moto: Moto;
  const now = new Date();
  const window = { start: new Date(now.getTime() - 2 * 86_400_000), end: now };
  let evidence: Evidence;
  let plan: PlanResult;

  beforeAll(async () => {
    useMotoCredentials();
    moto = await startMoto();
    const c = createClients({ region: REGION, endpointUrl: moto.endpoint, maxAttempts: 1 });
    await c.s3().send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }));
    await c.s3().send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: bucketPolicyFor(BUCKET, ACCOUNT, TRAIL_ARN) }));
    // Log files every 5 minutes for the last 6 hours, with a 90-minute hole 3 hours ago.
    let n = 0;
    for (let m = 6 * 60; m >= 5; m -= 5) {
      if (m > 150 && m < 240) continue;
      const t = new Date(Math.floor((now.getTime() - m * 60_000) / 60_000) * 60_000);
      await c.s3().send(new PutObjectCommand({ Bucket: BUCKET, Key: logKey(t, n++), Body: gzipSync('{"Records":[]}') }));
    }
    await c.s3().send(new PutObjectCommand({ Bucket: BUCKET, Key: `AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/not-a-log-file.txt`, Body: 'x' }));
    await c.logs().send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    await c.logs().send(new PutRetentionPolicyCommand({ logGroupName: GROUP, retentionInDays: 90 }));
    await c.logs().send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: `${ACCOUNT}_CloudTrail_${REGION}` }));
    const rec = (i: number, extra: Record<string, unknown>) =>
      JSON.stringify({ eventVersion: '1.09', eventID: `ev-${i}`, eventTime: new Date(now.getTime() - (60 - i) * 60_000).toISOString(), awsRegion: REGION, userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/bob` }, ...extra });
    const events = [
      rec(1, { eventSource: 's3.amazonaws.com', eventName: 'GetObject', requestParameters: { bucketName: 'other' } }),
      rec(2, { eventSource: 's3.amazonaws.com', eventName: 'PutBucketPolicy', requestParameters: { bucketName: BUCKET } }),
      rec(3, { eventSource: 's3.amazonaws.com', eventName: 'PutBucketPolicy', requestParameters: { bucketName: 'someone-elses' } }),
      rec(4, { eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', errorCode: 'AccessDenied', requestParameters: { name: 'main' } }),
      rec(5, { eventSource: 'kms.amazonaws.com', eventName: 'GenerateDataKey', errorCode: 'AccessDeniedException', userIdentity: { type: 'AWSService', invokedBy: 'cloudtrail.amazonaws.com' } }),
    ].map((message, i) => ({ timestamp: now.getTime() - (60 - (i + 1)) * 60_000, message }));
    await c.logs().send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: `${ACCOUNT}_CloudTrail_${REGION}`, logEvents: events }));
    await c.iam().send(new CreateRoleCommand({ RoleName: ROLE, AssumeRolePolicyDocument: TRUST_POLICY }));
    await c.iam().send(new PutRolePolicyCommand({ RoleName: ROLE, PolicyName: 'cwl', PolicyDocument: rolePolicyFor(REGION, ACCOUNT, GROUP) }));
    await c.cloudtrail().send(
      new CreateTrailCommand({
        Name: 'main',
        S3BucketName: BUCKET,
        IsMultiRegionTrail: true,
        IncludeGlobalServiceEvents: true,
        EnableLogFileValidation: true,
        CloudWatchLogsLogGroupArn: GROUP_ARN,
        CloudWatchLogsRoleArn: ROLE_ARN,
      }),
    );
    await c.cloudtrail().send(new StartLoggingCommand({ Name: 'main' }));

    const clients = createClients({ region: REGION, endpointUrl: moto.endpoint, maxAttempts: 1, rateLimits: { 'cloudtrail:LookupEvents': 50 } });
    evidence = await collect(clients, { trail: 'main', region: REGION, window, now, endpointUrl: moto.endpoint, limits: { insightsPollMs: 10 }, onPlan: (p) => (plan = p) });
  }, 60_000);

  afterAll(async () => {
    await moto?.stop();
  });

  it('produces schema-valid evidence with the trail, status and bucket', () => {
    expect(() => evidenceSchema.parse(evidence)).not.toThrow();
    const s = evidence.steps;
    expect(s.s1.trail.status).toBe('ok');
    expect(s.s1.trail.value).toMatchObject({ name: 'main', arn: TRAIL_ARN, homeRegion: REGION, isMultiRegionTrail: true, s3BucketName: BUCKET });
    expect(s.s1.isShadowTrail).toBe(false);
    expect(s.s1.caller.value?.accountId).toBe(ACCOUNT);
    expect(s.s1.health).toMatchObject({ status: 'error', optional: true });
    expect(s.s2.status.value?.isLogging).toBe(true);
    expect(s.s2.status.value).not.toHaveProperty('latestDeliveryError');
    expect(s.s2.status.value).not.toHaveProperty('latestNotificationError');
    expect(s.s4.head).toMatchObject({ status: 'ok', value: { region: REGION } });
    expect(JSON.parse(s.s4.policy.value!).Statement).toHaveLength(2);
    expect(s.s4.lifecycle.status).toBe('absent');
  });

  it('reads the role, the log group and its content', () => {
    const s = evidence.steps;
    expect(JSON.parse(s.s5.role.value!.trustPolicy).Statement[0].Principal.Service).toBe('cloudtrail.amazonaws.com');
    expect(s.s5.inlinePolicies.value?.[0]?.name).toBe('cwl');
    expect(JSON.parse(s.s5.inlinePolicies.value![0]!.document!).Statement).toHaveLength(2);
    expect(s.s7.logGroup).toMatchObject({ status: 'ok', value: { name: GROUP, retentionInDays: 90 } });
    expect(s.s3.eventCounts.value).toMatchObject({ total: 5, capped: false });
    expect(s.s3.deliveryFailures.value?.map((e) => e.eventId)).toEqual(['ev-5']);
    expect(s.s8.metrics).toMatchObject({ status: 'ok', optional: true });
  });

  it('lists the log files by day prefix and finds the gap', () => {
    const l = evidence.steps.s6.listing.value!;
    expect(evidence.steps.s6.prefixes).toHaveLength(3);
    expect(l.fileCount).toBeGreaterThan(50);
    expect(l.gaps.length).toBe(1);
    expect(l.gaps[0]!.minutes).toBeGreaterThanOrEqual(90);
    expect(l.recent).toHaveLength(10);
  });

  it('finds changes in the log group and survives LookupEvents answering 500', () => {
    const s9 = evidence.steps.s9;
    expect(s9.fromLogGroup.value?.map((e) => e.eventId)).toEqual(['ev-2']);
    expect(s9.fromEventHistory.status).toBe('error');
    expect(s9.changes.map((e) => e.eventName)).toEqual(['PutBucketPolicy']);
  });

  it('sends only declared calls and reports stats', () => {
    for (const a of plan.audit) expect(COLLECT_ACTIONS).toContain(actionForCall(a.call));
    expect(evidence.stats?.apiCalls).toBeGreaterThan(20);
    expect(evidence.stats?.longestChain).toBeGreaterThanOrEqual(3);
  });

  it('finds the shadow of the multi-region trail from another region', async () => {
    const clients = createClients({ region: 'us-east-1', endpointUrl: moto.endpoint, maxAttempts: 1, rateLimits: { 'cloudtrail:LookupEvents': 50 } });
    const e = await collect(clients, { trail: 'main', region: 'us-east-1', window, now, limits: { insightsPollMs: 10 } });
    expect(e.steps.s1.trail.status).toBe('ok');
    expect(e.steps.s1.isShadowTrail).toBe(true);
    expect(e.steps.s1.trail.value?.homeRegion).toBe(REGION);
    expect(e.steps.s2.status.value?.isLogging).toBe(true);
    expect(e.steps.s4.head.value?.region).toBe(REGION);
  }, 30_000);
});
