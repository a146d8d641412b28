import { describe, expect, it } from 'vitest';
import { MAX_POLICY_CHARS, decodePolicyText, parsePolicy, policyObject } from './parse.js';

describe('parsePolicy', () => {
  it('normalises single values to lists and keeps Sid, Version, Id', () => {
    const r = parsePolicy({ Version: '2012-10-17', Id: 'x', Statement: { Sid: 'A', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/*' } });
    expect(r).toEqual({
      ok: true,
      policy: {
        version: '2012-10-17',
        id: 'x',
        statements: [{ index: 0, sid: 'A', effect: 'Allow', principal: { Service: ['cloudtrail.amazonaws.com'] }, action: ['s3:PutObject'], resource: ['arn:aws:s3:::b/*'] }],
      },
    });
  });

  it('condition values: scalars, numbers and booleans become strings', () => {
    const r = parsePolicy({ Statement: [{ Effect: 'Deny', Principal: '*', Action: '*', Condition: { Bool: { 'aws:SecureTransport': false }, NumericLessThan: { 's3:TlsVersion': [1.2] } } }] });
    expect(r.ok && r.policy.statements[0]!.condition).toEqual({ Bool: { 'aws:SecureTransport': ['false'] }, NumericLessThan: { 's3:TlsVersion': ['1.2'] } });
  });

  it.each([
    [{ Statement: [{ Effect: 'Allow', Principal: 'cloudtrail.amazonaws.com', Action: '*' }] }, /Principal must be/],
    [{ Statement: [{ Effect: 'Allow', Principal: '*' }] }, /no Action or NotAction/],
    [{ Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', NotAction: 's3:*' }] }, /both Action and NotAction/],
    [{ Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*', NotResource: 'x' }] }, /both Resource and NotResource/],
    [{ Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Condition: 'x' }] }, /Condition must be an object/],
    [{ Statement: ['nope'] }, /not an object/],
  ])('marks malformed statements invalid: %j', (doc, why) => {
    const r = parsePolicy(doc);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.policy.statements[0]!.invalid).toMatch(why);
  });

  it('refuses oversized documents and decodes IAM URL-encoding only when it starts with %', () => {
    expect(parsePolicy('x'.repeat(MAX_POLICY_CHARS + 1))).toMatchObject({ ok: false, error: expect.stringMatching(/larger/) });
    expect(decodePolicyText('%7B%22a%22%3A1%7D')).toBe('{"a":1}');
    expect(decodePolicyText('{"a":"50%"}')).toBe('{"a":"50%"}');
    expect(decodePolicyText('%E0%A4%A')).toBe('%E0%A4%A');
  });

  it('policyObject clones (editing it never changes the input) and tolerates garbage', () => {
    const input = { Statement: [] as unknown[] };
    const copy = policyObject(input)!;
    (copy.Statement as unknown[]).push(1);
    expect(input.Statement).toEqual([]);
    expect(policyObject('{')).toBeUndefined();
  });
});
