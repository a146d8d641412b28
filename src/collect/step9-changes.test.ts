import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { GetTrailCommand, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeLogStreamsCommand, FilterLogEventsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetBucketEncryptionCommand } from '@aws-sdk/client-s3';
import { DescribeKeyCommand, GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import { awsError, fakeAws, healthyTrail, regionOf, runFakePlan, ACCOUNT, BUCKET, LOG_GROUP, REGION, ROLE_NAME, TRAIL_ARN } from '../../test/support/aws-fakes.js';
import { recordToChangeEvent } from '../evidence/events.js';
import { CHANGE_EVENTS, changeFilterPatterns, isRelevant, type Resources } from './step9-changes.js';
import { DELIVERY_FAILURE_PATTERN } from './step3-log-events.js';

const fake = fakeAws();
afterAll(() => fake.restore());
beforeEach(() => fake.install());

let n = 0;
const record = (eventName: string, eventSource: string, requestParameters: Record<string, unknown>, over: Record<string, unknown> = {}) => ({
  eventVersion: '1.09',
  eventID: `e-${++n}`,
  eventTime: '2026-11-23T10:00:00Z',
  eventName,
  eventSource,
  awsRegion: REGION,
  sourceIPAddress: '203.0.113.7',
  userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/bob` },
  requestParameters,
  ...over,
});
const asLookup = (r: ReturnType<typeof record>) => ({ EventId: r.eventID, EventName: r.eventName, EventSource: r.eventSource, EventTime: new Date(r.eventTime), CloudTrailEvent: JSON.stringify(r) });

describe('step 9: filter patterns and relevance', () => {
  it('the log-group filter patterns cover every change event and fit the 1024-character limit', () => {
    const patterns = changeFilterPatterns();
    expect(patterns.length).toBeGreaterThan(1);
    for (const p of patterns) expect(p.length).toBeLessThanOrEqual(1024);
    for (const name of Object.values(CHANGE_EVENTS).flat()) expect(patterns.join(' ')).toContain(`($.eventName = "${name}")`);
  });

  const res: Resources = { trailName: 'main', trailArn: TRAIL_ARN, bucket: BUCKET, logGroup: LOG_GROUP, roleName: ROLE_NAME, policyArns: ['arn:aws:iam::123456789012:policy/p'], keys: ['arn:aws:kms:eu-west-1:123456789012:key/abc'], account: ACCOUNT };
  const ev = (name: string, source: string, params: Record<string, unknown>) => recordToChangeEvent(record(name, source, params), 'event-history')!;
  it.each([
    ['StopLogging by ARN', ev('StopLogging', 'cloudtrail.amazonaws.com', { name: TRAIL_ARN }), true],
    ['StopLogging by name', ev('StopLogging', 'cloudtrail.amazonaws.com', { name: 'main' }), true],
    ['StopLogging of another trail', ev('StopLogging', 'cloudtrail.amazonaws.com', { name: 'other' }), false],
    ['PutEventSelectors (trailName)', ev('PutEventSelectors', 'cloudtrail.amazonaws.com', { trailName: 'main' }), true],
    ['PutBucketPolicy on our bucket', ev('PutBucketPolicy', 's3.amazonaws.com', { bucketName: BUCKET }), true],
    ['PutBucketPolicy elsewhere', ev('PutBucketPolicy', 's3.amazonaws.com', { bucketName: 'x' }), false],
    ['PutRolePolicy on our role', ev('PutRolePolicy', 'iam.amazonaws.com', { roleName: ROLE_NAME }), true],
    ['CreatePolicyVersion of an attached policy', ev('CreatePolicyVersion', 'iam.amazonaws.com', { policyArn: 'arn:aws:iam::123456789012:policy/p' }), true],
    ['DeleteLogGroup', ev('DeleteLogGroup', 'logs.amazonaws.com', { logGroupName: LOG_GROUP }), true],
    ['DisableKey by key id', ev('DisableKey', 'kms.amazonaws.com', { keyId: 'abc' }), true],
    ['ScheduleKeyDeletion by ARN', ev('ScheduleKeyDeletion', 'kms.amazonaws.com', { keyId: 'arn:aws:kms:eu-west-1:123456789012:key/abc' }), true],
    ['DisableKey of another key', ev('DisableKey', 'kms.amazonaws.com', { keyId: 'def' }), false],
    ['organizations events on a non-organization trail', ev('DisableAWSServiceAccess', 'organizations.amazonaws.com', { servicePrincipal: 'cloudtrail.amazonaws.com' }), false],
  ])('%s', (_name, e, expected) => {
    expect(isRelevant(e, res)).toBe(expected);
  });
});

describe('step 9: configuration changes', () => {
  it('log group: re-checks every match client-side (moto returns everything)', async () => {
    const recs = [
      record('PutBucketPolicy', 's3.amazonaws.com', { bucketName: BUCKET }),
      record('PutBucketPolicy', 's3.amazonaws.com', { bucketName: 'someone-else' }),
      record('StopLogging', 'cloudtrail.amazonaws.com', { name: 'main' }, { errorCode: 'AccessDenied' }),
      record('StopLogging', 'cloudtrail.amazonaws.com', { name: 'main' }, { eventTime: '2026-10-01T00:00:00Z' }),
      record('GetObject', 's3.amazonaws.com', { bucketName: BUCKET }),
      record('PutRetentionPolicy', 'logs.amazonaws.com', { logGroupName: LOG_GROUP, retentionInDays: 1 }),
    ];
    fake.logs.on(FilterLogEventsCommand).callsFake((input: { filterPattern?: string }) =>
      input.filterPattern && input.filterPattern !== DELIVERY_FAILURE_PATTERN ? { events: recs.map((r, i) => ({ timestamp: i, message: JSON.stringify(r) })) } : { events: [] },
    );
    const { outputs } = await runFakePlan(fake);
    const s9 = outputs.s9;
    expect(s9.fromLogGroup.value?.map((e) => `${e.eventName}:${e.eventId}`)).toEqual([`PutBucketPolicy:${recs[0]!.eventID}`, `PutRetentionPolicy:${recs[5]!.eventID}`]);
    expect(s9.changes.map((e) => e.eventName)).toEqual(['PutBucketPolicy', 'PutRetentionPolicy']);
    expect(s9.changes[0]).toMatchObject({ actor: `arn:aws:iam::${ACCOUNT}:user/bob`, sourceIPAddress: '203.0.113.7', requestParameters: { bucketName: BUCKET }, sources: ['log-group'] });
  });

  it('event history: few targeted lookups, each in the right region; merged with the log group by eventID', async () => {
    const stop = record('StopLogging', 'cloudtrail.amazonaws.com', { name: TRAIL_ARN });
    const failedStop = record('StopLogging', 'cloudtrail.amazonaws.com', { name: TRAIL_ARN }, { errorCode: 'AccessDenied' });
    const policy = record('PutBucketPolicy', 's3.amazonaws.com', { bucketName: BUCKET });
    const rolePolicy = record('DeleteRolePolicy', 'iam.amazonaws.com', { roleName: ROLE_NAME, policyName: 'x' }, { awsRegion: 'us-east-1' });
    const describe = record('DescribeTrails', 'cloudtrail.amazonaws.com', {});
    const queries: string[] = [];
    fake.ct.on(LookupEventsCommand).callsFake(async (input: { LookupAttributes: { AttributeKey: string; AttributeValue: string }[] }, getClient) => {
      const a = input.LookupAttributes[0]!;
      queries.push(`${a.AttributeKey}=${a.AttributeValue}@${await regionOf(getClient as never)}`);
      if (a.AttributeValue === 'cloudtrail.amazonaws.com') return { Events: [stop, failedStop, describe].map(asLookup) };
      if (a.AttributeValue === BUCKET) return { Events: [asLookup(policy)] };
      if (a.AttributeValue === ROLE_NAME) return { Events: [asLookup(rolePolicy)] };
      return { Events: [] };
    });
    fake.logs.on(FilterLogEventsCommand).callsFake((input: { filterPattern?: string }) =>
      input.filterPattern && input.filterPattern !== DELIVERY_FAILURE_PATTERN ? { events: [{ timestamp: 1, message: JSON.stringify(policy) }] } : { events: [] },
    );
    const { outputs } = await runFakePlan(fake);
    expect(queries.sort()).toEqual(
      [`EventSource=cloudtrail.amazonaws.com@${REGION}`, `ResourceName=${BUCKET}@${REGION}`, `ResourceName=${LOG_GROUP}@${REGION}`, `ResourceName=${ROLE_NAME}@us-east-1`].sort(),
    );
    const s9 = outputs.s9;
    expect(s9.fromEventHistory.value?.map((e) => e.eventId).sort()).toEqual([stop.eventID, policy.eventID].sort());
    expect(s9.fromEventHistoryGlobal.value?.map((e) => e.eventId)).toEqual([rolePolicy.eventID]);
    expect(s9.changes).toHaveLength(3);
    expect(s9.changes.find((e) => e.eventId === policy.eventID)?.sources.sort()).toEqual(['event-history', 'log-group']);
  });

  it('a busy history (mostly reads by services): after a few pages, one lookup per change event of that service', async () => {
    const stop = record('StopLogging', 'cloudtrail.amazonaws.com', { name: 'main' });
    const policy = record('PutBucketPolicy', 's3.amazonaws.com', { bucketName: BUCKET });
    const otherBucket = record('PutBucketPolicy', 's3.amazonaws.com', { bucketName: 'not-ours' });
    const reads = Array.from({ length: 50 }, () => asLookup(record('DescribeTrails', 'cloudtrail.amazonaws.com', {}, { readOnly: true })));
    const queries: string[] = [];
    fake.ct.on(LookupEventsCommand).callsFake((input: { LookupAttributes: { AttributeKey: string; AttributeValue: string }[]; NextToken?: string }) => {
      const a = input.LookupAttributes[0]!;
      queries.push(`${a.AttributeKey}=${a.AttributeValue}`);
      if (a.AttributeKey === 'EventSource' || a.AttributeValue === BUCKET) return { Events: reads, NextToken: `t${queries.length}` };
      if (a.AttributeKey === 'EventName' && a.AttributeValue === 'StopLogging') return { Events: [asLookup(stop)] };
      if (a.AttributeKey === 'EventName' && a.AttributeValue === 'PutBucketPolicy') return { Events: [asLookup(policy), asLookup(otherBucket)] };
      return { Events: [] };
    });
    const { outputs, audit } = await runFakePlan(fake);
    expect(queries.filter((q) => q === 'EventSource=cloudtrail.amazonaws.com')).toHaveLength(4);
    expect(queries.filter((q) => q === `ResourceName=${BUCKET}`)).toHaveLength(4);
    const byName = queries.filter((q) => q.startsWith('EventName='));
    expect(byName.filter((q) => CHANGE_EVENTS['cloudtrail.amazonaws.com']!.includes(q.slice(10))).sort()).toEqual(
      ['EventName=CreateTrail', 'EventName=DeleteTrail', 'EventName=PutEventSelectors', 'EventName=StartLogging', 'EventName=StopLogging', 'EventName=UpdateTrail'],
    );
    expect(byName).toContain('EventName=PutBucketPolicy');
    expect(outputs.s9.fromEventHistory.status).toBe('ok');
    expect(outputs.s9.changes.map((e) => e.eventId).sort()).toEqual([stop.eventID, policy.eventID].sort());
    // pages are sequential; the by-name lookups run side by side after them. The trail's changes are
    // asked while GetTrail is on the wire (4 pages → by name), the bucket's while HeadBucket is
    // (GetTrail → 4 pages → by name).
    const depth = (node: string) => Math.max(...audit.filter((a) => a.node === node && a.call === 'cloudtrail:LookupEvents').map((a) => a.depth));
    expect(depth('history')).toBe(4 + 1);
    expect(depth('historyResources')).toBe(1 + 4 + 1);
  });

  it('another region’s trail seen here: the trail’s changes asked early in the region diagnosed are dropped and asked in its home region', async () => {
    const stop = record('StopLogging', 'cloudtrail.amazonaws.com', { name: 'main' });
    const asked: string[] = [];
    fake.ct.on(LookupEventsCommand).callsFake(async (input: { LookupAttributes: { AttributeKey: string; AttributeValue: string }[] }, getClient) => {
      const a = input.LookupAttributes[0]!;
      const region = await regionOf(getClient as never);
      if (a.AttributeKey === 'EventSource') asked.push(region);
      // The StopLogging is in the trail's home region's history only.
      return { Events: a.AttributeKey === 'EventSource' && region === REGION ? [asLookup(stop)] : [] };
    });
    const { outputs } = await runFakePlan(fake, { region: 'us-east-1' });
    expect(outputs.s1.isShadowTrail).toBe(true);
    expect(asked.sort()).toEqual([REGION, 'us-east-1'].sort());
    expect(outputs.s9.changes.map((e) => e.eventId)).toEqual([stop.eventID]);
  });

  it('LookupEvents answering HTTP 500 (moto): a server-error probe (no permission named), never a crash', async () => {
    fake.ct.on(LookupEventsCommand).rejects(awsError('InternalFailure', 500));
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s9.fromEventHistory).toMatchObject({ status: 'error', needs: expect.stringMatching(/^a retry later \(AWS answered HTTP 500/) });
    expect(outputs.s9.fromEventHistoryGlobal).toMatchObject({ status: 'error', needs: expect.not.stringContaining('cloudtrail:LookupEvents') });
    expect(outputs.s9.changes).toEqual([]);
  });

  it('event history is optional when the log group answered for the whole window, and required when it is stale', async () => {
    fake.ct.on(LookupEventsCommand).rejects(awsError('AccessDeniedException'));
    let { outputs } = await runFakePlan(fake);
    expect(outputs.s9.fromEventHistory).toMatchObject({ status: 'denied', optional: true });
    expect(outputs.s9.fromEventHistoryGlobal).toMatchObject({ status: 'denied', optional: true });

    // Delivery to CloudWatch Logs stopped two hours ago: the log group cannot see the changes since.
    const stale = fake.now.getTime() - 2 * 3_600_000;
    fake.logs.on(DescribeLogStreamsCommand).resolves({ logStreams: [{ logStreamName: 's', lastEventTimestamp: stale, firstEventTimestamp: 0 }] });
    fake.logs.on(GetLogEventsCommand).resolves({ events: [{ timestamp: stale }] });
    ({ outputs } = await runFakePlan(fake));
    expect(outputs.s9.fromEventHistory.optional).toBeUndefined();
  });

  it('a single-region trail outside us-east-1 has no IAM events in its log group: global history stays required', async () => {
    fake.ct.on(GetTrailCommand).resolves({ Trail: healthyTrail({ IsMultiRegionTrail: false }) });
    fake.ct.on(LookupEventsCommand).rejects(awsError('AccessDeniedException'));
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s9.fromEventHistory.optional).toBe(true);
    expect(outputs.s9.fromEventHistoryGlobal.optional).toBeUndefined();
  });

  it('the KMS key is looked up in its region: trail key at once, bucket default key after the bucket', async () => {
    const key = 'arn:aws:kms:eu-central-1:123456789012:key/k-9';
    fake.s3.on(GetBucketEncryptionCommand).resolves({ ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key } }] } });
    fake.kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k-9', Arn: key, KeyState: 'Disabled', Enabled: false } });
    fake.kms.on(GetKeyPolicyCommand).resolves({ Policy: '{}' });
    const disable = record('DisableKey', 'kms.amazonaws.com', { keyId: 'k-9' }, { awsRegion: 'eu-central-1' });
    const queries: string[] = [];
    fake.ct.on(LookupEventsCommand).callsFake(async (input: { LookupAttributes: { AttributeValue: string }[] }, getClient) => {
      const v = input.LookupAttributes[0]!.AttributeValue;
      queries.push(`${v}@${await regionOf(getClient as never)}`);
      return { Events: v === key ? [asLookup(disable)] : [] };
    });
    const { outputs, audit } = await runFakePlan(fake);
    expect(queries).toContain(`${key}@eu-central-1`);
    expect(outputs.s9.changes.map((e) => e.eventName)).toEqual(['DisableKey']);
    expect(audit.filter((a) => a.node === 'historyKey').map((a) => a.call)).toEqual(['cloudtrail:LookupEvents']);
  });
});
