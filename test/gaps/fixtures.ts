import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudTrailClient, DescribeTrailsCommand, GetTrailCommand, GetTrailStatusCommand, GetEventSelectorsCommand, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { S3Client, ListObjectsV2Command, GetObjectCommand, GetBucketLocationCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { createClients, type AwsClients } from '../../src/aws/clients.js';

/**
 * Generated histories and deliveries for the gaps tests and benchmark: CloudTrail records, the
 * log files a trail would deliver for them, a LookupEvents implementation over them (used by the
 * aws-sdk-client-mock fakes and by the stand-in on the wire), and CloudWatch Logs events.
 */
export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const TRAIL = 'main';
export const TRAIL_ARN = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${TRAIL}`;
export const BUCKET = 'acme-trail-logs';
export const LOG_GROUP = 'aws-cloudtrail-logs-main';
export const LOG_GROUP_ARN = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${LOG_GROUP}:*`;

export type Rec = Record<string, unknown> & { eventID: string; eventTime: string; eventName: string; eventSource: string };

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const HOUR = 3_600_000;

let counter = 0;
export function record(t: number, o: Partial<Rec> & Record<string, unknown> = {}): Rec {
  counter++;
  const id = `${(o.eventID as string) ?? `ev-${t.toString(36)}-${counter.toString(36).padStart(6, '0')}-0000-0000-000000000000`}`;
  return {
    eventVersion: '1.09',
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/app`, accountId: ACCOUNT, userName: 'app' },
    eventTime: iso(t),
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    awsRegion: REGION,
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-sdk-js/3',
    requestParameters: null,
    responseElements: null,
    requestID: `req-${counter}`,
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    ...o,
    eventID: id,
  } as Rec;
}

/** `perHour` routine events per hour in [start, end), evenly spaced; every 3rd a write. */
export function routine(start: number, end: number, perHour: number): Rec[] {
  const out: Rec[] = [];
  const step = HOUR / perHour;
  for (let t = start + step / 2; t < end; t += step) {
    const i = out.length;
    out.push(record(Math.floor(t), i % 3 === 2 ? { eventName: 'RunInstances', readOnly: false } : {}));
  }
  return out;
}

export function change(t: number, eventSource: string, eventName: string, requestParameters: unknown, extra: Record<string, unknown> = {}): Rec {
  return record(t, { eventSource, eventName, requestParameters, readOnly: false, userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/bob`, accountId: ACCOUNT }, sourceIPAddress: '203.0.113.9', ...extra });
}

const p2 = (n: number) => String(n).padStart(2, '0');

export function logKey(deliveryMs: number, n: number, region = REGION, prefix?: string): string {
  const d = new Date(deliveryMs);
  const day = `${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())}`;
  const stamp = `${d.getUTCFullYear()}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}T${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}Z`;
  const unique = `U${String(n).padStart(15, '0')}`;
  return `${prefix ? `${prefix}/` : ''}AWSLogs/${ACCOUNT}/CloudTrail/${region}/${day}/${ACCOUNT}_CloudTrail_${region}_${stamp}_${unique}.json.gz`;
}

export interface LogFile {
  key: string;
  body: Buffer;
}

let fileNo = 0;
/** Groups records into files delivered every `everyMin` minutes, a few minutes after the events. */
export function deliver(records: Rec[], everyMin = 5, delayMin = 3, region = REGION): LogFile[] {
  const slots = new Map<number, Rec[]>();
  const slot = everyMin * 60_000;
  for (const r of records) {
    const t = Date.parse(r.eventTime) + delayMin * 60_000;
    const s = t - (t % slot) + slot;
    (slots.get(s) ?? slots.set(s, []).get(s)!).push(r);
  }
  return [...slots.entries()].sort((a, b) => a[0] - b[0]).map(([s, recs]) => ({ key: logKey(s, ++fileNo, region), body: gzipSync(JSON.stringify({ Records: recs })) }));
}

// ---- LookupEvents over a generated history ------------------------------------------------------

