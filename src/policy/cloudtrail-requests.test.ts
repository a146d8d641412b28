import { describe, expect, it } from 'vitest';
import { kmsRequests, logStreamName, logsRequests, parseLogGroupArn, roleTrustRequest, s3DeliveryRequests, trailNameOf, type TrailTarget } from './cloudtrail-requests.js';
import { evaluatePolicies, evaluatePolicy } from './evaluate.js';
import type { Decision } from './types.js';

const ACCT = '111111111111';
const ORG = 'o-exampleorgid';
const TRAIL = `arn:aws:cloudtrail:us-east-2:${ACCT}:trail/TrailName`;
const BUCKET = 'amzn-s3-demo-bucket';
const NOW = new Date('2026-11-24T04:05:06Z');

const target = (over: Partial<TrailTarget> = {}): TrailTarget => ({
  trailArn: TRAIL,
  accountId: ACCT,
  region: 'us-east-2',
  bucket: BUCKET,
  isOrganizationTrail: false,
  logFileValidationEnabled: true,
  now: NOW,
  ...over,
});

describe('request builders', () => {
  it('account trail: ACL check, log write and digest write with the exact keys and context', () => {
    const reqs = s3DeliveryRequests(target({ prefix: 'myprefix' }));
    expect(reqs.map((r) => [r.purpose, r.action, r.resource])).toEqual([
      ['bucket-acl-check', 's3:GetBucketAcl', `arn:aws:s3:::${BUCKET}`],
      ['log-write', 's3:PutObject', `arn:aws:s3:::${BUCKET}/myprefix/AWSLogs/${ACCT}/CloudTrail/us-east-2/2026/11/24/${ACCT}_CloudTrail_us-east-2_20261124T0405Z_TrailDoctorProbe.json.gz`],
      ['digest-write', 's3:PutObject', `arn:aws:s3:::${BUCKET}/myprefix/AWSLogs/${ACCT}/CloudTrail-Digest/us-east-2/2026/11/24/${ACCT}_CloudTrail-Digest_us-east-2_TrailName_us-east-2_20261124T040506Z.json.gz`],
    ]);
    expect(reqs[1]!.principal).toEqual({ type: 'Service', id: 'cloudtrail.amazonaws.com' });
    expect(reqs[1]!.context).toMatchObject({
      'aws:SourceArn': TRAIL,
      'aws:SourceAccount': ACCT,
      's3:x-amz-acl': 'bucket-owner-full-control',
      'aws:SecureTransport': true,
      'aws:PrincipalServiceName': 'cloudtrail.amazonaws.com',
    });
    expect(reqs[0]!.context['s3:x-amz-acl']).toBeUndefined();
    expect(reqs[1]!.grantPrefix).toBe(`myprefix/AWSLogs/${ACCT}/`);
  });

  it('no digest request when validation is off', () => {
    expect(s3DeliveryRequests(target({ logFileValidationEnabled: false })).map((r) => r.purpose)).toEqual(['bucket-acl-check', 'log-write']);
  });

  it("organization trail: the o-id path (required), members, and the management account's own path (advisory)", () => {
    const reqs = s3DeliveryRequests(target({ isOrganizationTrail: true, orgId: ORG, logFileValidationEnabled: false, memberAccountIds: ['222222222222'] }));
    expect(reqs.filter((r) => r.purpose === 'log-write').map((r) => [r.grantPrefix, r.required])).toEqual([
      [`AWSLogs/${ORG}/${ACCT}/`, true],
      [`AWSLogs/${ORG}/222222222222/`, true],
      [`AWSLogs/${ACCT}/`, false],
    ]);
    expect(reqs[1]!.context['aws:SourceOrgID']).toBe(ORG);
  });

  it('KMS: GenerateDataKey with the trail encryption context, DescribeKey', () => {
    const key = `arn:aws:kms:us-east-2:${ACCT}:key/k`;
    const [gen, desc] = kmsRequests(target({ kmsKeyArn: key }));
    expect(gen).toMatchObject({ action: 'kms:GenerateDataKey', resource: key });
    expect(gen!.context['kms:EncryptionContext:aws:cloudtrail:arn']).toBe(TRAIL);
    expect(desc).toMatchObject({ action: 'kms:DescribeKey', resource: key });
    const [s3gen] = kmsRequests(target({ kmsKeyArn: key }), { source: 'bucket-default', bucketRegion: 'us-east-2' });
    expect(s3gen!.context['kms:EncryptionContext:aws:cloudtrail:arn']).toBeUndefined();
    expect(s3gen!.context['kms:ViaService']).toBe('s3.us-east-2.amazonaws.com');
    expect(kmsRequests(target())).toEqual([]);
  });

  it('role trust and log stream requests', () => {
    const role = `arn:aws:iam::${ACCT}:role/CloudTrail_CloudWatchLogs_Role`;
    const t = target({ roleArn: role, logGroupArn: `arn:aws:logs:us-east-2:${ACCT}:log-group:CloudTrail/logs:*` });
    expect(roleTrustRequest(t)).toMatchObject({ action: 'sts:AssumeRole', resource: role, principal: { type: 'Service', id: 'cloudtrail.amazonaws.com' } });
    expect(logsRequests(t).map((r) => [r.action, r.resource])).toEqual([
      ['logs:CreateLogStream', `arn:aws:logs:us-east-2:${ACCT}:log-group:CloudTrail/logs:log-stream:${ACCT}_CloudTrail_us-east-2`],
      ['logs:PutLogEvents', `arn:aws:logs:us-east-2:${ACCT}:log-group:CloudTrail/logs:log-stream:${ACCT}_CloudTrail_us-east-2`],
    ]);
    expect(roleTrustRequest(target())).toBeUndefined();
    expect(logsRequests(target({ logGroupArn: 'garbage' }))).toEqual([]);
  });

  it('names', () => {
    expect(trailNameOf(TRAIL)).toBe('TrailName');
    expect(trailNameOf('plain')).toBe('plain');
    expect(logStreamName(ACCT, 'us-east-2', ORG)).toBe(`${ORG}_${ACCT}_CloudTrail_us-east-2`);
    expect(parseLogGroupArn(`arn:aws:logs:eu-west-1:${ACCT}:log-group:a/b:c:*`)).toEqual({ name: 'a/b:c', region: 'eu-west-1', accountId: ACCT, partition: 'aws' });
    expect(parseLogGroupArn(`arn:aws-cn:logs:cn-north-1:${ACCT}:log-group:g`)).toMatchObject({ name: 'g', partition: 'aws-cn' });
  });
});

