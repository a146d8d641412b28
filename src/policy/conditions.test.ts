import { describe, expect, it } from 'vitest';
import { evaluateConditions, normalizeContext, parseOperator, substituteVariables } from './conditions.js';
import { arnMatch, ipInCidr, wildcardMatch } from './match.js';
import type { ContextValue } from './types.js';

const TRAIL = 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/main';

interface Row {
  op: string;
  key?: string;
  values: string | string[];
  ctx: Record<string, ContextValue>;
  expect: boolean;
}

function check(rows: Row[]) {
  it.each(rows.map((r) => ({ ...r, label: `${r.op} ${JSON.stringify(r.values)} vs ${JSON.stringify(r.ctx)}` })))('$label → $expect', (r) => {
    const key = r.key ?? 'k';
    const block = { [r.op]: { [key]: Array.isArray(r.values) ? r.values : [r.values] } };
    expect(evaluateConditions(block, normalizeContext(r.ctx)).matched).toBe(r.expect);
  });
}

describe('String operators', () => {
  check([
    { op: 'StringEquals', values: 'a', ctx: { k: 'a' }, expect: true },
    { op: 'StringEquals', values: 'a', ctx: { k: 'A' }, expect: false },
    { op: 'StringEquals', values: ['x', 'a'], ctx: { k: 'a' }, expect: true },
    { op: 'StringEquals', values: 'a', ctx: {}, expect: false },
    { op: 'StringEquals', values: 'a*', ctx: { k: 'ab' }, expect: false },
    { op: 'StringNotEquals', values: 'a', ctx: { k: 'b' }, expect: true },
    { op: 'StringNotEquals', values: ['a', 'b'], ctx: { k: 'b' }, expect: false },
    { op: 'StringNotEquals', values: 'a', ctx: {}, expect: true },
    { op: 'StringEqualsIgnoreCase', values: 'Bucket-Owner-Full-Control', ctx: { k: 'bucket-owner-full-control' }, expect: true },
    { op: 'StringNotEqualsIgnoreCase', values: 'ABC', ctx: { k: 'abc' }, expect: false },
    { op: 'StringNotEqualsIgnoreCase', values: 'ABC', ctx: {}, expect: true },
    { op: 'StringLike', values: 'arn:aws:cloudtrail:*:111122223333:trail/*', ctx: { k: TRAIL }, expect: true },
    { op: 'StringLike', values: 'arn:aws:cloudtrail:*:999999999999:trail/*', ctx: { k: TRAIL }, expect: false },
    { op: 'StringLike', values: 'ma?n', ctx: { k: 'main' }, expect: true },
    { op: 'StringLike', values: 'x', ctx: {}, expect: false },
    { op: 'StringNotLike', values: '*:trail/main', ctx: { k: TRAIL }, expect: false },
    { op: 'StringNotLike', values: '*:trail/other', ctx: { k: TRAIL }, expect: true },
    { op: 'StringNotLike', values: 'x', ctx: {}, expect: true },
    { op: 'StringEqualsIfExists', values: 'a', ctx: {}, expect: true },
    { op: 'StringEqualsIfExists', values: 'a', ctx: { k: 'b' }, expect: false },
    { op: 'StringNotEqualsIfExists', values: 'a', ctx: { k: 'a' }, expect: false },
    { op: 'StringLikeIfExists', values: 'a*', ctx: { k: 'abc' }, expect: true },
  ]);
});

