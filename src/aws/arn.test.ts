import { describe, expect, it } from 'vitest';
import {
  formatArn,
  isPartition,
  logGroupNameOf,
  parseArn,
  parseLogGroupArn,
  parseTrailArn,
  partitionOf,
  PARTITIONS,
  resourceNameOf,
  roleNameOf,
  rootAccountOf,
  splitArn,
  trailNameOf,
} from './arn.js';

describe('parseArn / formatArn', () => {
  it.each([
    ['arn:aws:cloudtrail:eu-west-1:123456789012:trail/main', { partition: 'aws', service: 'cloudtrail', region: 'eu-west-1', account: '123456789012', resource: 'trail/main' }],
    ['arn:aws-cn:cloudtrail:cn-north-1:123456789012:trail/main', { partition: 'aws-cn', service: 'cloudtrail', region: 'cn-north-1', account: '123456789012', resource: 'trail/main' }],
    ['arn:aws-us-gov:iam::123456789012:role/ops/CloudTrailRole', { partition: 'aws-us-gov', service: 'iam', region: '', account: '123456789012', resource: 'role/ops/CloudTrailRole' }],
    ['arn:aws-iso:kms:us-iso-east-1:123456789012:key/1234abcd-12ab', { partition: 'aws-iso', service: 'kms', region: 'us-iso-east-1', account: '123456789012', resource: 'key/1234abcd-12ab' }],
    ['arn:aws:s3:::acme-trail-logs', { partition: 'aws', service: 's3', region: '', account: '', resource: 'acme-trail-logs' }],
    ['arn:aws:logs:eu-west-1:123456789012:log-group:/aws/ct:a:*', { partition: 'aws', service: 'logs', region: 'eu-west-1', account: '123456789012', resource: 'log-group:/aws/ct:a:*' }],
  ])('%s', (text, parts) => {
    expect(parseArn(text)).toEqual(parts);
    expect(formatArn(parts)).toBe(text);
  });

  it.each([
    [undefined],
    [''],
    ['main'],
    ['arn'],
    ['arn:aws:s3'],
    ['arn:aws:iam::123456789012'], // five components
    ['arn::iam::123456789012:role/x'], // no partition
    ['arn:*:iam::123456789012:role/x'], // a pattern, not an ARN
    ['arn:aws:s3:::'], // no resource
    ['ARN:aws:s3:::bucket'], // the prefix is lower-case
    [' arn:aws:s3:::bucket'],
  ])('rejects %j', (text) => {
    expect(parseArn(text)).toBeUndefined();
  });

  it('splitArn keeps wildcards and empty components (IAM ArnLike patterns)', () => {
    expect(splitArn('arn:*:iam::*:role/*')).toEqual(['arn', '*', 'iam', '', '*', 'role/*']);
    expect(splitArn('arn:aws:s3:::')).toEqual(['arn', 'aws', 's3', '', '', '']);
    expect(splitArn('arn:aws:s3::')).toBeUndefined();
    expect(splitArn('urn:aws:s3:::b')).toBeUndefined();
  });

  it('partitionOf: the ARN partition, aws for anything else', () => {
    expect(partitionOf('arn:aws-cn:cloudtrail:cn-north-1:123456789012:trail/t')).toBe('aws-cn');
    expect(partitionOf('arn:aws-us-gov:s3:::b')).toBe('aws-us-gov');
    expect(partitionOf('arn:aws-iso-b:iam::123456789012:root')).toBe('aws-iso-b');
    expect(partitionOf('main')).toBe('aws');
    expect(partitionOf(undefined)).toBe('aws');
  });

  it('knows every partition', () => {
    for (const p of ['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc']) expect(isPartition(p), p).toBe(true);
    expect(isPartition('aws-mars')).toBe(false);
    expect(PARTITIONS).toHaveLength(8);
  });
});

