import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { GetTrailCommand } from '@aws-sdk/client-cloudtrail';
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetBucketRequestPaymentCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { DescribeKeyCommand, GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import { awsError, fakeAws, healthyTrail, regionOf, runFakePlan, BUCKET } from '../../test/support/aws-fakes.js';
import { lifecycleRuleOf, regionOfConstraint } from './step4-bucket.js';

const fake = fakeAws();
afterAll(() => fake.restore());
beforeEach(() => fake.install());

const KEY = 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('step 4: the bucket', () => {
  it('reads every configuration of a healthy bucket', async () => {
    const { outputs } = await runFakePlan(fake);
    const s4 = outputs.s4;
    expect(s4.bucket).toBe(BUCKET);
    expect(s4.head).toEqual({ status: 'ok', value: { region: 'eu-west-1' } });
    expect(s4.location).toEqual({ status: 'ok', value: { region: 'eu-west-1' } });
    expect(JSON.parse(s4.policy.value!).Statement).toHaveLength(2);
    expect(s4.encryption.value).toEqual({ algorithm: 'AES256', bucketKeyEnabled: false });
    expect(s4.kmsKey.status).toBe('skipped');
    expect(s4.kmsKeySource).toBeUndefined();
    expect(s4.ownership.value).toEqual({ objectOwnership: 'BucketOwnerEnforced' });
    expect(s4.objectLock.status).toBe('absent');
    expect(s4.lifecycle.status).toBe('absent');
    expect(s4.requestPayment.value).toEqual({ payer: 'BucketOwner' });
    // HeadBucket named the region: GetBucketLocation is not needed.
    expect(fake.s3.commandCalls(GetBucketLocationCommand)).toHaveLength(0);
  });

  it('HeadBucket 404: absent, the rest skipped, the listing skipped (the early reads are dropped)', async () => {
    fake.s3.on(HeadBucketCommand).rejects(awsError('NotFound', 404));
    fake.s3.on(GetBucketPolicyCommand).rejects(awsError('NoSuchBucket', 404));
    fake.s3.on(ListObjectsV2Command).rejects(awsError('NoSuchBucket', 404));
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s4.head).toMatchObject({ status: 'absent', errorCode: 'NoSuchBucket' });
    expect(outputs.s4.policy).toMatchObject({ status: 'skipped', reason: 'bucket does not exist' });
    expect(outputs.s6.listing).toMatchObject({ status: 'skipped', reason: 'bucket does not exist' });
    // Sent with HeadBucket, once, and never again once it said there is no bucket.
    expect(fake.s3.commandCalls(GetBucketPolicyCommand)).toHaveLength(1);
    expect(fake.s3.commandCalls(ListObjectsV2Command).length).toBeLessThanOrEqual(8);
  });

  it('HeadBucket 403: denied (another account, likely), never "missing"; the region header is kept and the other reads still tried', async () => {
    fake.s3.on(HeadBucketCommand).rejects(awsError('Forbidden', 403, { $response: { statusCode: 403, headers: { 'x-amz-bucket-region': 'us-east-2' } } }));
    fake.s3.on(GetBucketPolicyCommand).rejects(awsError('AccessDenied', 403));
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s4.head).toMatchObject({ status: 'denied', needs: 's3:ListBucket', value: { region: 'us-east-2' } });
    expect(outputs.s4.head.reason).toMatch(/another account/);
    expect(outputs.s4.policy).toMatchObject({ status: 'denied', needs: 's3:GetBucketPolicy' });
    const policyCall = fake.s3.commandCalls(GetBucketPolicyCommand)[0]!;
    expect(policyCall).toBeDefined();
  });

  it('bucket in another region: the reads sent early to the home region are dropped, and every read goes where the 301 says', async () => {
    const seen: string[] = [];
    const redirect = () => awsError('PermanentRedirect', 301, { $response: { statusCode: 301, headers: { 'x-amz-bucket-region': 'ap-southeast-2' } } });
    fake.s3.on(HeadBucketCommand).callsFake(async (_i, getClient) => {
      const r = await regionOf(getClient as never);
      seen.push(`HeadBucket@${r}`);
      if (r !== 'ap-southeast-2') throw redirect();
      return { BucketRegion: 'ap-southeast-2' };
    });
    fake.s3.on(GetBucketPolicyCommand).callsFake(async (_i, getClient) => {
      const r = await regionOf(getClient as never);
      seen.push(`GetBucketPolicy@${r}`);
      if (r !== 'ap-southeast-2') throw redirect();
      return { Policy: '{"Version":"2012-10-17","Statement":[]}' };
    });
    fake.s3.on(ListObjectsV2Command).callsFake(async (_i, getClient) => {
      const r = await regionOf(getClient as never);
      seen.push(`ListObjectsV2@${r}`);
      if (r !== 'ap-southeast-2') throw redirect();
      return { Contents: [] };
    });
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s4.head.value?.region).toBe('ap-southeast-2');
    expect(outputs.s4.policy).toEqual({ status: 'ok', value: '{"Version":"2012-10-17","Statement":[]}' });
    expect(outputs.s6.listing.status).toBe('ok');
    expect(seen.filter((c) => c.startsWith('HeadBucket'))).toEqual(['HeadBucket@eu-west-1', 'HeadBucket@ap-southeast-2']);
    const resent = seen.slice(seen.indexOf('HeadBucket@ap-southeast-2') + 1);
    expect(resent).toContain('GetBucketPolicy@ap-southeast-2');
    expect(resent).toContain('ListObjectsV2@ap-southeast-2');
    expect(resent.filter((c) => !c.endsWith('@ap-southeast-2'))).toEqual([]);
    expect(seen.filter((c) => c === 'GetBucketPolicy@ap-southeast-2')).toHaveLength(1);
  });

  it('the configuration reads and the listing start with HeadBucket, not after it', async () => {
    const order: string[] = [];
    let releaseHead!: () => void;
    const headAnswered = new Promise<void>((r) => (releaseHead = r));
    fake.s3.on(HeadBucketCommand).callsFake(async () => {
      order.push('HeadBucket sent');
      await headAnswered;
      order.push('HeadBucket answered');
      return { BucketRegion: 'eu-west-1' };
    });
    fake.s3.on(GetBucketPolicyCommand).callsFake(async () => {
      order.push('GetBucketPolicy sent');
      if (order.includes('ListObjectsV2 sent')) releaseHead();
      return { Policy: '{}' };
    });
    fake.s3.on(ListObjectsV2Command).callsFake(async () => {
      if (!order.includes('ListObjectsV2 sent')) order.push('ListObjectsV2 sent');
      if (order.includes('GetBucketPolicy sent')) releaseHead();
      return { Contents: [] };
    });
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s4.policy).toEqual({ status: 'ok', value: '{}' });
    expect(order.indexOf('GetBucketPolicy sent')).toBeLessThan(order.indexOf('HeadBucket answered'));
    expect(order.indexOf('ListObjectsV2 sent')).toBeLessThan(order.indexOf('HeadBucket answered'));
  });

  it('no region header: GetBucketLocation decides ("" is us-east-1)', async () => {
    fake.s3.on(HeadBucketCommand).resolves({});
    fake.s3.on(GetBucketLocationCommand).resolves({});
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s4.location).toEqual({ status: 'ok', value: { region: 'us-east-1' } });
    expect(regionOfConstraint('EU')).toBe('eu-west-1');
  });

  it('NoSuchBucketPolicy: absent; no SSE configuration: absent; throttled: error with needs', async () => {
    fake.s3.on(GetBucketPolicyCommand).rejects(awsError('NoSuchBucketPolicy', 404));
    fake.s3.on(GetBucketEncryptionCommand).rejects(awsError('ServerSideEncryptionConfigurationNotFoundError', 404));
    fake.s3.on(GetBucketRequestPaymentCommand).rejects(awsError('SlowDown', 503));
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s4.policy).toMatchObject({ status: 'absent', errorCode: 'NoSuchBucketPolicy' });
    expect(outputs.s4.encryption.status).toBe('absent');
    expect(outputs.s4.kmsKey.status).toBe('skipped');
    expect(outputs.s4.requestPayment).toMatchObject({ status: 'error', needs: expect.stringMatching(/^a retry when the API is less busy/) });
    expect(outputs.s4.requestPayment.reason).toMatch(/throttled/);
  });

  it('bucket deleted between calls (NoSuchBucket): absent', async () => {
    fake.s3.on(GetBucketPolicyCommand).rejects(awsError('NoSuchBucket', 404));
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s4.policy).toMatchObject({ status: 'absent', errorCode: 'NoSuchBucket' });
  });

  it('Requester Pays is reported', async () => {
    fake.s3.on(GetBucketRequestPaymentCommand).resolves({ Payer: 'Requester' });
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s4.requestPayment.value).toEqual({ payer: 'Requester' });
  });

  it('SSE-KMS by bucket default: the key is read in its own region, source bucket-default', async () => {
    fake.s3.on(GetBucketEncryptionCommand).resolves({ ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY }, BucketKeyEnabled: true }] } });
    const regions: string[] = [];
    fake.kms.on(DescribeKeyCommand).callsFake(async (input: { KeyId: string }, getClient) => {
      regions.push(await regionOf(getClient as never));
      return { KeyMetadata: { KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab', Arn: input.KeyId, KeyState: 'PendingDeletion', Enabled: false, KeyManager: 'CUSTOMER', DeletionDate: new Date('2026-12-01T00:00:00Z'), AWSAccountId: '123456789012' } };
    });
    fake.kms.on(GetKeyPolicyCommand).resolves({ Policy: '{"Statement":[]}' });
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s4.kmsKeySource).toBe('bucket-default');
    expect(outputs.s4.kmsKey.value).toEqual({ keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', arn: KEY, keyState: 'PendingDeletion', enabled: false, keyManager: 'CUSTOMER', deletionDate: '2026-12-01T00:00:00Z', accountId: '123456789012' });
    expect(outputs.s4.kmsKeyPolicy.value).toBe('{"Statement":[]}');
    expect(regions).toEqual(['eu-central-1']);
    expect(fake.kms.commandCalls(GetKeyPolicyCommand)[0]!.args[0].input).toEqual({ KeyId: KEY, PolicyName: 'default' });
  });

  it('SSE-KMS by the trail KmsKeyId: source trail, read without waiting for the bucket', async () => {
    fake.ct.on(GetTrailCommand).resolves({ Trail: healthyTrail({ KmsKeyId: KEY }) });
    fake.kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', Arn: KEY, KeyState: 'Enabled', Enabled: true } });
    fake.kms.on(GetKeyPolicyCommand).rejects(awsError('AccessDeniedException'));
    const { outputs, audit } = await runFakePlan(fake);
    expect(outputs.s4.kmsKeySource).toBe('trail');
    expect(outputs.s4.kmsKey.value?.keyState).toBe('Enabled');
    expect(outputs.s4.kmsKeyPolicy).toMatchObject({ status: 'denied', needs: 'kms:GetKeyPolicy' });
    // Read alongside the bucket's configuration (GetTrail → HeadBucket → DescribeKey), not after its encryption.
    const depth = (call: string) => audit.find((a) => a.call === call)?.depth;
    expect(depth('kms:DescribeKey')).toBe(depth('s3:GetBucketEncryption'));
  });

  it('SSE-KMS with the AWS managed key (no KMSMasterKeyID): alias resolved first, then its policy', async () => {
    fake.s3.on(GetBucketEncryptionCommand).resolves({ ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] } });
    fake.kms.on(DescribeKeyCommand, { KeyId: 'alias/aws/s3' }).resolves({ KeyMetadata: { KeyId: 'm', Arn: 'arn:aws:kms:eu-west-1:123456789012:key/m', KeyState: 'Enabled', Enabled: true, KeyManager: 'AWS' } });
    fake.kms.on(GetKeyPolicyCommand).resolves({ Policy: '{}' });
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s4.kmsKey.value?.keyManager).toBe('AWS');
    expect(fake.kms.commandCalls(GetKeyPolicyCommand)[0]!.args[0].input.KeyId).toBe('arn:aws:kms:eu-west-1:123456789012:key/m');
  });

  it('a key that does not exist: absent', async () => {
    fake.ct.on(GetTrailCommand).resolves({ Trail: healthyTrail({ KmsKeyId: KEY }) });
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s4.kmsKey).toMatchObject({ status: 'absent', errorCode: 'NotFoundException' });
  });

  it('lifecycle rules: prefix, filter, expiration and transitions', async () => {
    fake.s3.on(GetBucketLifecycleConfigurationCommand).resolves({
      Rules: [
        { ID: 'expire-logs', Status: 'Enabled', Filter: { Prefix: 'AWSLogs/' }, Expiration: { Days: 30 } },
        { ID: 'archive', Status: 'Enabled', Filter: {}, Transitions: [{ Days: 90, StorageClass: 'GLACIER' }] },
        { ID: 'old', Status: 'Disabled', Prefix: 'x/', Expiration: { Date: new Date('2027-01-01T00:00:00Z') } },
        { ID: 'tagged', Status: 'Enabled', Filter: { And: { Prefix: 'AWSLogs/', Tags: [{ Key: 'k', Value: 'v' }] } }, NoncurrentVersionExpiration: { NoncurrentDays: 7 } },
        { ID: 'tag-only', Status: 'Enabled', Filter: { Tag: { Key: 'a', Value: 'b' } }, Expiration: { Days: 1 } },
      ],
    });
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s4.lifecycle.value).toEqual([
      { id: 'expire-logs', status: 'Enabled', prefix: 'AWSLogs/', expirationDays: 30 },
      { id: 'archive', status: 'Enabled', prefix: '', transitions: [{ days: 90, storageClass: 'GLACIER' }] },
      { id: 'old', status: 'Disabled', prefix: 'x/', expirationDate: '2027-01-01T00:00:00Z' },
      { id: 'tagged', status: 'Enabled', prefix: 'AWSLogs/', filterDescription: 'prefix AWSLogs/; tags k=v', noncurrentExpirationDays: 7 },
      { id: 'tag-only', status: 'Enabled', filterDescription: 'tag a=b', expirationDays: 1 },
    ]);
    expect(lifecycleRuleOf({ Status: 'Enabled' }).prefix).toBe('');
  });
});
