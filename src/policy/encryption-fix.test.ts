import { describe, expect, it } from 'vitest';
import { widenEncryptionDeny } from './encryption-fix.js';

const deny = (condition: unknown) => ({ Sid: 'D', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/*', Condition: condition });

describe('widenEncryptionDeny', () => {
  it('adds the values to a negated string condition on the encryption header, any spelling of operator and key', () => {
    expect(widenEncryptionDeny(deny({ StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } }), ['AES256'])!.Condition).toEqual({
      StringNotEquals: { 's3:x-amz-server-side-encryption': ['aws:kms', 'AES256'] },
    });
    expect(widenEncryptionDeny(deny({ stringnotequalsifexists: { 'S3:X-Amz-Server-Side-Encryption': ['aws:kms'] } }), ['AES256'])!.Condition).toEqual({
      stringnotequalsifexists: { 'S3:X-Amz-Server-Side-Encryption': ['aws:kms', 'AES256'] },
    });
  });
  it('keeps the other keys and operators as they are', () => {
    const out = widenEncryptionDeny(deny({ StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms', 'aws:SourceVpce': 'vpce-1' }, Bool: { 'aws:SecureTransport': 'true' } }), ['AES256']);
    expect(out!.Condition).toEqual({ StringNotEquals: { 's3:x-amz-server-side-encryption': ['aws:kms', 'AES256'], 'aws:SourceVpce': 'vpce-1' }, Bool: { 'aws:SecureTransport': 'true' } });
  });
  it('nothing to widen: a Null test, an Allow, a value already accepted, no values', () => {
    expect(widenEncryptionDeny(deny({ Null: { 's3:x-amz-server-side-encryption': 'true' } }), ['AES256'])).toBeUndefined();
    expect(widenEncryptionDeny({ ...deny({ StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } }), Effect: 'Allow' }, ['AES256'])).toBeUndefined();
    expect(widenEncryptionDeny(deny({ StringNotEquals: { 's3:x-amz-server-side-encryption': ['aws:kms', 'AES256'] } }), ['AES256'])).toBeUndefined();
    expect(widenEncryptionDeny(deny({ StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } }), [])).toBeUndefined();
    expect(widenEncryptionDeny(deny(undefined), ['AES256'])).toBeUndefined();
  });
});