describe('Arn operators', () => {
  check([
    { op: 'ArnEquals', values: TRAIL, ctx: { k: TRAIL }, expect: true },
    { op: 'ArnLike', values: 'arn:aws:cloudtrail:*:111122223333:trail/*', ctx: { k: TRAIL }, expect: true },
    { op: 'ArnLike', values: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/*', ctx: { k: TRAIL }, expect: false },
    { op: 'ArnEquals', values: 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/other', ctx: { k: TRAIL }, expect: false },
    { op: 'ArnLike', values: TRAIL, ctx: { k: 'not-an-arn' }, expect: false },
    { op: 'ArnNotEquals', values: TRAIL, ctx: { k: TRAIL }, expect: false },
    { op: 'ArnNotLike', values: 'arn:aws:cloudtrail:*:999999999999:*', ctx: { k: TRAIL }, expect: true },
    { op: 'ArnNotLike', values: 'arn:*', ctx: {}, expect: true },
    { op: 'ArnLike', values: 'arn:*', ctx: {}, expect: false },
    { op: 'ArnLikeIfExists', values: 'arn:aws:iam::1:role/x', ctx: {}, expect: true },
  ]);
});

describe('Bool and Null', () => {
  check([
    { op: 'Bool', values: 'true', ctx: { k: true }, expect: true },
    { op: 'Bool', values: 'false', ctx: { k: true }, expect: false },
    { op: 'Bool', values: 'TRUE', ctx: { k: 'true' }, expect: true },
    { op: 'Bool', values: 'false', ctx: {}, expect: false },
    { op: 'BoolIfExists', values: 'false', ctx: {}, expect: true },
    { op: 'Null', values: 'true', ctx: {}, expect: true },
    { op: 'Null', values: 'true', ctx: { k: 'x' }, expect: false },
    { op: 'Null', values: 'false', ctx: { k: 'x' }, expect: true },
    { op: 'Null', values: 'false', ctx: {}, expect: false },
  ]);
});

describe('IpAddress', () => {
  check([
    { op: 'IpAddress', values: '203.0.113.0/24', ctx: { k: '203.0.113.7' }, expect: true },
    { op: 'IpAddress', values: '203.0.113.0/24', ctx: { k: '198.51.100.1' }, expect: false },
    { op: 'IpAddress', values: '203.0.113.7', ctx: { k: '203.0.113.7' }, expect: true },
    { op: 'IpAddress', values: '2001:db8::/32', ctx: { k: '2001:db8:1::5' }, expect: true },
    { op: 'IpAddress', values: '2001:db8::/32', ctx: { k: '2001:db9::5' }, expect: false },
    { op: 'IpAddress', values: '203.0.113.0/24', ctx: {}, expect: false },
    { op: 'NotIpAddress', values: '203.0.113.0/24', ctx: { k: '198.51.100.1' }, expect: true },
    { op: 'NotIpAddress', values: '203.0.113.0/24', ctx: { k: '203.0.113.1' }, expect: false },
    { op: 'NotIpAddress', values: '203.0.113.0/24', ctx: {}, expect: true },
    { op: 'IpAddress', values: 'garbage', ctx: { k: '203.0.113.1' }, expect: false },
  ]);
});

describe('Numeric and Date', () => {
  check([
    { op: 'NumericEquals', values: '5', ctx: { k: 5 }, expect: true },
    { op: 'NumericNotEquals', values: '5', ctx: { k: 6 }, expect: true },
    { op: 'NumericLessThan', values: '1.2', ctx: { k: '1.0' }, expect: true },
    { op: 'NumericLessThan', values: '1.2', ctx: { k: '1.2' }, expect: false },
    { op: 'NumericLessThanEquals', values: '1.2', ctx: { k: '1.2' }, expect: true },
    { op: 'NumericGreaterThan', values: '10', ctx: { k: '11' }, expect: true },
    { op: 'NumericGreaterThanEquals', values: '10', ctx: { k: '9' }, expect: false },
    { op: 'NumericLessThan', values: '1.2', ctx: {}, expect: false },
    { op: 'NumericLessThan', values: 'abc', ctx: { k: '1' }, expect: false },
    { op: 'DateLessThan', values: '2026-12-01T00:00:00Z', ctx: { k: '2026-11-24T04:00:00Z' }, expect: true },
    { op: 'DateGreaterThan', values: '2026-12-01T00:00:00Z', ctx: { k: '2026-11-24T04:00:00Z' }, expect: false },
    { op: 'DateEquals', values: '1764000000', ctx: { k: new Date(1764000000 * 1000).toISOString() }, expect: true },
    { op: 'DateNotEquals', values: '2026-01-01T00:00:00Z', ctx: {}, expect: true },
    { op: 'DateGreaterThanEqualsIfExists', values: '2026-01-01T00:00:00Z', ctx: {}, expect: true },
  ]);
});

describe('set operators', () => {
  check([
    { op: 'ForAnyValue:StringEquals', values: ['a', 'b'], ctx: { k: ['x', 'b'] }, expect: true },
    { op: 'ForAnyValue:StringEquals', values: ['a'], ctx: { k: ['x', 'y'] }, expect: false },
    { op: 'ForAnyValue:StringEquals', values: ['a'], ctx: {}, expect: false },
    { op: 'ForAnyValue:StringEqualsIfExists', values: ['a'], ctx: {}, expect: true },
    { op: 'ForAllValues:StringEquals', values: ['a', 'b'], ctx: { k: ['a', 'b'] }, expect: true },
    { op: 'ForAllValues:StringEquals', values: ['a', 'b'], ctx: { k: ['a', 'c'] }, expect: false },
    { op: 'ForAllValues:StringEquals', values: ['a'], ctx: {}, expect: true },
    { op: 'ForAllValues:StringLike', values: ['aws:*'], ctx: { k: ['aws:cloudtrail:arn', 'aws:s3:arn'] }, expect: true },
    { op: 'ForAnyValue:StringNotEquals', values: ['a'], ctx: { k: ['a', 'b'] }, expect: true },
    { op: 'ForAllValues:StringNotEquals', values: ['a'], ctx: { k: ['a', 'b'] }, expect: false },
  ]);
});

describe('condition block semantics', () => {
  it('keys are case-insensitive', () => {
    const ctx = normalizeContext({ 'AWS:SourceArn': TRAIL });
    expect(evaluateConditions({ StringEquals: { 'aws:sourcearn': [TRAIL] } }, ctx).matched).toBe(true);
  });
  it('all keys and operators must hold (AND), and the failing one is named', () => {
    const ctx = normalizeContext({ 'aws:SourceArn': TRAIL, 's3:x-amz-acl': 'private' });
    const r = evaluateConditions({ StringEquals: { 'aws:SourceArn': [TRAIL], 's3:x-amz-acl': ['bucket-owner-full-control'] } }, ctx);
    expect(r).toMatchObject({ matched: false, key: 's3:x-amz-acl', operator: 'StringEquals' });
    expect(r.why).toMatch(/private/);
  });
  it('policy variables in values', () => {
    const ctx = normalizeContext({ 'aws:SourceAccount': '111122223333', 'aws:SourceArn': TRAIL });
    expect(evaluateConditions({ StringLike: { 'aws:SourceArn': ['arn:aws:cloudtrail:*:${aws:SourceAccount}:trail/*'] } }, ctx).matched).toBe(true);
    expect(substituteVariables('a/${aws:missing}', ctx)).toBeUndefined();
    expect(substituteVariables("a/${aws:missing, 'dflt'}", ctx)).toBe('a/dflt');
    expect(substituteVariables('${*}', ctx)).toBe('*');
  });
  it('unknown operators are reported, not thrown', () => {
    const r = evaluateConditions({ StringEqualsMaybe: { k: ['a'] } }, normalizeContext({ k: 'a' }));
    expect(r).toMatchObject({ matched: false, unknownOperator: true });
    expect(parseOperator('NullIfExists')).toBeUndefined();
    expect(parseOperator('ForAllValues:ArnLikeIfExists')).toMatchObject({ set: 'all', ifExists: true, base: 'arnlike' });
  });
});

describe('match primitives', () => {
  it.each([
    ['a*c', 'abbbc', false, true],
    ['a*c', 'ab/b:c', false, true],
    ['a.c', 'abc', false, false],
    ['a(b)+', 'a(b)+', false, true],
    ['S3:Get*', 's3:getobject', true, true],
    ['S3:Get*', 's3:getobject', false, false],
  ])('wildcardMatch(%s, %s, ci=%s) → %s', (p, v, ci, want) => expect(wildcardMatch(p, v, ci)).toBe(want));
  it('arnMatch compares component by component', () => {
    expect(arnMatch('arn:aws:iam::*:role/*', 'arn:aws:iam::123456789012:role/x')).toBe(true);
    expect(arnMatch('arn:aws:iam::*:role/*', 'arn:aws:sts::123456789012:role/x')).toBe(false);
  });
  it('ipInCidr rejects mixed families and bad prefixes', () => {
    expect(ipInCidr('2001:db8::1', '10.0.0.0/8')).toBe(false);
    expect(ipInCidr('10.1.2.3', '10.0.0.0/33')).toBe(false);
    expect(ipInCidr('10.1.2.3', '0.0.0.0/0')).toBe(true);
  });
});
