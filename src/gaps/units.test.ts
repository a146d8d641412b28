import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { readLogRecords, RecordSplitter } from './logfile.js';
import { IdSet } from './idset.js';
import { selectorVerdict, inScope } from './scope.js';
import { rankTriggers, rankClosers, trailResources } from './triggers.js';
import { wilson, unionLength } from './stats.js';
import { keyDeliveryTime, dayPrefix, mergeRanges } from './deliveries.js';
import type { ChangeEvent, TrailConfig } from '../evidence/schema.js';

const rec = (id: string, extra: Record<string, unknown> = {}) => ({ eventID: id, eventTime: '2026-11-20T01:00:00Z', eventName: 'X', eventSource: 'ec2.amazonaws.com', managementEvent: true, eventCategory: 'Management', ...extra });

describe('log file reader', () => {
  it('streams records across chunk boundaries, with exact byte sizes and tricky strings', async () => {
    const recs = [rec('a', { s: 'brace } and [ in "quotes" \\" ok' }), rec('b', { nested: { Records: [{ eventID: 'inner' }] } }), rec('c', { managementEvent: false, eventCategory: 'Data' })];
    const text = JSON.stringify({ Records: recs });
    const gz = gzipSync(text);
    const chunks = Array.from({ length: Math.ceil(gz.length / 7) }, (_, i) => gz.subarray(i * 7, i * 7 + 7));
    const seen: { id?: string; size: number; m: boolean }[] = [];
    const r = await readLogRecords(Readable.from(chunks), (x) => seen.push({ id: x.eventID, size: x.size, m: x.management }));
    expect(r.error).toBeUndefined();
    expect(seen.map((s) => s.id)).toEqual(['a', 'b', 'c']);
    expect(seen.map((s) => s.size)).toEqual(recs.map((x) => Buffer.byteLength(JSON.stringify(x))));
    expect(seen.map((s) => s.m)).toEqual([true, true, false]);
  });

  it('random strings full of quotes and backslashes, cut at random chunk sizes, split exactly like JSON.parse', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const alphabet = ['\\', '"', '{', '}', '[', ']', 'a', ' ', ',', ':', '\\\\', '\\"'];
    for (let round = 0; round < 30; round++) {
      const recs = Array.from({ length: 20 }, (_, i) => rec(`r${round}-${i}`, { s: Array.from({ length: Math.floor(rnd() * 40) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('') }));
      const buf = Buffer.from(JSON.stringify({ Records: recs }));
      const got: string[] = [];
      const sp = new RecordSplitter((json) => got.push((JSON.parse(json!.toString()) as { eventID: string }).eventID), 1 << 20);
      for (let i = 0; i < buf.length; ) {
        const n = 1 + Math.floor(rnd() * 13);
        sp.push(buf.subarray(i, i + n));
        i += n;
      }
      sp.end();
      expect(got).toEqual(recs.map((r) => r.eventID));
    }
  });

  it('a truncated gzip reports the records read before the cut', async () => {
    const gz = gzipSync(JSON.stringify({ Records: Array.from({ length: 2000 }, (_, i) => rec(`id-${i}`, { pad: 'x'.repeat(100 + (i % 50)) })) }));
    const ids: string[] = [];
    const r = await readLogRecords(gz.subarray(0, Math.floor(gz.length * 0.6)), (x) => ids.push(x.eventID!));
    expect(r.error).toMatch(/truncated/);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.length).toBeLessThan(2000);
  });

  it('not gzip, not JSON, and JSON ending early are reported', async () => {
    expect((await readLogRecords(Buffer.from('hello'), () => {})).error).toMatch(/gzip/);
    expect((await readLogRecords(gzipSync('[1,2]'), () => {})).error).toMatch(/not a CloudTrail log file/);
    expect((await readLogRecords(gzipSync('{"Records":[{"eventID":"x"}'), () => {})).error).toMatch(/truncated/);
  });

  it('an inflated size over the cap stops reading (gzip bomb)', async () => {
    const gz = gzipSync(JSON.stringify({ Records: [rec('a', { pad: '0'.repeat(2_000_000) })] }));
    const r = await readLogRecords(gz, () => {}, { maxInflatedBytes: 100_000, maxRecordBytes: 1_000_000 });
    expect(r.error).toMatch(/cap/);
  });

  it('a record over the record cap is counted with its size but not parsed', () => {
    const got: [boolean, number][] = [];
    const s = new RecordSplitter((json, size) => got.push([json !== undefined, size]), 50);
    s.push(Buffer.from(JSON.stringify({ Records: [{ a: 'x'.repeat(100) }, { b: 1 }] })));
    s.end();
    expect(got).toEqual([[false, 108], [true, 7]]);
  });
});