describe('parseTrailArn (strict)', () => {
  it.each([
    ['arn:aws:cloudtrail:eu-west-1:123456789012:trail/main', 'aws', 'eu-west-1', 'main'],
    ['arn:aws-cn:cloudtrail:cn-northwest-1:123456789012:trail/org-trail', 'aws-cn', 'cn-northwest-1', 'org-trail'],
    ['arn:aws-us-gov:cloudtrail:us-gov-west-1:123456789012:trail/gov', 'aws-us-gov', 'us-gov-west-1', 'gov'],
    ['arn:aws-iso:cloudtrail:us-iso-east-1:123456789012:trail/iso', 'aws-iso', 'us-iso-east-1', 'iso'],
  ])('%s', (text, partition, region, name) => {
    expect(parseTrailArn(text)).toEqual({ partition, service: 'cloudtrail', region, account: '123456789012', resource: `trail/${name}`, name });
  });

  it.each([
    ['arn:aws-mars:cloudtrail:eu-west-1:123456789012:trail/main', 'unknown partition'],
    ['arn:aws:s3:eu-west-1:123456789012:trail/main', 'not cloudtrail'],
    ['arn:aws:cloudtrail::123456789012:trail/main', 'no region'],
    ['arn:aws:cloudtrail:EU-WEST-1:123456789012:trail/main', 'region not region-shaped'],
    ['arn:aws:cloudtrail:eu-west-1:12345678901:trail/main', '11-digit account'],
    ['arn:aws:cloudtrail:eu-west-1:acme:trail/main', 'account not digits'],
    ['arn:aws:cloudtrail:eu-west-1:123456789012:eventdatastore/x', 'not a trail'],
    ['arn:aws:cloudtrail:eu-west-1:123456789012:trail/', 'no name'],
    ['main', 'a name'],
  ])('rejects %s (%s)', (text) => {
    expect(parseTrailArn(text)).toBeUndefined();
  });
});

describe('resource names', () => {
  it('trailNameOf: the name of a trail ARN, anything else as given', () => {
    expect(trailNameOf('arn:aws-cn:cloudtrail:cn-north-1:123456789012:trail/main')).toBe('main');
    expect(trailNameOf('main')).toBe('main');
    expect(trailNameOf('arn:aws:s3:::trail/main')).toBe('arn:aws:s3:::trail/main');
  });

  it('log groups, with or without the trailing :*, colons in the name kept', () => {
    expect(parseLogGroupArn('arn:aws-us-gov:logs:us-gov-east-1:123456789012:log-group:/aws/ct/a:b:*')).toEqual({ name: '/aws/ct/a:b', region: 'us-gov-east-1', accountId: '123456789012', partition: 'aws-us-gov' });
    expect(logGroupNameOf('arn:aws:logs:eu-west-1:123456789012:log-group:ct')).toBe('ct');
    expect(logGroupNameOf('arn:aws:iam::123456789012:role/log-group:x')).toBeUndefined();
    expect(logGroupNameOf('arn:aws:logs:eu-west-1:123456789012:destination:d')).toBeUndefined();
    expect(logGroupNameOf(undefined)).toBeUndefined();
  });

  it('roleNameOf: the last segment of the role path', () => {
    expect(roleNameOf('arn:aws:iam::123456789012:role/service-role/CloudTrail_CWL')).toBe('CloudTrail_CWL');
    expect(roleNameOf('arn:aws-cn:iam::123456789012:role/r')).toBe('r');
    expect(roleNameOf('arn:aws:iam::123456789012:user/bob')).toBeUndefined();
    expect(roleNameOf('arn:aws:sts::123456789012:role/r')).toBeUndefined();
  });

  it('resourceNameOf: the short name of trails, roles, users, keys, aliases, log groups', () => {
    expect(resourceNameOf('arn:aws:cloudtrail:eu-west-1:123456789012:trail/main')).toBe('main');
    expect(resourceNameOf('arn:aws:iam::123456789012:role/path/to/R')).toBe('R');
    expect(resourceNameOf('arn:aws:iam::123456789012:user/bob')).toBe('bob');
    expect(resourceNameOf('arn:aws:kms:eu-west-1:123456789012:key/abcd')).toBe('abcd');
    expect(resourceNameOf('arn:aws:kms:eu-west-1:123456789012:alias/trail')).toBe('trail');
    expect(resourceNameOf('arn:aws:logs:eu-west-1:123456789012:log-group:ct:*')).toBe('ct');
    expect(resourceNameOf('arn:aws:s3:::bucket')).toBe('bucket');
    expect(resourceNameOf('arn:aws:iam::aws:policy/ReadOnlyAccess')).toBe('policy/ReadOnlyAccess');
    expect(resourceNameOf('bucket')).toBeUndefined();
  });

  it('rootAccountOf: only an account root principal', () => {
    expect(rootAccountOf('arn:aws:iam::123456789012:root')).toBe('123456789012');
    expect(rootAccountOf('arn:aws-cn:iam::123456789012:root')).toBe('123456789012');
    expect(rootAccountOf('arn:aws:iam::123456789012:user/root')).toBeUndefined();
    expect(rootAccountOf('arn:aws:iam::12345:root')).toBeUndefined();
    expect(rootAccountOf('arn:aws:iam:eu-west-1:123456789012:root')).toBeUndefined();
    expect(rootAccountOf('123456789012')).toBeUndefined();
  });
});
