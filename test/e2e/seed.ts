import { gzipSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { CloudTrailClient, CreateTrailCommand, StartLoggingCommand, StopLoggingCommand, PutEventSelectorsCommand } from '@aws-sdk/client-cloudtrail';
import { S3Client, CreateBucketCommand, PutBucketPolicyCommand, PutObjectCommand, DeleteBucketCommand, ListObjectsV2Command, DeleteObjectsCommand, PutBucketLifecycleConfigurationCommand } from '@aws-sdk/client-s3';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand, PutRetentionPolicyCommand } from '@aws-sdk/client-cloudwatch-logs';
import { IAMClient, CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { bucketPolicyFor, rolePolicyFor, TRUST_POLICY } from '../../src/evidence/builder.js';

/**
 * Seeds moto with a realistic CloudTrail setup through the SDK: the bucket and its policy, the trail,
 * the CloudWatch Logs group, stream and role, CloudTrail-shaped log files (gzip JSON, keys carrying
 * CloudTrail's delivery time) every five minutes with optional silences, log-group events and metrics.
 * moto delivers nothing itself (aws-emulator.md §4), so everything the tool reads is put here.
 */
export const ACCOUNT = '123456789012';

export interface SeedOptions {
  endpoint: string;
  region: string;
  trail: string;
  bucket: string;
  prefix?: string;
  now: Date;
  /** Deliveries every 5 minutes from now - hours until now - lagMinutes. */
  hours: number;
  lagMinutes?: number;
  /** Silences with no log file: [startMinutesAgo, endMinutesAgo]. */
  silences?: [number, number][];
  bucketPolicy?: 'correct' | 'wrong-prefix' | 'none';
  cloudWatchLogs?: boolean;
  logging?: boolean;
  multiRegion?: boolean;
  /** Leave the bucket absent after the trail was created (deleted bucket). */
  deleteBucket?: boolean;
}

export interface Seeded {
  trailArn: string;
  logGroupName?: string;
  logGroupArn?: string;
  roleArn?: string;
  filesPut: number;
  /** Delivery time of the newest log file put. */
  lastDelivery?: Date;
  /** Every record put into a log file: what event history holds when delivery is complete. */
  records: Record<string, unknown>[];
}

const pad = (n: number) => String(n).padStart(2, '0');

export function logKey(prefix: string | undefined, account: string, region: string, t: Date, unique: string): string {
  const day = `${t.getUTCFullYear()}/${pad(t.getUTCMonth() + 1)}/${pad(t.getUTCDate())}`;
  const stamp = `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}T${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}Z`;
  const base = `AWSLogs/${account}/CloudTrail/${region}/${day}/${account}_CloudTrail_${region}_${stamp}_${unique}.json.gz`;
  return prefix ? `${prefix}/${base}` : base;
}

export function record(region: string, t: Date, eventName = 'DescribeInstances', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    eventTime: t.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'ec2.amazonaws.com',
    eventName,
    awsRegion: region,
    sourceIPAddress: '198.51.100.10',
    userAgent: 'aws-cli/2.15.0',
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/app`, accountId: ACCOUNT },
    requestParameters: null,
    responseElements: null,
    requestID: randomUUID(),
    eventID: randomUUID(),
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    eventCategory: 'Management',
    recipientAccountId: ACCOUNT,
    ...extra,
  };
}

function clients(endpoint: string, region: string) {
  const cfg = { region, endpoint, maxAttempts: 2 };
  return {
    s3: new S3Client({ ...cfg, forcePathStyle: true }),
    ct: new CloudTrailClient(cfg),
    logs: new CloudWatchLogsClient(cfg),
    iam: new IAMClient({ ...cfg, region: 'us-east-1' }),
    cw: new CloudWatchClient(cfg),
  };
}

async function inBatches<T>(items: T[], size: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

export async function seedAccount(o: SeedOptions): Promise<Seeded> {
  const c = clients(o.endpoint, o.region);
  const trailArn = `arn:aws:cloudtrail:${o.region}:${ACCOUNT}:trail/${o.trail}`;
  await c.s3.send(new CreateBucketCommand({ Bucket: o.bucket, CreateBucketConfiguration: o.region === 'us-east-1' ? undefined : { LocationConstraint: o.region as never } }));
  if ((o.bucketPolicy ?? 'correct') !== 'none') {
    const policy = o.bucketPolicy === 'wrong-prefix' ? bucketPolicyFor(o.bucket, ACCOUNT, trailArn, 'old-prefix') : bucketPolicyFor(o.bucket, ACCOUNT, trailArn, o.prefix);
    await c.s3.send(new PutBucketPolicyCommand({ Bucket: o.bucket, Policy: policy }));
  }
  const seeded: Seeded = { trailArn, filesPut: 0, records: [] };
  if (o.cloudWatchLogs !== false) {
    const name = `aws-cloudtrail-logs-${o.trail}`;
    await c.logs.send(new CreateLogGroupCommand({ logGroupName: name }));
    await c.logs.send(new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: 365 }));
    const stream = `${ACCOUNT}_CloudTrail_${o.region}`;
    await c.logs.send(new CreateLogStreamCommand({ logGroupName: name, logStreamName: stream }));
    const roleName = `CloudTrailRoleForCloudWatchLogs_${o.trail}`;
    const role = await c.iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: TRUST_POLICY }));
    await c.iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'CloudTrailPolicyForCloudWatchLogs', PolicyDocument: rolePolicyFor(o.region, ACCOUNT, name) }));
    seeded.logGroupName = name;
    seeded.logGroupArn = `arn:aws:logs:${o.region}:${ACCOUNT}:log-group:${name}:*`;
    seeded.roleArn = role.Role?.Arn ?? `arn:aws:iam::${ACCOUNT}:role/${roleName}`;
  }
  await c.ct.send(
    new CreateTrailCommand({
      Name: o.trail,
      S3BucketName: o.bucket,
      S3KeyPrefix: o.prefix,
      IsMultiRegionTrail: o.multiRegion ?? true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: false,
      CloudWatchLogsLogGroupArn: seeded.logGroupArn,
      CloudWatchLogsRoleArn: seeded.roleArn,
    }),
  );
  // moto's default is no selector at all; AWS gives a new trail one all-management selector.
  await c.ct.send(new PutEventSelectorsCommand({ TrailName: o.trail, EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] }));
  if (o.logging !== false) await c.ct.send(new StartLoggingCommand({ Name: o.trail }));

  // Deliveries every 5 minutes, skipping the silences.
  const now = o.now.getTime();
  const lag = (o.lagMinutes ?? 3) * 60_000;
  const times: Date[] = [];
  for (let t = now - o.hours * 3_600_000; t <= now - lag; t += 5 * 60_000) {
    const agoMin = (now - t) / 60_000;
    if ((o.silences ?? []).some(([a, b]) => agoMin <= a && agoMin >= b)) continue;
    times.push(new Date(t - (t % 60_000)));
  }
  seeded.lastDelivery = times[times.length - 1];
  if (!o.deleteBucket) {
    await inBatches(times, 16, async (t) => {
      const records = [record(o.region, new Date(t.getTime() - 90_000)), record(o.region, new Date(t.getTime() - 60_000), 'ListBuckets')];
      seeded.records.push(...records);
      const unique = randomUUID().replace(/-/g, '').slice(0, 16);
      await c.s3.send(new PutObjectCommand({ Bucket: o.bucket, Key: logKey(o.prefix, ACCOUNT, o.region, t, unique), Body: gzipSync(JSON.stringify({ Records: records })) }));
      seeded.filesPut++;
    });
  }
  if (seeded.logGroupName) {
    const events = times.map((t) => ({ timestamp: t.getTime() - 60_000, message: JSON.stringify(record(o.region, new Date(t.getTime() - 60_000))) }));
    for (let i = 0; i < events.length; i += 500) {
      await c.logs.send(new PutLogEventsCommand({ logGroupName: seeded.logGroupName, logStreamName: `${ACCOUNT}_CloudTrail_${o.region}`, logEvents: events.slice(i, i + 500) }));
    }
    const hourly = new Map<number, number>();
    for (const t of times) {
      const h = t.getTime() - (t.getTime() % 3_600_000);
      hourly.set(h, (hourly.get(h) ?? 0) + 2);
    }
    await c.cw.send(
      new PutMetricDataCommand({
        Namespace: 'AWS/Logs',
        MetricData: [...hourly].slice(0, 1000).map(([h, v]) => ({ MetricName: 'IncomingLogEvents', Dimensions: [{ Name: 'LogGroupName', Value: seeded.logGroupName! }], Timestamp: new Date(h), Value: v, Unit: 'None' as const })),
      }),
    );
  }
  if (o.deleteBucket) {
    const listed = await c.s3.send(new ListObjectsV2Command({ Bucket: o.bucket }));
    if (listed.Contents?.length) await c.s3.send(new DeleteObjectsCommand({ Bucket: o.bucket, Delete: { Objects: listed.Contents.map((x) => ({ Key: x.Key! })) } }));
    await c.s3.send(new DeleteBucketCommand({ Bucket: o.bucket }));
  }
  return seeded;
}

export async function stopLogging(endpoint: string, region: string, trail: string): Promise<void> {
  await clients(endpoint, region).ct.send(new StopLoggingCommand({ Name: trail }));
}

export async function expireLogsAfter(endpoint: string, region: string, bucket: string, days: number): Promise<void> {
  await clients(endpoint, region).s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: bucket,
      LifecycleConfiguration: { Rules: [{ ID: 'expire-logs', Status: 'Enabled', Filter: { Prefix: 'AWSLogs/' }, Expiration: { Days: days } }] },
    }),
  );
}
