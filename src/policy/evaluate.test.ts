import { describe, expect, it } from 'vitest';
import { evaluatePolicies, evaluatePolicy, explainVerdict } from './evaluate.js';
import type { Decision, PolicyRequest, RequestPrincipal } from './types.js';

const CT: RequestPrincipal = { type: 'Service', id: 'cloudtrail.amazonaws.com' };
const BOB: RequestPrincipal = { type: 'AWS', arn: 'arn:aws:iam::111122223333:user/bob', accountId: '111122223333' };
const OBJ = 'arn:aws:s3:::acme-logs/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/24/x.json.gz';

const req = (over: Partial<PolicyRequest> = {}): PolicyRequest => ({
  principal: CT,
  action: 's3:PutObject',
  resource: OBJ,
  context: {},
  ...over,
});
const allow = (st: Record<string, unknown>) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: '*', Principal: '*', ...st }] });

interface Row {
  name: string;
  statement: Record<string, unknown>;
  request?: Partial<PolicyRequest>;
  expect: Decision;
}

function runTable(rows: Row[]) {
  it.each(rows)('$name → $expect', (row) => {
    const v = evaluatePolicy(allow(row.statement), req(row.request));
    expect(v.decision).toBe(row.expect);
  });
}

describe('principals', () => {
  runTable([
    { name: '"*" matches a service', statement: { Principal: '*' }, expect: 'allow' },
    { name: '{"AWS":"*"} matches a service', statement: { Principal: { AWS: '*' } }, expect: 'allow' },
    { name: 'Service matches', statement: { Principal: { Service: 'cloudtrail.amazonaws.com' } }, expect: 'allow' },
    { name: 'Service list matches', statement: { Principal: { Service: ['config.amazonaws.com', 'cloudtrail.amazonaws.com'] } }, expect: 'allow' },
    { name: 'Service case-insensitive', statement: { Principal: { Service: 'CloudTrail.amazonaws.com' } }, expect: 'allow' },
    { name: 'other Service does not match', statement: { Principal: { Service: 'config.amazonaws.com' } }, expect: 'implicit-deny' },
    { name: 'account principal does not name a service', statement: { Principal: { AWS: '111122223333' } }, expect: 'implicit-deny' },
    { name: 'account id matches a user of the account', statement: { Principal: { AWS: '111122223333' } }, request: { principal: BOB }, expect: 'allow' },
    { name: 'root ARN matches a user of the account', statement: { Principal: { AWS: 'arn:aws:iam::111122223333:root' } }, request: { principal: BOB }, expect: 'allow' },
    { name: 'root ARN of another account', statement: { Principal: { AWS: 'arn:aws:iam::999999999999:root' } }, request: { principal: BOB }, expect: 'implicit-deny' },
    { name: 'exact user ARN', statement: { Principal: { AWS: ['arn:aws:iam::111122223333:user/bob'] } }, request: { principal: BOB }, expect: 'allow' },
    { name: 'other user ARN', statement: { Principal: { AWS: 'arn:aws:iam::111122223333:user/alice' } }, request: { principal: BOB }, expect: 'implicit-deny' },
    { name: 'Service principal does not match a user', statement: { Principal: { Service: 'cloudtrail.amazonaws.com' } }, request: { principal: BOB }, expect: 'implicit-deny' },
    { name: 'NotPrincipal excluding another service applies', statement: { Principal: undefined, NotPrincipal: { Service: 'config.amazonaws.com' } }, expect: 'allow' },
    { name: 'NotPrincipal naming the requester does not apply', statement: { Principal: undefined, NotPrincipal: { Service: 'cloudtrail.amazonaws.com' } }, expect: 'implicit-deny' },
    { name: 'no Principal in a resource policy never applies', statement: { Principal: undefined }, expect: 'implicit-deny' },
  ]);

  it('ignores Principal in identity policies', () => {
    const v = evaluatePolicy({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:PutObject', Resource: '*' } }, req({ principal: BOB }), { kind: 'identity' });
    expect(v.decision).toBe('allow');
  });
});

describe('actions', () => {
  runTable([
    { name: 'exact', statement: { Action: 's3:PutObject' }, expect: 'allow' },
    { name: 'case-insensitive', statement: { Action: 'S3:putobject' }, expect: 'allow' },
    { name: 'service wildcard', statement: { Action: 's3:*' }, expect: 'allow' },
    { name: 'star', statement: { Action: '*' }, expect: 'allow' },
    { name: 'prefix wildcard', statement: { Action: 's3:Put*' }, expect: 'allow' },
    { name: 'question mark', statement: { Action: 's3:PutObjec?' }, expect: 'allow' },
    { name: 'other action', statement: { Action: 's3:GetObject' }, expect: 'implicit-deny' },
    { name: 'list with match', statement: { Action: ['s3:GetBucketAcl', 's3:PutObject'] }, expect: 'allow' },
    { name: 'other service', statement: { Action: 'kms:*' }, expect: 'implicit-deny' },
    { name: 'NotAction excluding other', statement: { Action: undefined, NotAction: 's3:GetObject' }, expect: 'allow' },
    { name: 'NotAction excluding it', statement: { Action: undefined, NotAction: 's3:Put*' }, expect: 'implicit-deny' },
    { name: 'GenerateDataKey* matches GenerateDataKey', statement: { Action: 'kms:GenerateDataKey*' }, request: { action: 'kms:GenerateDataKey' }, expect: 'allow' },
  ]);
});

describe('resources', () => {
  runTable([
    { name: 'exact', statement: { Resource: OBJ }, expect: 'allow' },
    { name: 'prefix wildcard', statement: { Resource: 'arn:aws:s3:::acme-logs/AWSLogs/111122223333/*' }, expect: 'allow' },
    { name: 'star spans slashes', statement: { Resource: 'arn:aws:s3:::acme-logs/*' }, expect: 'allow' },
    { name: 'case-sensitive', statement: { Resource: 'arn:aws:s3:::ACME-logs/*' }, expect: 'implicit-deny' },
    { name: 'old prefix does not match', statement: { Resource: 'arn:aws:s3:::acme-logs/old/AWSLogs/111122223333/*' }, expect: 'implicit-deny' },
    { name: 'other account path', statement: { Resource: 'arn:aws:s3:::acme-logs/AWSLogs/999999999999/*' }, expect: 'implicit-deny' },
    { name: 'bucket ARN alone does not cover objects', statement: { Resource: 'arn:aws:s3:::acme-logs' }, expect: 'implicit-deny' },
    { name: 'question mark wildcard', statement: { Resource: 'arn:aws:s3:::acme-log?/*' }, expect: 'allow' },
    { name: 'list', statement: { Resource: ['arn:aws:s3:::x/*', 'arn:aws:s3:::acme-logs/*'] }, expect: 'allow' },
    { name: 'NotResource excluding other', statement: { Resource: undefined, NotResource: 'arn:aws:s3:::other/*' }, expect: 'allow' },
    { name: 'NotResource excluding it', statement: { Resource: undefined, NotResource: 'arn:aws:s3:::acme-logs/*' }, expect: 'implicit-deny' },
    { name: 'no Resource (trust policy) applies', statement: { Resource: undefined }, expect: 'allow' },
    {
      name: 'policy variable resolves',
      statement: { Resource: 'arn:aws:s3:::acme-logs/AWSLogs/${aws:SourceAccount}/*' },
      request: { context: { 'aws:SourceAccount': '111122223333' } },
      expect: 'allow',
    },
    { name: 'policy variable unresolved does not match', statement: { Resource: 'arn:aws:s3:::acme-logs/AWSLogs/${aws:SourceAccount}/*' }, expect: 'implicit-deny' },
  ]);

  it('flags an unresolved policy variable as uncertain', () => {
    const v = evaluatePolicy(allow({ Resource: 'arn:aws:s3:::acme-logs/AWSLogs/${aws:SourceAccount}/*' }), req());
    expect(v.uncertain).toBe(true);
    expect(v.notes.join()).toMatch(/policy variable/);
  });
  it('does not substitute variables in Version 2008-10-17 documents', () => {
    const doc = { Version: '2008-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: 'arn:aws:s3:::acme-logs/AWSLogs/${aws:SourceAccount}/*' }] };
    expect(evaluatePolicy(doc, req({ context: { 'aws:SourceAccount': '111122223333' } })).decision).toBe('implicit-deny');
  });
});

describe('deny precedence and verdict contents', () => {
  const doc = {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Write', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:PutObject', Resource: 'arn:aws:s3:::acme-logs/*' },
      { Sid: 'All', Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' },
      { Sid: 'DenyInsecure', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      { Sid: 'DenyOutsideVpc', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: '*', Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } } },
      { Sid: 'Read', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' },
    ],
  };
  it('explicit deny wins over allows and names every applying statement', () => {
    const v = evaluatePolicy(doc, req({ context: { 'aws:SecureTransport': true } }));
    expect(v.decision).toBe('explicit-deny');
    expect(v.allowedBy.map((r) => r.sid)).toEqual(['Write', 'All']);
    expect(v.deniedBy).toEqual([{ index: 3, sid: 'DenyOutsideVpc', effect: 'Deny' }]);
    const na = Object.fromEntries(v.notApplicable.map((n) => [n.ref.sid, n]));
    expect(na.DenyInsecure?.reason).toBe('condition');
    expect(na.DenyInsecure?.conditionKey).toBe('aws:SecureTransport');
    expect(na.Read?.reason).toBe('action');
    expect(explainVerdict(v)).toContain('DenyOutsideVpc');
  });
  it('deny whose condition does not hold lets the allow through', () => {
    const v = evaluatePolicy(doc, req({ context: { 'aws:SecureTransport': true, 'aws:SourceVpce': 'vpce-1' } }));
    expect(v.decision).toBe('allow');
    expect(v.deniedBy).toEqual([]);
  });
  it('deny without matching allow is still explicit', () => {
    const v = evaluatePolicy({ Statement: [{ Effect: 'Deny', Principal: '*', Action: '*', Resource: '*' }] }, req());
    expect(v.decision).toBe('explicit-deny');
  });
  it('nothing applies: implicit deny with reasons', () => {
    const v = evaluatePolicy({ Statement: [{ Sid: 'X', Effect: 'Allow', Principal: { Service: 'config.amazonaws.com' }, Action: '*', Resource: '*' }] }, req());
    expect(v.decision).toBe('implicit-deny');
    expect(v.notApplicable[0]).toMatchObject({ reason: 'principal', ref: { sid: 'X', index: 0 } });
    expect(explainVerdict(v)).toMatch(/implicit deny/);
  });
  it('NotPrincipal with Deny denies everyone else', () => {
    const d = { Statement: [{ Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: '*', Resource: '*' }] };
    expect(evaluatePolicy(d, req()).decision).toBe('explicit-deny');
    expect(evaluatePolicy(d, req({ principal: BOB })).decision).toBe('implicit-deny');
  });
  it('NotAction Deny blocks everything but the listed actions', () => {
    const d = { Statement: [{ Effect: 'Deny', Principal: '*', NotAction: 's3:GetObject', Resource: '*' }] };
    expect(evaluatePolicy(d, req()).decision).toBe('explicit-deny');
    expect(evaluatePolicy(d, req({ action: 's3:GetObject' })).decision).toBe('implicit-deny');
  });
  it('NotResource Deny blocks writes outside the allowed path', () => {
    const d = {
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' },
        { Effect: 'Deny', Principal: '*', Action: 's3:PutObject', NotResource: 'arn:aws:s3:::acme-logs/AWSLogs/*' },
      ],
    };
    expect(evaluatePolicy(d, req()).decision).toBe('allow');
    expect(evaluatePolicy(d, req({ resource: 'arn:aws:s3:::acme-logs/other/x' })).decision).toBe('explicit-deny');
  });
});

describe('unknown operators (conservative)', () => {
  it('an Allow with an unknown operator does not apply and is noted', () => {
    const v = evaluatePolicy(allow({ Condition: { StringFancy: { 'aws:SourceArn': 'x' } } }), req());
    expect(v.decision).toBe('implicit-deny');
    expect(v.uncertain).toBe(true);
    expect(v.notes.join()).toMatch(/unknown condition operator StringFancy/);
  });
  it('a Deny with an unknown operator does not apply', () => {
    const d = {
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' },
        { Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: { Whatever: { 'aws:SourceArn': 'x' } } },
      ],
    };
    const v = evaluatePolicy(d, req());
    expect(v.decision).toBe('allow');
    expect(v.uncertain).toBe(true);
  });
  it('a known failing key makes the unknown operator irrelevant', () => {
    const v = evaluatePolicy(allow({ Condition: { Whatever: { k: 'x' }, StringEquals: { 'aws:SourceAccount': '1' } } }), req({ context: { 'aws:SourceAccount': '2' } }));
    expect(v.decision).toBe('implicit-deny');
    expect(v.uncertain).toBe(false);
  });
});

describe('malformed documents', () => {
  it.each([
    ['not JSON', '{"Statement": ['],
    ['empty', ''],
    ['array', '[]'],
    ['no Statement', '{"Version":"2012-10-17"}'],
    ['number', 42],
  ])('%s → implicit deny with error, never a throw', (_n, doc) => {
    const v = evaluatePolicy(doc, req());
    expect(v.decision).toBe('implicit-deny');
    expect(v.error).toBeTruthy();
  });
  it('a bad Effect makes only that statement invalid', () => {
    const d = { Statement: [{ Sid: 'Bad', Effect: 'Alow', Principal: '*', Action: '*', Resource: '*' }, { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] };
    const v = evaluatePolicy(d, req());
    expect(v.decision).toBe('allow');
    expect(v.notApplicable[0]).toMatchObject({ reason: 'invalid', ref: { sid: 'Bad' } });
  });
  it('accepts a URL-encoded document (IAM) and a single Statement object', () => {
    const text = encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'sts:AssumeRole' } }));
    expect(evaluatePolicy(text, req({ action: 'sts:AssumeRole', resource: 'arn:aws:iam::1:role/r' })).decision).toBe('allow');
  });
});

describe('evaluatePolicies (identity policies together)', () => {
  const res = 'arn:aws:logs:eu-west-1:111122223333:log-group:g:log-stream:111122223333_CloudTrail_eu-west-1';
  const r = req({ principal: BOB, action: 'logs:PutLogEvents', resource: res });
  it('an allow in one policy and nothing in another allows', () => {
    const v = evaluatePolicies(
      [
        { name: 'a', document: { Statement: { Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: 'arn:aws:logs:eu-west-1:111122223333:log-group:g:*' } } },
        { name: 'b', document: { Statement: { Effect: 'Allow', Action: 's3:*', Resource: '*' } } },
      ],
      r,
      { kind: 'identity' },
    );
    expect(v.decision).toBe('allow');
    expect(v.allowedBy).toEqual([{ index: 0, effect: 'Allow', policy: 'a' }]);
  });
  it('a deny in another policy wins', () => {
    const v = evaluatePolicies(
      [
        { name: 'a', document: { Statement: { Effect: 'Allow', Action: 'logs:*', Resource: '*' } } },
        { name: 'b', document: { Statement: { Sid: 'NoLogs', Effect: 'Deny', Action: 'logs:PutLogEvents', Resource: '*' } } },
      ],
      r,
      { kind: 'identity' },
    );
    expect(v.decision).toBe('explicit-deny');
    expect(v.deniedBy[0]).toMatchObject({ policy: 'b', sid: 'NoLogs' });
  });
  it('an unparseable policy with no other allow is uncertain', () => {
    const v = evaluatePolicies([{ name: 'broken', document: '{' }], r, { kind: 'identity' });
    expect(v.decision).toBe('implicit-deny');
    expect(v.uncertain).toBe(true);
    expect(v.error).toMatch(/none of the 1/);
  });
});
