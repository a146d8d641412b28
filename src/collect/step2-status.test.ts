import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { GetEventSelectorsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { awsError, fakeAws, runFakePlan } from '../../test/support/aws-fakes.js';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { eventSelectorsOf, step2, trailStatusOf } from './step2-status.js';
import { createClients } from '../aws/clients.js';
import { healthyEvidence } from '../evidence/builder.js';
import type { TrailResolution } from './types.js';

const fake = fakeAws();
afterAll(() => fake.restore());
beforeEach(() => fake.install());

describe('step 2: trail status', () => {
  it('maps every field GetTrailStatus reports', () => {
    const d = (s: string) => new Date(s);
    expect(
      trailStatusOf({
        $metadata: {},
        IsLogging: true,
        LatestDeliveryError: 'AccessDenied',
        LatestDeliveryTime: d('2026-11-24T03:00:00Z'),
        LatestDeliveryAttemptTime: '2026-11-24T03:05:00Z',
        LatestNotificationError: 'NotFound',
        LatestNotificationTime: d('2026-11-24T02:00:00Z'),
        LatestCloudWatchLogsDeliveryError: 'Access denied. Verify in IAM that the role has adequate permissions.',
        LatestCloudWatchLogsDeliveryTime: d('2026-11-24T01:00:00Z'),
        LatestDigestDeliveryError: 'NoSuchBucket',
        LatestDigestDeliveryTime: d('2026-11-23T23:00:00Z'),
        StartLoggingTime: d('2026-01-01T00:00:00Z'),
        StopLoggingTime: d('2025-12-31T00:00:00Z'),
      }),
    ).toEqual({
      isLogging: true,
      latestDeliveryError: 'AccessDenied',
      latestDeliveryTime: '2026-11-24T03:00:00Z',
      latestDeliveryAttemptTime: '2026-11-24T03:05:00Z',
      latestNotificationError: 'NotFound',
      latestNotificationTime: '2026-11-24T02:00:00Z',
      latestCloudWatchLogsDeliveryError: 'Access denied. Verify in IAM that the role has adequate permissions.',
      latestCloudWatchLogsDeliveryTime: '2026-11-24T01:00:00Z',
      latestDigestDeliveryError: 'NoSuchBucket',
      latestDigestDeliveryTime: '2026-11-23T23:00:00Z',
      startLoggingTime: '2026-01-01T00:00:00Z',
      stopLoggingTime: '2025-12-31T00:00:00Z',
    });
  });

  it('a healthy status omits the errors; empty strings (moto) are never turned into values', () => {
    const s = trailStatusOf({ $metadata: {}, IsLogging: false, LatestDeliveryAttemptTime: '', LatestNotificationAttemptSucceeded: '', LatestDeliveryError: '' });
    expect(s).toEqual({ isLogging: false });
  });

  it('escape sequences in an error message are neutralised', () => {
    const s = trailStatusOf({ $metadata: {}, IsLogging: true, LatestDeliveryError: 'Access\u001b[31mDenied\nx' });
    expect(s.latestDeliveryError).toBe('AccessDenied x');
  });

  it('reads status and selectors by ARN in the home region', async () => {
    fake.ct.on(GetTrailStatusCommand).resolves({ IsLogging: false, StopLoggingTime: new Date('2026-11-23T10:00:00Z') });
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s2.status).toEqual({ status: 'ok', value: { isLogging: false, stopLoggingTime: '2026-11-23T10:00:00Z' } });
    expect(outputs.s2.selectors.value).toEqual({ eventSelectors: [{ readWriteType: 'All', includeManagementEvents: true, dataResources: [], excludeManagementEventSources: [] }] });
  });

  it('AccessDenied → denied with the permission; throttling after retries → error that says throttled, no permission', async () => {
    fake.ct.on(GetTrailStatusCommand).rejects(awsError('AccessDeniedException'));
    fake.ct.on(GetEventSelectorsCommand).rejects(awsError('ThrottlingException'));
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s2.status).toMatchObject({ status: 'denied', needs: 'cloudtrail:GetTrailStatus' });
    expect(outputs.s2.selectors).toMatchObject({ status: 'error', needs: expect.stringMatching(/^a retry when the API is less busy/), errorCode: 'ThrottlingException' });
    expect(outputs.s2.selectors.reason).toMatch(/^throttled after retries/);
  });
});

