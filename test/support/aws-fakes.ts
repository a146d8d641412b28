import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  LookupEventsCommand,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLocationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketRequestPaymentCommand,
  GetObjectLockConfigurationCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  GetQueryResultsCommand,
  StartQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { GetRoleCommand, GetRolePolicyCommand, IAMClient, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { DescribeEventsCommand, HealthClient } from '@aws-sdk/client-health';
import { DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { createClients, type AwsClients } from '../../src/aws/clients.js';
import { ACCOUNT, BUCKET, LOG_GROUP, LOG_GROUP_ARN, REGION, ROLE_ARN, ROLE_NAME, TRAIL, TRAIL_ARN, TRUST_POLICY, bucketPolicyFor, rolePolicyFor } from '../../src/evidence/builder.js';

/**
 * A fake AWS account for collector unit tests (aws-sdk-client-mock): every SDK client that
 * createClients() makes is intercepted, and `install()` answers like a healthy account — the same
 * names as src/evidence/builder.ts (trail `main` in eu-west-1, bucket acme-trail-logs, log group,
 * role) — so a test overrides exactly the one call it is about.
 */
export { ACCOUNT, BUCKET, LOG_GROUP, LOG_GROUP_ARN, REGION, ROLE_ARN, ROLE_NAME, TRAIL, TRAIL_ARN };

/** An SDK-shaped service error. */
export function awsError(name: string, status = 400, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name}: simulated`), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, ...extra });
}

/** The region of the client a fake was called through. */
export async function regionOf(getClient: () => { config: { region: unknown } }): Promise<string> {
  const r = getClient().config.region;
  return typeof r === 'function' ? await (r as () => Promise<string>)() : String(r);
}

export const healthyTrail = (over: Partial<Trail> = {}): Trail => ({
  Name: TRAIL,
  TrailARN: TRAIL_ARN,
  HomeRegion: REGION,
  S3BucketName: BUCKET,
  IncludeGlobalServiceEvents: true,
  IsMultiRegionTrail: true,
  IsOrganizationTrail: false,
  LogFileValidationEnabled: true,
  CloudWatchLogsLogGroupArn: LOG_GROUP_ARN,
  CloudWatchLogsRoleArn: ROLE_ARN,
  HasCustomEventSelectors: false,
  HasInsightSelectors: false,
  ...over,
});

const pad = (n: number) => String(n).padStart(2, '0');
export function logKey(t: number, n: number, account = ACCOUNT, region = REGION, root = `AWSLogs/${account}/CloudTrail/${region}/`): string {
  const d = new Date(t);
  const day = `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
  const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`;
  return `${root}${day}/${account}_CloudTrail_${region}_${stamp}_${('F' + String(n).padStart(15, '0')).slice(0, 16)}.json.gz`;
}

export interface FakeAws {
  now: Date;
  window: { start: Date; end: Date };
  ct: AwsStub<any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  s3: AwsStub<any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  logs: AwsStub<any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  cw: AwsStub<any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  kms: AwsStub<any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  sts: AwsStub<any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  iam: AwsStub<any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  health: AwsStub<any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  org: AwsStub<any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Resets every fake and answers like the healthy account again. */
  install(): void;
  /** Fresh clients (maxAttempts 1: a throttling answer is final; LookupEvents not rate-limited unless asked). */
  clients(region?: string, rateLimits?: Record<string, number>): AwsClients;
  /** Every call sent to any fake, as `service:Operation`. */
  sent(): string[];
  restore(): void;
}

/** Files every 5 minutes over the window, up to 3 minutes before now, for the healthy S3 listing. */
function healthyListing(prefix: string, win: { start: Date; end: Date }, now: Date) {
  const m = /\/(\d{4})\/(\d{2})\/(\d{2})\/$/.exec(prefix);
  if (!m || !prefix.includes(`/CloudTrail/${REGION}/`)) return [];
  const dayStart = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const from = Math.max(dayStart, Math.ceil(win.start.getTime() / 300_000) * 300_000);
  const to = Math.min(dayStart + 86_400_000 - 1, now.getTime() - 180_000);
  const out = [];
  let n = 0;
  for (let t = from; t <= to; t += 300_000) {
    const key = logKey(t, n++, ACCOUNT, REGION, prefix.slice(0, prefix.length - 11));
    out.push({ Key: key, Size: 40_000, LastModified: new Date(t + 20_000) });
  }
  return out;
}

export function fakeAws(now = new Date('2026-11-24T04:00:00Z'), windowDays = 7): FakeAws {
  const ct = mockClient(CloudTrailClient);
  const s3 = mockClient(S3Client);
  const logs = mockClient(CloudWatchLogsClient);
  const cw = mockClient(CloudWatchClient);
  const kms = mockClient(KMSClient);
  const sts = mockClient(STSClient);
  const iam = mockClient(IAMClient);
  const health = mockClient(HealthClient);
  const org = mockClient(OrganizationsClient);
  const window = { start: new Date(now.getTime() - windowDays * 86_400_000), end: now };
  const all = { cloudtrail: ct, s3, logs, cloudwatch: cw, kms, sts, iam, health, organizations: org };

  const install = () => {
    for (const m of Object.values(all)) m.reset();
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/oncall`, UserId: 'AIDA' });
    health.on(DescribeEventsCommand).rejects(awsError('SubscriptionRequiredException', 400));
    org.on(DescribeOrganizationCommand).rejects(awsError('AWSOrganizationsNotInUseException', 400));

    ct.on(GetTrailCommand).callsFake(async (input: { Name: string }, getClient) => {
      const region = await regionOf(getClient as never);
      if ((input.Name === TRAIL && region === REGION) || input.Name === TRAIL_ARN) {
        if (input.Name === TRAIL_ARN && region !== REGION) throw awsError('TrailNotFoundException', 400);
        return { Trail: healthyTrail() };
      }
      throw awsError('TrailNotFoundException', 400);
    });
    ct.on(DescribeTrailsCommand).resolves({ trailList: [healthyTrail()] });
    ct.on(GetTrailStatusCommand).resolves({
      IsLogging: true,
      LatestDeliveryTime: new Date(now.getTime() - 180_000),
      LatestCloudWatchLogsDeliveryTime: new Date(now.getTime() - 60_000),
      LatestDigestDeliveryTime: new Date(now.getTime() - 1_800_000),
      StartLoggingTime: new Date(now.getTime() - 100 * 86_400_000),
    });
    ct.on(GetEventSelectorsCommand).resolves({ TrailARN: TRAIL_ARN, EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }] });
    ct.on(LookupEventsCommand).resolves({ Events: [] });

    s3.on(HeadBucketCommand).resolves({ BucketRegion: REGION });
    s3.on(GetBucketLocationCommand).resolves({ LocationConstraint: REGION });
    s3.on(GetBucketPolicyCommand).resolves({ Policy: bucketPolicyFor(BUCKET, ACCOUNT, TRAIL_ARN) });
    s3.on(GetBucketEncryptionCommand).resolves({ ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }] } });
    s3.on(GetBucketOwnershipControlsCommand).resolves({ OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } });
    s3.on(GetObjectLockConfigurationCommand).rejects(awsError('ObjectLockConfigurationNotFoundError', 404));
    s3.on(GetBucketLifecycleConfigurationCommand).rejects(awsError('NoSuchLifecycleConfiguration', 404));
    s3.on(GetBucketRequestPaymentCommand).resolves({ Payer: 'BucketOwner' });
    s3.on(ListObjectsV2Command).callsFake((input: { Prefix: string }) => ({ Contents: healthyListing(input.Prefix, window, now), IsTruncated: false }));

    logs.on(DescribeLogStreamsCommand).resolves({
      logStreams: [{ logStreamName: `${ACCOUNT}_CloudTrail_${REGION}`, lastEventTimestamp: now.getTime() - 40 * 60_000, firstEventTimestamp: window.start.getTime() - 86_400_000 }],
    });
    logs.on(GetLogEventsCommand).resolves({ events: [{ timestamp: now.getTime() - 4 * 60_000, message: '{}' }] });
    logs.on(StartQueryCommand).resolves({ queryId: 'q-1' });
    logs.on(GetQueryResultsCommand).callsFake(() => {
      const rows = [];
      for (let h = Math.floor(window.start.getTime() / 3_600_000) * 3_600_000; h <= now.getTime(); h += 3_600_000) {
        rows.push([
          { field: 'hour', value: new Date(h).toISOString().replace('T', ' ').replace('Z', '') },
          { field: 'eventCount', value: '600' },
        ]);
      }
      return { status: 'Complete', results: rows };
    });
    logs.on(FilterLogEventsCommand).resolves({ events: [] });
    logs.on(DescribeLogGroupsCommand).resolves({
      logGroups: [{ logGroupName: LOG_GROUP, arn: LOG_GROUP_ARN, retentionInDays: 365, creationTime: window.start.getTime() - 200 * 86_400_000, storedBytes: 5_000_000 }],
    });

    iam.on(GetRoleCommand).resolves({ Role: { RoleName: ROLE_NAME, Arn: ROLE_ARN, Path: '/', RoleId: 'AROA', CreateDate: new Date(0), AssumeRolePolicyDocument: encodeURIComponent(TRUST_POLICY) } });
    iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['CloudTrailPolicyForCloudWatchLogs'], IsTruncated: false });
    iam.on(GetRolePolicyCommand).resolves({ RoleName: ROLE_NAME, PolicyName: 'CloudTrailPolicyForCloudWatchLogs', PolicyDocument: encodeURIComponent(rolePolicyFor(REGION, ACCOUNT, LOG_GROUP)) });
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [], IsTruncated: false });

    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'incomingLogEvents', Timestamps: [new Date(now.getTime() - 3_600_000)], Values: [600], StatusCode: 'Complete' }] });
    kms.on(DescribeKeyCommand).rejects(awsError('NotFoundException', 400));
    kms.on(GetKeyPolicyCommand).rejects(awsError('NotFoundException', 400));
  };

  install();
  return {
    now,
    window,
    ct,
    s3,
    logs,
    cw,
    kms,
    sts,
    iam,
    health,
    org,
    install,
    clients: (region = REGION, rateLimits = { 'cloudtrail:LookupEvents': 1_000 }) => createClients({ region, maxAttempts: 1, rateLimits }),
    sent: () =>
      Object.entries(all).flatMap(([svc, m]) => m.calls().map((c) => `${svc}:${(c.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, '')}`)),
    restore: () => {
      for (const m of Object.values(all)) m.restore();
    },
  };
}

/** Runs the whole collection plan against the fakes and returns every node's output. */
export async function runFakePlan(
  fake: FakeAws,
  over: { region?: string; trail?: string; limits?: Record<string, number>; window?: { start: Date; end: Date }; rateLimits?: Record<string, number> } = {},
) {
  const { runPlan } = await import('../../src/collect/plan.js');
  const { DEFAULT_LIMITS } = await import('../../src/collect/types.js');
  const region = over.region ?? REGION;
  return runPlan(fake.clients(region, over.rateLimits), {
    region,
    trailInput: over.trail ?? TRAIL,
    window: over.window ?? fake.window,
    now: fake.now,
    limits: { ...DEFAULT_LIMITS, insightsPollMs: 1, ...(over.limits ?? {}) },
  });
}