// ---- real-world policies (AWS documentation forms and common hardening patterns) ----

const docBucketPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AWSCloudTrailAclCheck20150319',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:GetBucketAcl',
      Resource: `arn:aws:s3:::${BUCKET}`,
      Condition: { StringEquals: { 'aws:SourceArn': TRAIL } },
    },
    {
      Sid: 'AWSCloudTrailWrite20150319',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: `arn:aws:s3:::${BUCKET}/AWSLogs/${ACCT}/*`,
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': TRAIL } },
    },
  ],
};
const docOrgBucketPolicy = {
  Version: '2012-10-17',
  Statement: [
    ...docBucketPolicy.Statement,
    {
      Sid: 'AWSCloudTrailOrganizationWrite20150319',
      Effect: 'Allow',
      Principal: { Service: ['cloudtrail.amazonaws.com'] },
      Action: 's3:PutObject',
      Resource: `arn:aws:s3:::${BUCKET}/AWSLogs/${ORG}/*`,
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': TRAIL } },
    },
  ],
};
const legacyNoConditions = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:GetBucketAcl', Resource: `arn:aws:s3:::${BUCKET}` },
    { Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:PutObject', Resource: `arn:aws:s3:::${BUCKET}/AWSLogs/*` },
  ],
};
const withStatements = (base: { Statement: object[] }, ...more: object[]) => ({ Version: '2012-10-17', Statement: [...base.Statement, ...more] });
const denyNonTls = { Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } };
const denyOutsideOrgIfExists = {
  Sid: 'DenyOutsideOrg',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: `arn:aws:s3:::${BUCKET}/*`,
  Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': ORG }, BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } },
};
const denyForeignServiceUse = {
  Sid: 'EnforceConfusedDeputy',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:PutObject',
  Resource: `arn:aws:s3:::${BUCKET}/*`,
  Condition: { StringNotEqualsIfExists: { 'aws:SourceAccount': ACCT }, 'Null': { 'aws:SourceAccount': 'false' } },
};
const denyByIp = { Sid: 'OfficeOnly', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${BUCKET}/*`, Condition: { NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '2001:db8::/32'] } } };
const denyUnencrypted = { Sid: 'DenyUnencrypted', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${BUCKET}/*`, Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } } };

interface Case {
  name: string;
  policy: unknown;
  t?: Partial<TrailTarget>;
  expect: Decision;
}

describe('real-world bucket policies: every required CloudTrail request', () => {
  const cases: Case[] = [
    { name: 'AWS doc policy', policy: docBucketPolicy, expect: 'allow' },
    { name: 'AWS doc policy, trail with a prefix', policy: docBucketPolicy, t: { prefix: 'p' }, expect: 'implicit-deny' },
    { name: 'AWS doc org policy, org trail', policy: docOrgBucketPolicy, t: { isOrganizationTrail: true, orgId: ORG }, expect: 'allow' },
    { name: 'AWS doc account policy, org trail', policy: docBucketPolicy, t: { isOrganizationTrail: true, orgId: ORG }, expect: 'implicit-deny' },
    { name: 'AWS doc policy, other trail ARN in SourceArn', policy: docBucketPolicy, t: { trailArn: `arn:aws:cloudtrail:us-east-2:${ACCT}:trail/Other` }, expect: 'implicit-deny' },
    { name: 'legacy policy without conditions', policy: legacyNoConditions, expect: 'allow' },
    { name: 'plus deny non-TLS', policy: withStatements(docBucketPolicy, denyNonTls), expect: 'allow' },
    { name: 'plus deny outside org (service exempt via IfExists)', policy: withStatements(docBucketPolicy, denyOutsideOrgIfExists), expect: 'allow' },
    { name: 'plus confused-deputy guard for own account', policy: withStatements(docBucketPolicy, denyForeignServiceUse), expect: 'allow' },
    { name: 'plus confused-deputy guard, trail of another account', policy: withStatements(legacyNoConditions, denyForeignServiceUse), t: { accountId: '999999999999' }, expect: 'explicit-deny' },
    { name: 'plus office IP allow-list (services have no source IP)', policy: withStatements(docBucketPolicy, denyByIp), expect: 'explicit-deny' },
    { name: 'plus deny uploads without SSE-KMS header', policy: withStatements(docBucketPolicy, denyUnencrypted), expect: 'explicit-deny' },
    { name: 'URL-encoded doc policy', policy: encodeURIComponent(JSON.stringify(docBucketPolicy)), expect: 'allow' },
  ];
  it.each(cases)('$name → $expect', (c) => {
    const reqs = s3DeliveryRequests(target(c.t)).filter((r) => r.required);
    const decisions = reqs.map((r) => evaluatePolicy(c.policy, r).decision);
    const worst = decisions.includes('explicit-deny') ? 'explicit-deny' : decisions.includes('implicit-deny') ? 'implicit-deny' : 'allow';
    expect(worst).toBe(c.expect);
  });
});

describe('real-world key, trust and role policies', () => {
  const key = `arn:aws:kms:us-east-2:${ACCT}:key/k`;
  const consoleKeyPolicy = {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: 'kms:*', Resource: '*' },
      {
        Sid: 'Allow CloudTrail to encrypt logs',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 'kms:GenerateDataKey*',
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceArn': TRAIL }, StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${ACCT}:trail/*` } },
      },
      { Sid: 'Allow CloudTrail to describe key', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'kms:DescribeKey', Resource: '*' },
    ],
  };
  it.each([
    ['console key policy', consoleKeyPolicy, {}, 'allow'],
    ['console key policy, trail of an account not in the context pattern', consoleKeyPolicy, { trailArn: 'arn:aws:cloudtrail:us-east-2:222222222222:trail/T', accountId: '222222222222' }, 'implicit-deny'],
    ['root-only key policy', { Statement: [consoleKeyPolicy.Statement[0]] }, {}, 'implicit-deny'],
  ] as const)('%s → %s', (_n, policy, over, want) => {
    const decisions = kmsRequests(target({ kmsKeyArn: key, ...over })).map((r) => evaluatePolicy(policy, r).decision);
    expect(decisions.includes('implicit-deny') ? 'implicit-deny' : 'allow').toBe(want);
  });

  const role = `arn:aws:iam::${ACCT}:role/CloudTrail_CloudWatchLogs_Role`;
  const lgArn = `arn:aws:logs:us-east-2:${ACCT}:log-group:log_group_name:*`;
  it.each([
    ['default trust policy', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'sts:AssumeRole' }] }, 'allow'],
    [
      'trust policy with SourceArn for this trail',
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:cloudtrail:*:${ACCT}:trail/*` } } }] },
      'allow',
    ],
    ['trust policy for ec2', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }, 'implicit-deny'],
  ] as const)('%s → %s', (_n, policy, want) => {
    expect(evaluatePolicy(policy, roleTrustRequest(target({ roleArn: role }))!).decision).toBe(want);
  });

  it('AWS documentation role policy allows both actions; a policy for another region does not', () => {
    const policyFor = (region: string) => ({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'AWSCloudTrailCreateLogStream2014110', Effect: 'Allow', Action: ['logs:CreateLogStream'], Resource: [`arn:aws:logs:${region}:${ACCT}:log-group:log_group_name:log-stream:${ACCT}_CloudTrail_${region}*`] },
        { Sid: 'AWSCloudTrailPutLogEvents20141101', Effect: 'Allow', Action: ['logs:PutLogEvents'], Resource: [`arn:aws:logs:${region}:${ACCT}:log-group:log_group_name:log-stream:${ACCT}_CloudTrail_${region}*`] },
      ],
    });
    const reqs = logsRequests(target({ roleArn: role, logGroupArn: lgArn }));
    expect(reqs.map((r) => evaluatePolicies([{ name: 'p', document: policyFor('us-east-2') }], r, { kind: 'identity' }).decision)).toEqual(['allow', 'allow']);
    expect(reqs.map((r) => evaluatePolicies([{ name: 'p', document: policyFor('us-west-2') }], r, { kind: 'identity' }).decision)).toEqual(['implicit-deny', 'implicit-deny']);
  });
});