describe('step 2: event selectors', () => {
  it('maps advanced selectors with every operator', () => {
    const s = eventSelectorsOf({
      $metadata: {},
      AdvancedEventSelectors: [
        { Name: 'reads', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['true'] }] },
        {
          Name: 'writes',
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Management'] },
            { Field: 'eventSource', NotEquals: ['kms.amazonaws.com'], StartsWith: ['s'], EndsWith: ['.com'], NotStartsWith: ['x'], NotEndsWith: ['y'] },
          ],
        },
      ],
    });
    expect(s.eventSelectors).toBeUndefined();
    expect(s.advancedEventSelectors).toEqual([
      { name: 'reads', fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }, { field: 'readOnly', equals: ['true'] }] },
      {
        name: 'writes',
        fieldSelectors: [
          { field: 'eventCategory', equals: ['Management'] },
          { field: 'eventSource', notEquals: ['kms.amazonaws.com'], startsWith: ['s'], endsWith: ['.com'], notStartsWith: ['x'], notEndsWith: ['y'] },
        ],
      },
    ]);
  });

  it('maps basic selectors with data resources; an empty answer stays empty', () => {
    expect(
      eventSelectorsOf({ $metadata: {}, EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::b/'] }] }] }),
    ).toEqual({ eventSelectors: [{ readWriteType: 'WriteOnly', includeManagementEvents: false, dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3:::b/'] }] }] });
    expect(eventSelectorsOf({ $metadata: {}, EventSelectors: [], AdvancedEventSelectors: [] })).toEqual({ eventSelectors: [], advancedEventSelectors: [] });
  });
});

describe('step 2: the SNS topic the trail notifies', () => {
  const sns = mockClient(SNSClient);
  afterAll(() => sns.restore());
  const TOPIC = 'arn:aws:sns:us-west-2:123456789012:trail-notify';
  const trail = (snsTopicArn?: string) => {
    const config = { ...healthyEvidence().steps.s1.trail.value!, ...(snsTopicArn ? { snsTopicArn } : {}) };
    return { resolved: { config, name: config.name, arn: config.arn, homeRegion: config.homeRegion, ownerAccount: '123456789012', partition: 'aws' } } as unknown as TrailResolution;
  };

  it('reads the topic policy in the topic region; the probe is optional (notifications carry no events)', async () => {
    const regions: string[] = [];
    sns.on(GetTopicAttributesCommand).callsFake(async (input: { TopicArn: string }, getClient) => {
      regions.push(await getClient().config.region());
      expect(input.TopicArn).toBe(TOPIC);
      return { Attributes: { Policy: '{"Statement":[]}' } };
    });
    const out = await step2.run(createClients({ region: 'eu-west-1' }), { trail: trail(TOPIC) } as never);
    expect(out.snsTopicPolicy).toEqual({ status: 'ok', value: '{"Statement":[]}', optional: true });
    expect(regions).toEqual(['us-west-2']);
  });

  it('a denied read is denied with the permission; no topic, no call', async () => {
    sns.reset();
    sns.on(GetTopicAttributesCommand).rejects(awsError('AuthorizationError', 403));
    const out = await step2.run(createClients({ region: 'eu-west-1', maxAttempts: 1 }), { trail: trail(TOPIC) } as never);
    expect(out.snsTopicPolicy).toMatchObject({ status: 'denied', needs: 'sns:GetTopicAttributes', optional: true });
    sns.reset();
    const none = await step2.run(createClients({ region: 'eu-west-1' }), { trail: trail() } as never);
    expect(none.snsTopicPolicy).toBeUndefined();
    expect(sns.calls()).toHaveLength(0);
  });
});
