import type { Evidence } from './schema.js';
import { EVIDENCE_SCHEMA_VERSION } from './version.js';
import { ok, skipped, absent } from './probe.js';
import type { GapEvent, GapReport, GapWindow } from './gaps.js';

/**
 * A complete, healthy evidence object for a trail `main` in eu-west-1, account 123456789012,
 * logging to bucket `acme-trail-logs` (prefix none) and log group `aws-cloudtrail-logs-main`,
 * with a correct bucket policy and role. Tests and demo scenarios start here and change one thing,
 * so every fixture is a realistic account with exactly one fault.
 *
 * `now` fixes the clock: the window is the 7 days before it, and deliveries run every 5 minutes
 * up to 3 minutes before it.
 */
export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const TRAIL = 'main';
export const TRAIL_ARN = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${TRAIL}`;
export const BUCKET = 'acme-trail-logs';
export const LOG_GROUP = 'aws-cloudtrail-logs-main';
export const LOG_GROUP_ARN = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${LOG_GROUP}:*`;
export const ROLE_NAME = 'CloudTrailRoleForCloudWatchLogs_main';
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE_NAME}`;

export function bucketPolicyFor(bucket: string, account: string, trailArn: string, prefix?: string): string {
  const path = prefix ? `${prefix}/AWSLogs/${account}/*` : `AWSLogs/${account}/*`;
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AWSCloudTrailAclCheck',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:GetBucketAcl',
        Resource: `arn:aws:s3:::${bucket}`,
        Condition: { StringEquals: { 'aws:SourceArn': trailArn } },
      },
      {
        Sid: 'AWSCloudTrailWrite',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::${bucket}/${path}`,
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArn } },
      },
    ],
  });
}

export const TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

export function rolePolicyFor(region: string, account: string, logGroup: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AWSCloudTrailCreateLogStream',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream'],
        Resource: [`arn:aws:logs:${region}:${account}:log-group:${logGroup}:log-stream:${account}_CloudTrail_${region}*`],
      },
      {
        Sid: 'AWSCloudTrailPutLogEvents',
        Effect: 'Allow',
        Action: ['logs:PutLogEvents'],
        Resource: [`arn:aws:logs:${region}:${account}:log-group:${logGroup}:log-stream:${account}_CloudTrail_${region}*`],
      },
    ],
  });
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const hourFloor = (ms: number) => ms - (ms % 3_600_000);

function logKey(account: string, region: string, ms: number, n: number): string {
  const d = new Date(ms);
  const p = (x: number) => String(x).padStart(2, '0');
  const day = `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}`;
  const stamp = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${p(d.getUTCHours())}${p(d.getUTCMinutes())}Z`;
  const unique = ('U' + String(n).padStart(15, '0')).slice(0, 16);
  return `AWSLogs/${account}/CloudTrail/${region}/${day}/${account}_CloudTrail_${region}_${stamp}_${unique}.json.gz`;
}

export interface HealthyOptions {
  now?: Date;
  windowDays?: number;
}

export function healthyEvidence(opts: HealthyOptions = {}): Evidence {
  const now = (opts.now ?? new Date('2026-11-24T04:00:00Z')).getTime();
  const start = now - (opts.windowDays ?? 7) * 86_400_000;
  const newestDelivery = now - 3 * 60_000;
  // Hourly aggregates over the window: 12 files an hour, ~40 KB each; CloudWatch Logs ~600 events/hour.
  const s3Hourly = [];
  const cwlHourly = [];
  for (let h = hourFloor(start); h <= hourFloor(newestDelivery); h += 3_600_000) {
    s3Hourly.push({ hour: iso(h), count: 12, bytes: 12 * 40_000 });
    cwlHourly.push({ hour: iso(h), count: 600 });
  }
  const recent = Array.from({ length: 5 }, (_, i) => {
    const t = newestDelivery - i * 5 * 60_000;
    const t0 = t - (t % 60_000);
    return { key: logKey(ACCOUNT, REGION, t0, i), deliveryTime: iso(t0), lastModified: iso(t0 + 20_000), size: 40_000 };
  });
  const fileCount = s3Hourly.length * 12;
  const metricTimestamps = s3Hourly.map((h) => h.hour);
  return {
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    tool: { name: 'trail-doctor', version: '0.1.0' },
    collectedAt: iso(now),
    target: { trail: TRAIL, region: REGION },
    window: { start: iso(start), end: iso(now) },
    steps: {
      s1: {
        caller: ok({ accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/oncall`, partition: 'aws' }),
        trail: ok({
          name: TRAIL,
          arn: TRAIL_ARN,
          homeRegion: REGION,
          s3BucketName: BUCKET,
          includeGlobalServiceEvents: true,
          isMultiRegionTrail: true,
          isOrganizationTrail: false,
          logFileValidationEnabled: true,
          cloudWatchLogsLogGroupArn: LOG_GROUP_ARN,
          cloudWatchLogsRoleArn: ROLE_ARN,
          hasCustomEventSelectors: false,
          hasInsightSelectors: false,
        }),
        trailsInRegion: ok([{ name: TRAIL, arn: TRAIL_ARN, homeRegion: REGION }]),
        isShadowTrail: false,
        health: skipped('AWS Health needs a Business, Enterprise On-Ramp or Enterprise support plan', {
          errorCode: 'SubscriptionRequiredException',
          optional: true,
        }),
      },
      s2: {
        status: ok({
          isLogging: true,
          latestDeliveryTime: iso(newestDelivery),
          latestDeliveryAttemptTime: iso(newestDelivery),
          latestCloudWatchLogsDeliveryTime: iso(now - 60_000),
          latestDigestDeliveryTime: iso(hourFloor(now - 91_000) + 91_000),
          startLoggingTime: iso(start - 90 * 86_400_000),
        }),
        selectors: ok({ eventSelectors: [{ readWriteType: 'All', includeManagementEvents: true, dataResources: [], excludeManagementEventSources: [] }] }),
      },
      s3: {
        streams: ok({
          streams: [{ name: `${ACCOUNT}_CloudTrail_${REGION}`, lastEventTimestamp: iso(now - 4 * 60_000), firstEventTimestamp: iso(start - 86_400_000) }],
          truncated: false,
        }),
        eventCounts: ok({ hourly: cwlHourly, total: cwlHourly.length * 600, capped: false }),
        newestEventTime: iso(now - 4 * 60_000),
        deliveryFailures: ok([]),
      },
      s4: {
        bucket: BUCKET,
        head: ok({ region: REGION }),
        location: ok({ region: REGION }),
        policy: ok(bucketPolicyFor(BUCKET, ACCOUNT, TRAIL_ARN)),
        encryption: ok({ algorithm: 'AES256', bucketKeyEnabled: false }),
        kmsKey: skipped('SSE-KMS is not used: the trail has no KmsKeyId and the bucket encrypts with AES256'),
        kmsKeyPolicy: skipped('SSE-KMS is not used'),
        ownership: ok({ objectOwnership: 'BucketOwnerEnforced' }),
        objectLock: absent('no object lock configuration'),
        lifecycle: absent('no lifecycle configuration'),
        requestPayment: ok({ payer: 'BucketOwner' }),
      },
      s5: {
        roleArn: ROLE_ARN,
        role: ok({ arn: ROLE_ARN, name: ROLE_NAME, trustPolicy: TRUST_POLICY }),
        inlinePolicies: ok([{ name: 'CloudTrailPolicyForCloudWatchLogs', document: rolePolicyFor(REGION, ACCOUNT, LOG_GROUP) }]),
        attachedPolicies: ok([]),
      },
      s6: {
        prefixes: Array.from({ length: 8 }, (_, i) => {
          const d = new Date(start + i * 86_400_000);
          const p = (x: number) => String(x).padStart(2, '0');
          return `AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/`;
        }),
        listing: ok({
          fileCount,
          totalBytes: fileCount * 40_000,
          newest: recent[0],
          oldest: { key: logKey(ACCOUNT, REGION, start + 60_000, 99), deliveryTime: iso(start + 60_000 - ((start + 60_000) % 60_000)), size: 40_000 },
          recent,
          hourly: s3Hourly,
          gaps: [],
          lastModifiedMismatches: 0,
          truncated: false,
          regions: [REGION],
        }),
        organizationId: skipped('not an organization trail'),
      },
      s7: {
        logGroupArn: LOG_GROUP_ARN,
        logGroupName: LOG_GROUP,
        logGroup: ok({ name: LOG_GROUP, arn: LOG_GROUP_ARN, retentionInDays: 365, creationTime: iso(start - 200 * 86_400_000), storedBytes: 5_000_000 }),
      },
      s8: {
        metrics: ok([
          {
            id: 'incomingLogEvents',
            label: `IncomingLogEvents ${LOG_GROUP}`,
            namespace: 'AWS/Logs',
            metricName: 'IncomingLogEvents',
            stat: 'Sum',
            periodSeconds: 3600,
            timestamps: metricTimestamps,
            values: metricTimestamps.map(() => 600),
          },
        ]),
      },
      s9: {
        fromLogGroup: ok([]),
        fromEventHistory: ok([]),
        fromEventHistoryGlobal: ok([]),
        changes: [],
      },
    },
  };
}

/**
 * A gap report (evidence.gaps) over `window` holding these gap windows, each defaulting to an S3 gap
 * with no trigger: tests state only what matters to them.
 */
export function gapReportOf(
  window: { start: string; end: string },
  gaps: (Partial<GapWindow> & { start: string; end: string })[] = [],
  extra: Partial<GapReport> = {},
): GapReport {
  const missing = gaps.reduce((n, g) => n + (g.eventsMissing ?? 0), 0);
  return {
    window,
    totals: { recorded: missing, delivered: 0, missing, sampled: false },
    gaps: gaps.map((g) => ({ destination: 's3', eventsMissing: 0, trigger: null, closedBy: null, ...g })),
    ...extra,
  };
}

/** One event of a gap report (a trigger or candidate); actor and source IP are null unless given. */
export const gapEventOf = (e: Partial<GapEvent> & { eventName: string; eventTime: string }): GapEvent => ({ actor: null, sourceIPAddress: null, ...e });
