import { describe, expect, it } from 'vitest';
import { s3DeliveryRequests, SSE_HEADER, SSE_KMS_KEY_HEADER, type TrailTarget } from './cloudtrail-requests.js';
import { blockedKinds, describeBlocked, evaluateCloudTrailRequest, type BlockedKinds } from './request-verdict.js';
import { evaluatePolicy } from './evaluate.js';

/**
 * CloudTrail's PutObject requests with their encryption headers, judged against the bucket policies AWS
 * publishes: the recommended CloudTrail policy, "deny unencrypted uploads" (AWS Security Blog, How to
 * prevent uploads of unencrypted objects), "deny non-KMS uploads" (which breaks digest delivery:
 * digests are SSE-S3), a specific-key requirement, TLS-only denies and organization paths.
 */

const ACCT = '111111111111';
const ORG = 'o-exampleorgid';
const TRAIL = `arn:aws:cloudtrail:us-east-2:${ACCT}:trail/TrailName`;
const BUCKET = 'amzn-s3-demo-bucket';
const KEY = `arn:aws:kms:us-east-2:${ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const OTHER_KEY = `arn:aws:kms:us-east-2:${ACCT}:key/99999999-0000-0000-0000-000000000000`;
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

/** AWS's recommended bucket policy for a trail (create-s3-bucket-policy-for-cloudtrail). */
function cloudTrailGrant(paths: string[]) {
  return [
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
      Resource: paths.map((p) => `arn:aws:s3:::${BUCKET}/${p}`),
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': TRAIL } },
    },
  ];
}
const policy = (...statements: unknown[]) => ({ Version: '2012-10-17', Statement: [...cloudTrailGrant([`AWSLogs/${ACCT}/*`]), ...statements] });

// AWS Security Blog, "How to prevent uploads of unencrypted objects to Amazon S3"
const DENY_INCORRECT_HEADER = {
  Sid: 'DenyIncorrectEncryptionHeader',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:PutObject',
  Resource: `arn:aws:s3:::${BUCKET}/*`,
  Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' } },
};
const DENY_UNENCRYPTED = {
  Sid: 'DenyUnEncryptedObjectUploads',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:PutObject',
  Resource: `arn:aws:s3:::${BUCKET}/*`,
  Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } },
};
// The SSE-KMS form of the same policy (S3 user guide: require SSE-KMS for all objects)
const DENY_NON_KMS = {
  Sid: 'DenyNonKmsUploads',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:PutObject',
  Resource: `arn:aws:s3:::${BUCKET}/*`,
  Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
};
const DENY_NON_KMS_OR_AES = { ...DENY_NON_KMS, Sid: 'DenyUnlessKmsOrAes256', Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': ['aws:kms', 'AES256'] } } };
const DENY_OTHER_KEYS = {
  Sid: 'DenyOtherKeys',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:PutObject',
  Resource: `arn:aws:s3:::${BUCKET}/*`,
  Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': KEY } },
};
const DENY_INSECURE_TRANSPORT = {
  Sid: 'AllowSSLRequestsOnly',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};
const DENY_OLD_TLS = {
  Sid: 'EnforceTLSv12orHigher',
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: 's3:*',
  Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
  Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } },
};

function judge(doc: unknown, t: TrailTarget): BlockedKinds {
  const rvs = s3DeliveryRequests(t).map((request) => ({ request, verdict: evaluateCloudTrailRequest(doc, request) }));
  return blockedKinds(rvs);
}

describe('the encryption headers of each request kind', () => {
  it('log files of a trail with a KMS key carry aws:kms and the key id; digests carry AES256; the ACL check carries neither', () => {
    const [acl, log, digest] = s3DeliveryRequests(target({ kmsKeyArn: KEY }));
    expect(log!.context).toMatchObject({ [SSE_HEADER]: 'aws:kms', [SSE_KMS_KEY_HEADER]: KEY });
    expect(log!.alternatives).toBeUndefined();
    expect(digest!.context[SSE_HEADER]).toBe('AES256');
    expect(digest!.context[SSE_KMS_KEY_HEADER]).toBeUndefined();
    expect(acl!.context[SSE_HEADER]).toBeUndefined();
  });

  it('log files of a trail without a key: the header is undocumented, so both possibilities are carried', () => {
    const [, log, digest] = s3DeliveryRequests(target());
    expect(log!.context[SSE_HEADER]).toBeUndefined();
    expect(log!.alternatives!.map((a) => a.context[SSE_HEADER])).toEqual([null, 'AES256']);
    expect(digest!.alternatives).toBeUndefined();
  });
});

describe('verdicts per request kind for AWS-published bucket policies', () => {
  const cases: { name: string; doc: unknown; t: Partial<TrailTarget>; expected: BlockedKinds }[] = [
    { name: 'recommended policy, trail with a key', doc: policy(), t: { kmsKeyArn: KEY }, expected: { aclCheck: 'allowed', logFiles: 'allowed', digestFiles: 'allowed' } },
    { name: 'recommended policy, trail without a key', doc: policy(), t: {}, expected: { aclCheck: 'allowed', logFiles: 'allowed', digestFiles: 'allowed' } },
    {
      name: 'deny unencrypted uploads (AES256 only + Null), trail without a key: logs hinge on the undocumented header',
      doc: policy(DENY_INCORRECT_HEADER, DENY_UNENCRYPTED),
      t: {},
      expected: { aclCheck: 'allowed', logFiles: 'uncertain', digestFiles: 'allowed' },
    },
    {
      name: 'deny unencrypted uploads (AES256 only), trail with a key: SSE-KMS log files are refused, digests pass',
      doc: policy(DENY_INCORRECT_HEADER, DENY_UNENCRYPTED),
      t: { kmsKeyArn: KEY },
      expected: { aclCheck: 'allowed', logFiles: 'blocked', digestFiles: 'allowed' },
    },
    {
      name: 'deny non-KMS uploads, trail with a key: digests (SSE-S3) are refused, logs pass',
      doc: policy(DENY_NON_KMS),
      t: { kmsKeyArn: KEY },
      expected: { aclCheck: 'allowed', logFiles: 'allowed', digestFiles: 'blocked' },
    },
    {
      name: 'deny non-KMS uploads, trail with a key, validation off: nothing CloudTrail sends is refused',
      doc: policy(DENY_NON_KMS),
      t: { kmsKeyArn: KEY, logFileValidationEnabled: false },
      expected: { aclCheck: 'allowed', logFiles: 'allowed', digestFiles: 'not-made' },
    },
    {
      name: 'deny non-KMS uploads, trail without a key: logs refused whichever header is sent, digests refused',
      doc: policy(DENY_NON_KMS),
      t: {},
      expected: { aclCheck: 'allowed', logFiles: 'blocked', digestFiles: 'blocked' },
    },
    {
      name: "deny unless aws:kms or AES256 (AWS's advice for digests), trail with a key: everything passes",
      doc: policy(DENY_NON_KMS_OR_AES),
      t: { kmsKeyArn: KEY },
      expected: { aclCheck: 'allowed', logFiles: 'allowed', digestFiles: 'allowed' },
    },
    {
      name: 'deny unless aws:kms or AES256, trail without a key: logs hinge on the undocumented header',
      doc: policy(DENY_NON_KMS_OR_AES),
      t: {},
      expected: { aclCheck: 'allowed', logFiles: 'uncertain', digestFiles: 'allowed' },
    },
    {
      name: 'deny other KMS keys, trail with that key: digests carry no key id and are refused',
      doc: policy(DENY_OTHER_KEYS),
      t: { kmsKeyArn: KEY },
      expected: { aclCheck: 'allowed', logFiles: 'allowed', digestFiles: 'blocked' },
    },
    {
      name: 'deny other KMS keys, trail with another key: log files refused',
      doc: policy(DENY_OTHER_KEYS),
      t: { kmsKeyArn: OTHER_KEY, logFileValidationEnabled: false },
      expected: { aclCheck: 'allowed', logFiles: 'blocked', digestFiles: 'not-made' },
    },
    {
      name: 'TLS-only deny (aws:SecureTransport false): CloudTrail writes over TLS',
      doc: policy(DENY_INSECURE_TRANSPORT),
      t: { kmsKeyArn: KEY },
      expected: { aclCheck: 'allowed', logFiles: 'allowed', digestFiles: 'allowed' },
    },
    {
      name: 'TLS version deny (s3:TlsVersion < 1.2) does not apply',
      doc: policy(DENY_OLD_TLS),
      t: {},
      expected: { aclCheck: 'allowed', logFiles: 'allowed', digestFiles: 'allowed' },
    },
    {
      name: 'organization trail, the AWS organization policy (AWSLogs/o-id/*) with deny non-KMS: org-path digests refused',
      doc: { Version: '2012-10-17', Statement: [...cloudTrailGrant([`AWSLogs/${ACCT}/*`, `AWSLogs/${ORG}/*`]), DENY_NON_KMS] },
      t: { isOrganizationTrail: true, orgId: ORG, kmsKeyArn: KEY },
      expected: { aclCheck: 'allowed', logFiles: 'allowed', digestFiles: 'blocked' },
    },
    {
      name: 'organization trail granted only the account path: org-path writes are refused',
      doc: policy(),
      t: { isOrganizationTrail: true, orgId: ORG, kmsKeyArn: KEY },
      expected: { aclCheck: 'allowed', logFiles: 'blocked', digestFiles: 'blocked' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(judge(c.doc, target(c.t))).toEqual(c.expected);
    });
  }
});

describe('evaluateCloudTrailRequest', () => {
  it('an undocumented header that changes the verdict: the denying verdict, uncertain, with a note naming both outcomes', () => {
    const [, log] = s3DeliveryRequests(target());
    const v = evaluateCloudTrailRequest(policy(DENY_UNENCRYPTED), log!);
    expect(v.decision).toBe('explicit-deny');
    expect(v.uncertain).toBe(true);
    expect(v.deniedBy.map((d) => d.sid)).toEqual(['DenyUnEncryptedObjectUploads']);
    expect(v.notes.join('\n')).toMatch(/no x-amz-server-side-encryption header .* → explicit-deny; x-amz-server-side-encryption: AES256 → allow/);
  });

  it('alternatives that agree give a certain verdict', () => {
    const [, log] = s3DeliveryRequests(target());
    const v = evaluateCloudTrailRequest(policy(DENY_NON_KMS), log!);
    expect(v).toMatchObject({ decision: 'explicit-deny', uncertain: false });
  });

  it('without alternatives it is evaluatePolicy', () => {
    const [, log] = s3DeliveryRequests(target({ kmsKeyArn: KEY }));
    expect(evaluateCloudTrailRequest(policy(DENY_NON_KMS), log!)).toEqual(evaluatePolicy(policy(DENY_NON_KMS), log!));
  });

  it('a header removed by an alternative is removed in any spelling', () => {
    const [, log] = s3DeliveryRequests(target());
    const req = { ...log!, context: { ...log!.context, 'S3:X-Amz-Server-Side-Encryption': 'aws:kms' } };
    // with the header forced to aws:kms in another case, the "absent" alternative still removes it
    const v = evaluateCloudTrailRequest(policy(DENY_UNENCRYPTED), req);
    expect(v.uncertain).toBe(true);
  });
});

describe('describeBlocked', () => {
  it('names the kinds and says when log files still get through', () => {
    expect(describeBlocked({ aclCheck: 'allowed', logFiles: 'allowed', digestFiles: 'blocked' })).toBe('digest files — log files are still written');
    expect(describeBlocked({ aclCheck: 'allowed', logFiles: 'blocked', digestFiles: 'blocked' })).toBe('log files and digest files');
    expect(describeBlocked({ aclCheck: 'allowed', logFiles: 'uncertain', digestFiles: 'allowed' })).toBe('log files (uncertain)');
    expect(describeBlocked({ aclCheck: 'allowed', logFiles: 'allowed', digestFiles: 'not-made' })).toBeUndefined();
  });
});
