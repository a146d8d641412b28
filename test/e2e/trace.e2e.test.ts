import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CloudTrailClient, PutEventSelectorsCommand } from '@aws-sdk/client-cloudtrail';
import { skipWithoutMoto, type Moto } from '../support/moto.js';
import { startMotoAccount, type MotoAccount } from '../support/moto-account.js';
import { awsJsonError, type Standin } from '../support/standin.js';
import { eventHistory } from '../support/event-history.js';
import { runCli } from '../support/cli.js';
import { ACCOUNT, logKey, record, seedAccount } from './seed.js';
import type { TraceReport } from '../../src/trace/model.js';

/**
 * `trail-doctor trace` through the built CLI on moto, event history served by a LookupEvents
 * stand-in: an event delivered to both destinations; one excluded by an advanced selector; one in a
 * region the trail does not cover; one newer than the delivery delay; one over 256 KB; one inside a
 * window of failed delivery; a data event found only in S3; bad input.
 */
const skip = skipWithoutMoto('trace (moto)');
const REGION = 'eu-west-1';
const TRAIL = 'main';
const BUCKET = 'acme-trail-logs';
const GROUP = `aws-cloudtrail-logs-${TRAIL}`;
const MIN = 60_000;

describe.skipIf(skip)('trace against moto', () => {
  let account: MotoAccount;
  let moto: Moto;
  let standin: Standin;
  let s3: S3Client;
  let logs: CloudWatchLogsClient;
  const history: Record<string, unknown>[] = [];

  beforeAll(async () => {
    ({ moto, standin } = account = await startMotoAccount({
      'CloudTrail_20131101.LookupEvents': eventHistory(history),
    }));
    s3 = new S3Client({ region: REGION, endpoint: moto.endpoint, forcePathStyle: true, maxAttempts: 2 });
    logs = new CloudWatchLogsClient({ region: REGION, endpoint: moto.endpoint, maxAttempts: 2 });
  });
  afterAll(async () => {
    await account?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    history.length = 0;
  });

  const now = new Date();
  const seed = (o: { multiRegion?: boolean; silences?: [number, number][] } = {}) => seedAccount({ endpoint: moto.endpoint, region: REGION, trail: TRAIL, bucket: BUCKET, now, hours: 3, ...o });
  const event = (minutesAgo: number, name: string, extra: Record<string, unknown> = {}) =>
    record(REGION, new Date(now.getTime() - minutesAgo * MIN), name, { eventID: randomUUID(), readOnly: false, ...extra });
  /** A log file delivered `minutesAgo` holding the records, as CloudTrail names it. */
  const putFile = async (minutesAgo: number, records: Record<string, unknown>[], region = REGION) => {
    const t = new Date(Math.floor((now.getTime() - minutesAgo * MIN) / MIN) * MIN);
    const key = logKey(undefined, ACCOUNT, region, t, randomUUID().replace(/-/g, '').slice(0, 16));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: gzipSync(JSON.stringify({ Records: records })) }));
    return key;
  };
  const putLogEvent = async (r: Record<string, unknown>) => {
    const stream = `${ACCOUNT}_CloudTrail_${String(r.awsRegion)}_x`;
    await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: stream })).catch(() => undefined);
    await logs.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, logEvents: [{ timestamp: Date.parse(String(r.eventTime)), message: JSON.stringify(r) }] }));
    return stream;
  };
  const trace = async (args: string[]) => {
    const r = await runCli(['trace', '--trail', TRAIL, '--region', REGION, '--endpoint-url', standin.endpoint, '--format', 'json', ...args]);
    try {
      return { ...r, report: JSON.parse(r.stdout) as TraceReport };
    } catch {
      throw new Error(`no JSON on stdout (exit ${r.code}): ${r.stdout.slice(0, 500)} / stderr: ${r.stderr.slice(0, 2000)}`);
    }
  };
  const ids = (r: TraceReport) => r.causes.map((c) => c.id);

  it('delivered to both destinations: exit 0, the S3 file and the log stream named', async () => {
    await seed();
    const e = event(50, 'RunInstances');
    history.push(e);
    const key = await putFile(46, [record(REGION, new Date(now.getTime() - 51 * MIN)), e]);
    const stream = await putLogEvent(e);
    const { code, report, stderr } = await trace(['--event-id', String(e.eventID)]);
    expect(code, stderr + JSON.stringify(report.evidence)).toBe(0);
    expect(report.status).toBe('delivered');
    const [s3d, cwd] = report.destinations;
    expect(s3d).toMatchObject({ destination: 's3', found: 'yes', key, bucket: BUCKET, folder: `AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/` });
    expect(cwd).toMatchObject({ destination: 'cloudwatch-logs', found: 'yes', logGroup: GROUP, logStream: stream });
    expect(report.recorded.verdict).toBe('yes');
    // only the files that can hold it were read: delivered from its minute to an hour after
    expect(s3d!.filesRead).toBeLessThanOrEqual(13);
  });

  it('the same by event name and time, as text and markdown', async () => {
    await seed();
    const e = event(50, 'CreateUser', { eventSource: 'ec2.amazonaws.com', userIdentity: { type: 'IAMUser', userName: 'alice', arn: `arn:aws:iam::${ACCOUNT}:user/alice` } });
    history.push(e, event(30, 'CreateUser'));
    await putFile(46, [e]);
    await putLogEvent(e);
    const time = String(e.eventTime).replace(/:\d\dZ$/, 'Z');
    const text = await runCli(['trace', '--trail', TRAIL, '--region', REGION, '--endpoint-url', standin.endpoint, '--event-name', 'CreateUser', '--time', time, '--username', 'alice']);
    expect(text.code, text.stderr).toBe(0);
    const md = await runCli(['trace', '--trail', TRAIL, '--region', REGION, '--endpoint-url', standin.endpoint, '--event-name', 'CreateUser', '--time', time, '--format', 'markdown']);
    expect(text.stdout).toContain('DELIVERED');
    expect(text.stdout).toContain(String(e.eventID));
    expect(md.stdout).toMatch(/^# trail-doctor trace: delivered/);
    expect(md.stdout).toContain('| S3 | found |');
  });

  it('excluded by an advanced selector: not recorded, the selector and field named, exit 1', async () => {
    await seed();
    const ct = new CloudTrailClient({ region: REGION, endpoint: moto.endpoint, maxAttempts: 2 });
    await ct.send(
      new PutEventSelectorsCommand({
        TrailName: TRAIL,
        AdvancedEventSelectors: [{ Name: 'writes-but-not-kms', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventSource', NotEquals: ['kms.amazonaws.com'] }] }],
      }),
    );
    const e = event(50, 'Decrypt', { eventSource: 'kms.amazonaws.com', readOnly: true });
    history.push(e);
    const { code, report } = await trace(['--event-id', String(e.eventID)]);
    expect(code).toBe(1);
    expect(report.status).toBe('not-recorded');
    expect(ids(report)).toEqual(['event-selectors-exclude-events']);
    expect(report.recorded.chain.join('\n')).toContain('advanced selector "writes-but-not-kms" does not select it: eventSource is "kms.amazonaws.com"');
  });

  it('in a region a single-region trail does not cover: single-region-trail', async () => {
    await seed({ multiRegion: false });
    const e = record('us-west-2', new Date(now.getTime() - 50 * MIN), 'RunInstances', { eventID: randomUUID(), readOnly: false });
    history.push(e);
    const { code, report } = await trace(['--event-id', String(e.eventID)]);
    expect(code).toBe(1);
    expect(report.status).toBe('not-recorded');
    expect(ids(report)).toEqual(['single-region-trail']);
  });

  it('newer than the delivery delay: pending, delivery-delayed, exit 1', async () => {
    await seed();
    const e = event(2, 'RunInstances');
    history.push(e);
    const { code, report } = await trace(['--event-id', String(e.eventID)]);
    expect(code).toBe(1);
    expect(report.status).toBe('pending');
    expect(ids(report)).toEqual(['delivery-delayed']);
  });

  it('over 256 KB: in S3, not in CloudWatch Logs, cloudwatch-event-size-limit', async () => {
    await seed();
    const e = event(50, 'PutBucketPolicy', { eventSource: 's3.amazonaws.com', requestParameters: { policy: 'x'.repeat(300 * 1024) } });
    history.push(e);
    await putFile(46, [e]);
    const { code, report } = await trace(['--event-id', String(e.eventID)]);
    expect(code).toBe(1);
    expect(report.status).toBe('missing');
    expect(report.destinations[0]!.found).toBe('yes');
    expect(report.destinations[1]!.found).toBe('no');
    expect(ids(report)).toEqual(['cloudwatch-event-size-limit']);
    expect(report.causes[0]!.evidence[0]).toMatch(/the record is \d{6} bytes: over the 256 KB/);
  });

  it('inside a window of failed delivery: delivery-gaps with the window', async () => {
    await seed({ silences: [[100, 70]] });
    const e = event(95, 'RunInstances');
    history.push(e);
    const { code, report } = await trace(['--event-id', String(e.eventID)]);
    expect(code).toBe(1);
    expect(report.status).toBe('missing');
    expect(ids(report)).toContain('delivery-gaps');
    const gap = report.causes.find((c) => c.id === 'delivery-gaps')!;
    expect(gap.evidence[0]).toMatch(/no log file was delivered to AWSLogs\/123456789012\/CloudTrail\/eu-west-1\/ between \S+ and \S+: the event/);
    expect(gap.fix).toContain('gaps --export');
  });

  it('a data event is not in event history: found directly in the S3 files of its time, and said so', async () => {
    await seed();
    const e = event(50, 'GetObject', { eventSource: 's3.amazonaws.com', eventCategory: 'Data', managementEvent: false, readOnly: true, resources: [{ type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::audit/a.txt' }] });
    const key = await putFile(46, [e]);
    const ct = new CloudTrailClient({ region: REGION, endpoint: moto.endpoint, maxAttempts: 2 });
    await ct.send(new PutEventSelectorsCommand({ TrailName: TRAIL, EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::audit/'] }] }] }));
    const { report } = await trace(['--event-name', 'GetObject', '--time', String(e.eventTime)]);
    expect(report.eventHistory.found).toBe(false);
    expect(report.eventHistory.note).toContain('event history could not confirm it');
    expect(report.event).toMatchObject({ eventID: e.eventID, source: 's3', eventCategory: 'Data' });
    expect(report.destinations[0]).toMatchObject({ found: 'yes', key });
    expect(report.recorded.verdict).toBe('yes');
  });

  it('a failed read is never a cause: event history refused → could not check (3); the log group answering 500 → S3 found, CloudWatch Logs unknown', async () => {
    await seed();
    const e = event(50, 'RunInstances');
    history.push(e);
    await putFile(46, [e]);
    const saved = standin.overrides['CloudTrail_20131101.LookupEvents']!;
    try {
      standin.overrides['CloudTrail_20131101.LookupEvents'] = () => awsJsonError('AccessDeniedException', 'not authorized to perform cloudtrail:LookupEvents');
      const denied = await trace(['--event-id', String(e.eventID)]);
      expect(denied.code).toBe(3);
      expect(denied.report.status).toBe('could-not-check');
      expect(denied.report.causes).toEqual([]);
      expect(denied.report.eventHistory.note).toContain('needs cloudtrail:LookupEvents');
      // with --time, the S3 files of that time are searched instead
      const byTime = await trace(['--event-id', String(e.eventID), '--time', String(e.eventTime)]);
      expect(byTime.report.event).toMatchObject({ eventID: e.eventID, source: 's3' });
      expect(byTime.report.destinations[0]!.found).toBe('yes');
    } finally {
      standin.overrides['CloudTrail_20131101.LookupEvents'] = saved;
    }
    standin.overrides['Logs_20140328.FilterLogEvents'] = () => awsJsonError('ServiceUnavailableException', 'try later', 503);
    try {
      const { code, report } = await trace(['--event-id', String(e.eventID)]);
      expect(code).toBe(3);
      expect(report.destinations[0]!.found).toBe('yes');
      expect(report.destinations[1]).toMatchObject({ found: 'unknown', needs: 'logs:FilterLogEvents' });
      expect(report.causes).toEqual([]);
    } finally {
      delete standin.overrides['Logs_20140328.FilterLogEvents'];
    }
  });

  it('bad input: one line, exit 2', async () => {
    const bad = await runCli(['trace', '--trail', TRAIL, '--region', REGION, '--event-id', 'not-an-id']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('--event-id');
    const time = await runCli(['trace', '--trail', TRAIL, '--region', REGION, '--event-name', 'CreateUser', '--time', 'yesterday']);
    expect(time.code).toBe(2);
    expect(time.stderr).toContain('--time');
    const none = await runCli(['trace', '--trail', TRAIL, '--region', REGION]);
    expect(none.code).toBe(2);
  });
});