describe('IdSet', () => {
  it('holds many ids compactly and answers membership', () => {
    const s = new IdSet(4);
    for (let i = 0; i < 50_000; i++) s.add(`0f8fad5b-d9cb-469f-a165-${String(i).padStart(12, '0')}`);
    expect(s.size).toBe(50_000);
    expect(s.has('0f8fad5b-d9cb-469f-a165-000000012345')).toBe(true);
    expect(s.has('0f8fad5b-d9cb-469f-a165-000000050000')).toBe(false);
    expect(s.add('0f8fad5b-d9cb-469f-a165-000000000001')).toBe(false);
    expect(s.bytes).toBeLessThanOrEqual(50_000 * 16 * 2);
  });
});

const trail: TrailConfig = {
  name: 'main',
  arn: 'arn:aws:cloudtrail:eu-west-1:123456789012:trail/main',
  homeRegion: 'eu-west-1',
  s3BucketName: 'acme-trail-logs',
  includeGlobalServiceEvents: true,
  isMultiRegionTrail: false,
  isOrganizationTrail: false,
  logFileValidationEnabled: true,
  cloudWatchLogsLogGroupArn: 'arn:aws:logs:eu-west-1:123456789012:log-group:ct-logs:*',
  cloudWatchLogsRoleArn: 'arn:aws:iam::123456789012:role/ct-cwl',
  kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/1111-2222',
};

describe('scope', () => {
  const ev = { eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', readOnly: true };
  it('no selectors means every management event; basic read/write and excluded sources', () => {
    expect(selectorVerdict(undefined, ev)).toBe('selected');
    expect(selectorVerdict({ eventSelectors: [{ readWriteType: 'WriteOnly', includeManagementEvents: true }] }, ev)).toBe('excluded');
    expect(selectorVerdict({ eventSelectors: [{ readWriteType: 'All', includeManagementEvents: false }] }, ev)).toBe('excluded');
    expect(selectorVerdict({ eventSelectors: [{ excludeManagementEventSources: ['kms.amazonaws.com'] }] }, { ...ev, eventSource: 'kms.amazonaws.com' })).toBe('excluded');
  });
  it('advanced selectors: union; read in one and write in another is full coverage', () => {
    const sel = {
      advancedEventSelectors: [
        { fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }, { field: 'readOnly', equals: ['true'] }] },
        { fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }, { field: 'readOnly', equals: ['false'] }] },
      ],
    };
    expect(selectorVerdict(sel, ev)).toBe('selected');
    expect(selectorVerdict(sel, { ...ev, readOnly: false })).toBe('selected');
    expect(selectorVerdict({ advancedEventSelectors: [{ fieldSelectors: [{ field: 'eventCategory', equals: ['Data'] }] }] }, ev)).toBe('excluded');
    expect(selectorVerdict({ advancedEventSelectors: [{ fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }, { field: 'vpcEndpointId', equals: ['vpce-1'] }] }] }, ev)).toBe('unknown');
  });
  it('regions: a single-region trail of another region, and global-service events', () => {
    expect(inScope(trail, undefined, 'us-west-2', 'us-west-2', ev).verdict).toBe('excluded');
    expect(inScope({ ...trail, homeRegion: 'us-east-1' }, undefined, 'us-east-1', 'us-east-1', { ...ev, eventSource: 'iam.amazonaws.com' }).verdict).toBe('selected');
    expect(inScope({ ...trail, homeRegion: 'us-east-1', includeGlobalServiceEvents: false }, undefined, 'us-east-1', 'us-east-1', { ...ev, eventSource: 'iam.amazonaws.com' }).verdict).toBe('excluded');
  });
});

