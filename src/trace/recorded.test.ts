import { describe, expect, it } from 'vitest';
import type { TrailConfig } from '../evidence/schema.js';
import { recordedByTrail } from './recorded.js';
import type { TracedEvent } from './model.js';

const trail = (over: Partial<TrailConfig> = {}): TrailConfig => ({
  name: 'main',
  arn: 'arn:aws:cloudtrail:eu-west-1:123456789012:trail/main',
  homeRegion: 'eu-west-1',
  s3BucketName: 'logs',
  includeGlobalServiceEvents: true,
  isMultiRegionTrail: true,
  isOrganizationTrail: false,
  logFileValidationEnabled: false,
  ...over,
});
const ev = (over: Partial<TracedEvent> = {}): TracedEvent => ({
  eventID: '11111111-2222-3333-4444-555555555555',
  eventTime: '2026-11-23T10:42:00Z',
  eventName: 'RunInstances',
  eventSource: 'ec2.amazonaws.com',
  awsRegion: 'eu-west-1',
  eventCategory: 'Management',
  readOnly: false,
  resources: [],
  source: 'event-history',
  ...over,
});

describe('recorded by this trail', () => {
  it('default selectors record every management event, read or write', () => {
    expect(recordedByTrail(trail(), undefined, ev({ readOnly: true })).verdict).toBe('yes');
    expect(recordedByTrail(trail(), { eventSelectors: [] }, ev()).verdict).toBe('yes');
  });

  it('a basic ReadOnly selector does not record a write event, and says why', () => {
    const r = recordedByTrail(trail(), { eventSelectors: [{ readWriteType: 'ReadOnly', includeManagementEvents: true }] }, ev());
    expect(r.verdict).toBe('no');
    expect(r.cause).toBe('event-selectors-exclude-events');
    expect(r.chain.join('\n')).toContain('records ReadOnly management events; this is a write event');
  });

  it('excluded management event sources (KMS) are not recorded', () => {
    const r = recordedByTrail(trail(), { eventSelectors: [{ readWriteType: 'All', excludeManagementEventSources: ['kms.amazonaws.com'] }] }, ev({ eventSource: 'kms.amazonaws.com', eventName: 'Decrypt' }));
    expect(r.verdict).toBe('no');
  });

  it('advanced selectors are ORed: read in one selector, write in another, covers both', () => {
    const sel = {
      advancedEventSelectors: [
        { name: 'reads', fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }, { field: 'readOnly', equals: ['true'] }] },
        { name: 'writes', fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }, { field: 'readOnly', equals: ['false'] }] },
      ],
    };
    const r = recordedByTrail(trail(), sel, ev());
    expect(r.verdict).toBe('yes');
    expect(r.chain[r.chain.length - 1]).toContain('"writes" selects it');
  });

  it('an advanced selector excluding the event name: not recorded, naming the field and value', () => {
    const sel = { advancedEventSelectors: [{ name: 'no-noise', fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }, { field: 'eventName', notEquals: ['RunInstances', 'DescribeInstances'] }] }] };
    const r = recordedByTrail(trail(), sel, ev());
    expect(r.verdict).toBe('no');
    expect(r.chain.join('\n')).toMatch(/eventName is "RunInstances", the selector wants eventName ≠ RunInstances/);
  });

  it('data events: advanced selectors judged on resources.type and resources.ARN', () => {
    const sel = { advancedEventSelectors: [{ fieldSelectors: [{ field: 'eventCategory', equals: ['Data'] }, { field: 'resources.type', equals: ['AWS::S3::Object'] }, { field: 'resources.ARN', startsWith: ['arn:aws:s3:::audit/'] }] }] };
    const data = (arn: string) => ev({ eventCategory: 'Data', eventSource: 's3.amazonaws.com', eventName: 'PutObject', resources: [{ type: 'AWS::S3::Object', arn }] });
    expect(recordedByTrail(trail(), sel, data('arn:aws:s3:::audit/x.txt')).verdict).toBe('yes');
    expect(recordedByTrail(trail(), sel, data('arn:aws:s3:::other/x.txt')).verdict).toBe('no');
  });

  it('data events: basic data resources match by ARN prefix, bucket values cover their objects', () => {
    const sel = { eventSelectors: [{ readWriteType: 'All' as const, includeManagementEvents: true, dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3:::audit'] }] }] };
    const data = (arn: string) => ev({ eventCategory: 'Data', eventSource: 's3.amazonaws.com', eventName: 'GetObject', readOnly: true, resources: [{ type: 'AWS::S3::Object', arn }] });
    expect(recordedByTrail(trail(), sel, data('arn:aws:s3:::audit/a/b')).verdict).toBe('yes');
    expect(recordedByTrail(trail(), sel, data('arn:aws:s3:::auditor/a')).verdict).toBe('no');
  });

  it('a single-region trail does not record another region: single-region-trail', () => {
    const r = recordedByTrail(trail({ isMultiRegionTrail: false }), undefined, ev({ awsRegion: 'us-west-2' }));
    expect(r).toMatchObject({ verdict: 'no', cause: 'single-region-trail' });
  });

  it('global-service events are filed under us-east-1 and need IncludeGlobalServiceEvents', () => {
    const iam = ev({ eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', awsRegion: 'us-east-1' });
    const yes = recordedByTrail(trail(), undefined, iam);
    expect(yes).toMatchObject({ verdict: 'yes', isGlobal: true, folderRegion: 'us-east-1' });
    expect(recordedByTrail(trail({ includeGlobalServiceEvents: false }), undefined, iam)).toMatchObject({ verdict: 'no', cause: 'global-service-events-excluded' });
  });

  it('a selector on a field the record lacks cannot be judged', () => {
    const sel = { advancedEventSelectors: [{ fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }, { field: 'vpcEndpointId', equals: ['vpce-1'] }] }] };
    expect(recordedByTrail(trail(), sel, ev()).verdict).toBe('unknown');
  });
});
