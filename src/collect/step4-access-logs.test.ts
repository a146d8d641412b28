import { Readable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetBucketLoggingCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { accessLogKeyTime, accessLogPrefixes, readAccessLogs, type AccessLogTarget } from './step4-access-logs.js';
import { formatAccessLogLine } from '../../test/support/access-logs.js';

const ACCOUNT = '123456789012';
const BUCKET = 'acme-trail-logs';
const LOGS = 'acme-access-logs';
const REGION = 'eu-west-1';
const NOW = new Date('2026-11-24T12:00:00Z');
const target: AccessLogTarget = { bucket: BUCKET, accountId: ACCOUNT, region: REGION, window: { start: new Date('2026-11-23T12:00:00Z'), end: NOW }, now: NOW };

const s3mock = mockClient(S3Client);
const s3 = () => new S3Client({ region: REGION });
const pad = (n: number) => String(n).padStart(2, '0');
const stamp = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}-${pad(d.getUTCHours())}-${pad(d.getUTCMinutes())}-${pad(d.getUTCSeconds())}`;
const put = (t: Date, status: number, key = `AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/11/24/${ACCOUNT}_CloudTrail_${REGION}_x.json.gz`, errorCode?: string) =>
  formatAccessLogLine({ time: t, operation: 'REST.PUT.OBJECT', key, status, ...(errorCode ? { errorCode } : {}), requester: 'svc:cloudtrail.amazonaws.com', userAgent: 'cloudtrail.amazonaws.com' });

interface Obj {
  key: string;
  body: string;
}
function serve(objects: Obj[], logging: object = { LoggingEnabled: { TargetBucket: LOGS, TargetPrefix: 'logs/' } }) {
  s3mock.on(GetBucketLoggingCommand).resolves(logging);
  s3mock.on(ListObjectsV2Command).callsFake((input: { Prefix?: string }) => ({ Contents: objects.filter((o) => o.key.startsWith(input.Prefix ?? '')).map((o) => ({ Key: o.key, Size: o.body.length })), IsTruncated: false }));
  s3mock.on(GetObjectCommand).callsFake((input: { Key?: string }) => {
    const o = objects.find((x) => x.key === input.Key);
    if (!o) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
    // several chunks, split mid-line, as a network stream delivers them
    const buf = Buffer.from(o.body);
    const chunks: Buffer[] = [];
    for (let i = 0; i < buf.length; i += 257) chunks.push(buf.subarray(i, i + 257));
    return { Body: Readable.from(chunks) };
  });
}

beforeEach(() => s3mock.reset());

describe('access log keys', () => {
  it('key time and the day prefixes of both formats, one day past the window (logs arrive late), never past now', () => {
    expect(accessLogKeyTime('logs/2026-11-24-10-05-01-ABCDEF0123456789')).toBe(Date.UTC(2026, 10, 24, 10, 5, 1));
    expect(accessLogKeyTime(`logs/${ACCOUNT}/${REGION}/${BUCKET}/2026/11/24/2026-11-24-10-05-01-ABCDEF`)).toBe(Date.UTC(2026, 10, 24, 10, 5, 1));
    expect(accessLogKeyTime('logs/unrelated')).toBeUndefined();
    const cfg = { enabled: true, targetBucket: LOGS, targetPrefix: 'logs/', keyFormat: 'partitioned' as const, selfTargeting: false };
    expect(accessLogPrefixes(cfg, target)).toEqual([
      `logs/${ACCOUNT}/${REGION}/${BUCKET}/2026/11/23/`,
      `logs/${ACCOUNT}/${REGION}/${BUCKET}/2026/11/24/`,
      'logs/2026-11-23-',
      'logs/2026-11-24-',
    ]);
  });
});

describe('readAccessLogs', () => {
  it('logging off: the configuration only, nothing listed', async () => {
    serve([], {});
    const p = await readAccessLogs(s3(), target);
    expect(p).toEqual({ status: 'ok', value: { config: { enabled: false, selfTargeting: false } }, optional: true });
    expect(s3mock.commandCalls(ListObjectsV2Command)).toHaveLength(0);
  });

  it('GetBucketLogging denied: denied, with the action that would show it', async () => {
    s3mock.on(GetBucketLoggingCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const p = await readAccessLogs(s3(), target);
    expect(p).toMatchObject({ status: 'denied', needs: 's3:GetBucketLogging', optional: true });
  });

  it('successes, then 403 refusals from a known minute, malformed and truncated lines, other buckets and old objects: the summary dates the outage', async () => {
    const lines: string[] = [];
    for (let m = 0; m < 60 * 6; m += 5) lines.push(put(new Date(Date.UTC(2026, 10, 24, 0, m)), 200));
    // the policy changed at 06:02: every write since is refused
    for (let m = 2; m < 60 * 4; m += 5) lines.push(put(new Date(Date.UTC(2026, 10, 24, 6, m, 13)), 403, undefined, 'AccessDenied'));
    const digest = put(new Date(Date.UTC(2026, 10, 24, 6, 31)), 403, `AWSLogs/${ACCOUNT}/CloudTrail-Digest/${REGION}/2026/11/24/d.json.gz`, 'AccessDenied');
    const acl = formatAccessLogLine({ time: new Date(Date.UTC(2026, 10, 24, 6, 30)), operation: 'REST.GET.ACL', status: 200, requester: 'svc:cloudtrail.amazonaws.com', userAgent: 'cloudtrail.amazonaws.com' });
    const userAcl = formatAccessLogLine({ time: new Date(Date.UTC(2026, 10, 24, 6, 30)), operation: 'REST.GET.ACL', status: 200, requester: 'arn:aws:iam::1:user/x', userAgent: 'aws-cli/2' });
    const otherBucket = formatAccessLogLine({ time: new Date(Date.UTC(2026, 10, 24, 7, 0)), operation: 'REST.PUT.OBJECT', key: `AWSLogs/${ACCOUNT}/CloudTrail/x.json.gz`, status: 403, bucket: 'other' });
    const otherKey = formatAccessLogLine({ time: new Date(Date.UTC(2026, 10, 24, 7, 0)), operation: 'REST.PUT.OBJECT', key: 'uploads/x.bin', status: 403 });
    const half = lines.length / 2;
    const objects: Obj[] = [
      { key: `logs/${stamp(new Date(Date.UTC(2026, 10, 24, 6, 0)))}-AAAA`, body: [...lines.slice(0, half), 'not a record', otherBucket, otherKey].join('\n') },
      { key: `logs/${stamp(new Date(Date.UTC(2026, 10, 24, 11, 0)))}-BBBB`, body: [...lines.slice(half), digest, acl, userAcl].join('\n') + '\n' + lines[0]!.slice(0, 50) },
      // delivered before the window: cannot hold a record of it, never read
      { key: `logs/${stamp(new Date(Date.UTC(2026, 10, 23, 11, 0)))}-OLD0`, body: put(new Date(Date.UTC(2026, 10, 23, 10, 0)), 403) },
    ];
    serve(objects);
    const p = await readAccessLogs(s3(), target);
    expect(p.status).toBe('ok');
    const s = p.value!.summary!;
    expect(s3mock.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).not.toContain(objects[2]!.key);
    expect(s).toMatchObject({ objectsListed: 2, objectsRead: 2, capped: false, unreadableObjects: 0, malformedLines: 2 });
    expect(s.refused).toBe(48 + 1);
    expect(s.succeeded).toBe(72 + 1);
    expect(s.refusalRun).toEqual({ start: '2026-11-24T06:02:13Z', end: '2026-11-24T09:57:13Z', refused: 48 });
    expect(s.firstRefused).toMatchObject({ time: '2026-11-24T06:02:13Z', kind: 'log-file', status: 403, errorCode: 'AccessDenied' });
    expect(s.lastSucceeded).toMatchObject({ time: '2026-11-24T06:30:00Z', kind: 'acl-check' });
    expect(s.errorCodes).toEqual([{ status: 403, errorCode: 'AccessDenied', count: 49 }]);
    expect(s.hourly.find((h) => h.hour === '2026-11-24T06:00:00Z')).toEqual({ hour: '2026-11-24T06:00:00Z', attempted: 14, succeeded: 1, refused: 13, refusedLogFiles: 12, refusedDigests: 1 });
    expect(s.requesters[0]).toMatchObject({ requester: 'svc:cloudtrail.amazonaws.com', userAgent: 'cloudtrail.amazonaws.com' });
    expect(JSON.stringify(s)).not.toContain('REQ0123456789ABC'); // no raw line content
    // only the window's days were listed
    expect(new Set(s3mock.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input.Prefix))).toEqual(new Set(accessLogPrefixes(p.value!.config, target)));
  });

  it('partitioned keys are read too; a recovery is dated', async () => {
    const base = `logs/${ACCOUNT}/${REGION}/${BUCKET}/2026/11/24/`;
    const body = [put(new Date(Date.UTC(2026, 10, 24, 8, 0)), 403, undefined, 'AccessDenied'), put(new Date(Date.UTC(2026, 10, 24, 8, 5)), 200)].join('\n');
    serve([{ key: `${base}2026-11-24-09-00-00-CCCC`, body }], { LoggingEnabled: { TargetBucket: LOGS, TargetPrefix: 'logs/', TargetObjectKeyFormat: { PartitionedPrefix: { PartitionDateSource: 'EventTime' } } } });
    const p = await readAccessLogs(s3(), target);
    expect(p.value!.config).toMatchObject({ keyFormat: 'partitioned', partitionDateSource: 'EventTime' });
    expect(p.value!.summary!.refusalRun).toEqual({ start: '2026-11-24T08:00:00Z', end: '2026-11-24T08:00:00Z', refused: 1, recoveredAt: '2026-11-24T08:05:00Z' });
  });

  it('caps: the newest objects first, within the object cap, and it says so', async () => {
    const objects = [8, 9, 10].map((h) => ({ key: `logs/${stamp(new Date(Date.UTC(2026, 10, 24, h, 0)))}-K${h}`, body: put(new Date(Date.UTC(2026, 10, 24, h - 1, 0)), 200) }));
    serve(objects);
    const p = await readAccessLogs(s3(), target, { maxObjects: 2, maxBytes: 1e9, maxListed: 100, concurrency: 2 });
    const s = p.value!.summary!;
    expect(s).toMatchObject({ objectsListed: 3, objectsRead: 2, capped: true });
    expect(s.capReason).toContain('newest 2');
    expect(s3mock.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key).sort()).toEqual([objects[1]!.key, objects[2]!.key]);
  });

  it('the byte cap stops reading mid-stream', async () => {
    const body = Array.from({ length: 200 }, (_, i) => put(new Date(Date.UTC(2026, 10, 24, 8, 0, i % 60)), 200)).join('\n');
    serve([{ key: `logs/${stamp(new Date(Date.UTC(2026, 10, 24, 9, 0)))}-BIG`, body }]);
    const p = await readAccessLogs(s3(), target, { maxObjects: 10, maxBytes: 1_000, maxListed: 100, concurrency: 1 });
    expect(p.value!.summary).toMatchObject({ capped: true });
    expect(p.value!.summary!.bytesRead).toBeLessThan(body.length);
  });

  it('access logging into the trail bucket under the trail prefix is flagged as self-targeting', async () => {
    serve([], { LoggingEnabled: { TargetBucket: BUCKET, TargetPrefix: 'AWSLogs/access/' } });
    const p = await readAccessLogs(s3(), target);
    expect(p.value!.config).toMatchObject({ selfTargeting: true, insideTrailPrefix: true });
  });

  it('the access log bucket cannot be listed: the configuration is kept with a note', async () => {
    s3mock.on(GetBucketLoggingCommand).resolves({ LoggingEnabled: { TargetBucket: LOGS, TargetPrefix: '' } });
    s3mock.on(ListObjectsV2Command).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const p = await readAccessLogs(s3(), target);
    expect(p.status).toBe('denied');
    expect(p.needs).toBe(`s3:ListBucket on ${LOGS}`);
    expect(p.value!.config.enabled).toBe(true);
    expect(p.value!.note).toContain('could not be listed');
  });
});