const ce = (eventName: string, eventSource: string, t: string, resources: string[], extra: Partial<ChangeEvent> = {}): ChangeEvent => ({
  eventId: `${eventName}-${t}`,
  eventName,
  eventSource,
  eventTime: t,
  resources,
  actor: 'arn:aws:iam::123456789012:user/bob',
  sources: ['event-history'],
  ...extra,
});

describe('trigger ranking', () => {
  const res = trailResources(trail);
  const at = Date.parse('2026-11-20T03:00:00Z');
  it('the same bucket two minutes before beats another trail\'s UpdateTrail one minute before; failed calls never count', () => {
    const events = [
      ce('PutBucketPolicy', 's3.amazonaws.com', '2026-11-20T02:58:00Z', ['acme-trail-logs']),
      ce('UpdateTrail', 'cloudtrail.amazonaws.com', '2026-11-20T02:59:00Z', ['other']),
      ce('StopLogging', 'cloudtrail.amazonaws.com', '2026-11-20T02:59:30Z', ['main'], { errorCode: 'AccessDenied' }),
      ce('PutBucketPolicy', 's3.amazonaws.com', '2026-11-20T01:00:00Z', ['acme-trail-logs']),
    ];
    const r = rankTriggers(events, res, { destination: 's3', at, windowMs: 15 * 60_000, slackMs: 120_000 });
    expect(r[0]).toMatchObject({ eventName: 'PutBucketPolicy', eventTime: '2026-11-20T02:58:00Z' });
    expect(r.map((x) => x.eventName)).not.toContain('StopLogging');
    expect(r.find((x) => x.eventTime === '2026-11-20T01:00:00Z')).toBeUndefined();
  });
  it('a role policy change explains a CloudWatch Logs gap better than a bucket change', () => {
    const events = [ce('PutBucketPolicy', 's3.amazonaws.com', '2026-11-20T02:59:00Z', ['acme-trail-logs']), ce('DeleteRolePolicy', 'iam.amazonaws.com', '2026-11-20T02:55:00Z', ['ct-cwl'])];
    expect(rankTriggers(events, res, { destination: 'cloudwatch-logs', at, windowMs: 15 * 60_000, slackMs: 120_000 })[0]!.eventName).toBe('DeleteRolePolicy');
  });
  it('closers: StartLogging on the trail after the last missing event', () => {
    const events = [ce('StartLogging', 'cloudtrail.amazonaws.com', '2026-11-20T06:01:00Z', ['arn:aws:cloudtrail:eu-west-1:123456789012:trail/main', 'main'])];
    const r = rankClosers(events, res, { destination: 's3', at: Date.parse('2026-11-20T06:00:00Z'), until: Date.parse('2026-11-20T06:03:00Z'), windowMs: 15 * 60_000, slackMs: 120_000 });
    expect(r[0]?.eventName).toBe('StartLogging');
  });
});

describe('helpers', () => {
  it('wilson bounds and interval unions', () => {
    const [lo, hi] = wilson(0, 50);
    expect(lo).toBe(0);
    expect(hi).toBeGreaterThan(0.05);
    expect(hi).toBeLessThan(0.1);
    expect(unionLength([[0, 10], [5, 20], [30, 40]])).toBe(30);
    expect(mergeRanges([[0, 10_000], [5_000, 20_000], [30_000, 40_000]])).toEqual([[0, 20_000], [30_000, 40_000]]);
  });
  it('key delivery times and day prefixes (prefix, organization)', () => {
    expect(keyDeliveryTime('AWSLogs/1/CloudTrail/eu-west-1/2026/11/20/1_CloudTrail_eu-west-1_20261120T0315Z_Mu0KsOhtH1ar15ZZ.json.gz')).toBe(Date.parse('2026-11-20T03:15:00Z'));
    expect(keyDeliveryTime('AWSLogs/1/CloudTrail-Insight/x.json.gz')).toBeUndefined();
    expect(dayPrefix({ bucket: 'b', bucketRegion: 'r', prefix: 'pfx/', accountId: '111122223333', orgId: 'o-abc1234567', region: 'eu-west-1' }, Date.parse('2026-01-05T10:00:00Z'))).toBe(
      'pfx/AWSLogs/o-abc1234567/111122223333/CloudTrail/eu-west-1/2026/01/05/',
    );
  });
});