export interface LookupRequest {
  StartTime?: Date | number | string;
  EndTime?: Date | number | string;
  LookupAttributes?: { AttributeKey?: string; AttributeValue?: string }[];
  NextToken?: string;
  MaxResults?: number;
}

const toMs = (v: Date | number | string | undefined, dflt: number) => (v === undefined ? dflt : v instanceof Date ? v.getTime() : typeof v === 'number' ? (v < 1e11 ? v * 1000 : v) : Date.parse(v));

function resourcesOf(r: Rec): string[] {
  const p = (r.requestParameters ?? {}) as Record<string, unknown>;
  return ['bucketName', 'name', 'trailName', 'keyId', 'logGroupName', 'roleName'].map((k) => p[k]).filter((x): x is string => typeof x === 'string');
}

/** LookupEvents semantics: newest first, ≤ 50 a page, one attribute, time range inclusive. */
export function lookupPage(history: Rec[], req: LookupRequest, epochSeconds = false) {
  const a = toMs(req.StartTime, 0);
  const b = toMs(req.EndTime, Number.MAX_SAFE_INTEGER);
  const attr = req.LookupAttributes?.[0];
  let list = history.filter((r) => {
    const t = Date.parse(r.eventTime);
    return t >= a && t <= b;
  });
  if (attr?.AttributeKey === 'EventSource') list = list.filter((r) => r.eventSource === attr.AttributeValue);
  if (attr?.AttributeKey === 'EventName') list = list.filter((r) => r.eventName === attr.AttributeValue);
  if (attr?.AttributeKey === 'ResourceName') list = list.filter((r) => resourcesOf(r).includes(String(attr.AttributeValue)));
  list.sort((x, y) => Date.parse(y.eventTime) - Date.parse(x.eventTime) || y.eventID.localeCompare(x.eventID));
  const from = req.NextToken ? Number(req.NextToken) : 0;
  const size = Math.min(req.MaxResults ?? 50, 50);
  const page = list.slice(from, from + size);
  return {
    Events: page.map((r) => ({
      EventId: r.eventID,
      EventName: r.eventName,
      EventSource: r.eventSource,
      EventTime: epochSeconds ? Date.parse(r.eventTime) / 1000 : new Date(Date.parse(r.eventTime)),
      ReadOnly: String(r.readOnly),
      Username: 'app',
      CloudTrailEvent: JSON.stringify(r),
    })),
    NextToken: from + size < list.length ? String(from + size) : undefined,
  };
}

// ---- fake clients ---------------------------------------------------------------------------------

export interface FakeAccount {
  history: Rec[];
  files: LogFile[];
  /** CloudWatch Logs messages (records) when the trail has a log group. */
  cwl?: Rec[];
  trail?: Record<string, unknown>;
  selectors?: Record<string, unknown>;
  /** LookupEvents answers ThrottlingException to these call numbers (1-based). */
  throttleCalls?: number[];
  /** A throttled call answers after this delay, so calls running beside it complete first. */
  throttleDelayMs?: number;
  lookupDenied?: boolean;
  /** LookupEvents answers HTTP 500 (as moto does). */
  lookupServerError?: boolean;
  /** From this call number on (1-based), LookupEvents fails with this error (e.g. the run guard's refusal). */
  lookupErrorFrom?: { call: number; name: string; status?: number };
  /** ListObjectsV2 fails with this error name. */
  s3ListError?: string;
}

export interface Fake {
  clients: AwsClients;
  ct: ReturnType<typeof mockClient>;
  lookupCalls: () => number;
  /** ListObjectsV2 and GetObject calls made. */
  s3Calls: () => { list: number; get: number };
  restore: () => void;
}

export function fakeAws(acct: FakeAccount): Fake {
  const ct = mockClient(CloudTrailClient);
  const s3 = mockClient(S3Client);
  const logs = mockClient(CloudWatchLogsClient);
  const trail = {
    Name: TRAIL,
    TrailARN: TRAIL_ARN,
    HomeRegion: REGION,
    S3BucketName: BUCKET,
    IncludeGlobalServiceEvents: true,
    IsMultiRegionTrail: false,
    IsOrganizationTrail: false,
    LogFileValidationEnabled: true,
    ...(acct.cwl ? { CloudWatchLogsLogGroupArn: LOG_GROUP_ARN, CloudWatchLogsRoleArn: `arn:aws:iam::${ACCOUNT}:role/ct-cwl` } : {}),
    ...(acct.trail ?? {}),
  };
  // The calls of the plan's trail, selectors and bucket nodes (the same collectors as diagnose).
  ct.on(GetTrailCommand).resolves({ Trail: trail });
  ct.on(DescribeTrailsCommand).resolves({ trailList: [trail] });
  ct.on(GetTrailStatusCommand).resolves({ IsLogging: true });
  s3.on(HeadBucketCommand).resolves({ BucketRegion: REGION });
  ct.on(GetEventSelectorsCommand).resolves({ TrailARN: TRAIL_ARN, ...(acct.selectors ?? { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] }) });
  let calls = 0;
  ct.on(LookupEventsCommand).callsFake(async (input: LookupRequest) => {
    calls++;
    if (acct.lookupServerError) throw Object.assign(new Error('Internal Server Error'), { name: 'InternalFailure', $fault: 'server', $metadata: { httpStatusCode: 500 } });
    if (acct.lookupErrorFrom && calls >= acct.lookupErrorFrom.call) throw Object.assign(new Error(`refused: ${acct.lookupErrorFrom.name}`), { name: acct.lookupErrorFrom.name, ...(acct.lookupErrorFrom.status ? { $metadata: { httpStatusCode: acct.lookupErrorFrom.status } } : {}) });
    if (acct.lookupDenied) throw Object.assign(new Error('User is not authorized to perform: cloudtrail:LookupEvents'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    if (acct.throttleCalls?.includes(calls)) {
      if (acct.throttleDelayMs) await new Promise((r) => setTimeout(r, acct.throttleDelayMs));
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    }
    return lookupPage(acct.history, input);
  });
  s3.on(GetBucketLocationCommand).resolves({ LocationConstraint: REGION });
  const s3Count = { list: 0, get: 0 };
  s3.on(ListObjectsV2Command).callsFake((input: { Prefix?: string }) => {
    s3Count.list++;
    if (acct.s3ListError) throw Object.assign(new Error(acct.s3ListError), { name: acct.s3ListError, $metadata: { httpStatusCode: acct.s3ListError === 'NoSuchBucket' ? 404 : 403 } });
    return {
      Contents: acct.files.filter((f) => f.key.startsWith(input.Prefix ?? '')).map((f) => ({ Key: f.key, Size: f.body.length })),
      IsTruncated: false,
    };
  });
  s3.on(GetObjectCommand).callsFake((input: { Key?: string }) => {
    s3Count.get++;
    const f = acct.files.find((x) => x.key === input.Key);
    if (!f) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
    return { Body: Readable.from([f.body]) };
  });
  logs.on(FilterLogEventsCommand).callsFake((input: { startTime?: number; endTime?: number; nextToken?: string }) => {
    const list = (acct.cwl ?? []).filter((r) => {
      const t = Date.parse(r.eventTime);
      return t >= (input.startTime ?? 0) && t < (input.endTime ?? Number.MAX_SAFE_INTEGER);
    });
    const from = input.nextToken ? Number(input.nextToken) : 0;
    const page = list.slice(from, from + 1000);
    return {
      events: page.map((r) => ({ timestamp: Date.parse(r.eventTime), message: JSON.stringify(r), logStreamName: `${ACCOUNT}_CloudTrail_${REGION}` })),
      nextToken: from + 1000 < list.length ? String(from + 1000) : undefined,
    };
  });
  const clients = createClients({ region: REGION, maxAttempts: 1, rateLimits: { 'cloudtrail:LookupEvents': 1000 } });
  return {
    clients,
    ct,
    lookupCalls: () => calls,
    s3Calls: () => ({ ...s3Count }),
    restore: () => {
      ct.restore();
      s3.restore();
      logs.restore();
    },
  };
}
