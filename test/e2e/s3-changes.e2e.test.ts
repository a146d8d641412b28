import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { PutBucketPolicyCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { skipWithoutMoto, type Moto } from '../support/moto.js';
import { startMotoAccount, type MotoAccount } from '../support/moto-account.js';
import { awsJsonError, type Standin } from '../support/standin.js';
import { runCli } from '../support/cli.js';
import { ACCOUNT, logKey, record, seedAccount } from './seed.js';
import { bucketPolicyFor } from '../../src/evidence/builder.js';

/**
 * Step 9 without event history (refused) and without a log group: the change that broke delivery
 * is read from the trail's own S3 log files around the moment delivery stopped, and becomes the
 * trigger of the root cause.
 */
const skip = skipWithoutMoto('step 9 from S3 log files (moto)');
const REGION = 'eu-west-1';
const TRAIL = 'main';
const BUCKET = 'acme-trail-logs';

interface Report {
  rootCauses: { id: string; trigger?: { eventName: string; source: string; actor?: string; eventTime: string } }[];
}

describe.skipIf(skip)('configuration changes from the S3 log files', () => {
  let account: MotoAccount;
  let moto: Moto;
  let standin: Standin;
  let s3: S3Client;

  beforeAll(async () => {
    ({ moto, standin } = account = await startMotoAccount({
      'CloudTrail_20131101.LookupEvents': () => awsJsonError('AccessDeniedException', 'User is not authorized to perform: cloudtrail:LookupEvents'),
    }));
    s3 = new S3Client({ region: REGION, endpoint: moto.endpoint, forcePathStyle: true, maxAttempts: 2 });
  });
  afterAll(async () => {
    await account?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
  });

  it('event history refused, no log group: the PutBucketPolicy in the last delivered file is the trigger, source s3', async () => {
    const now = new Date();
    const seeded = await seedAccount({ endpoint: moto.endpoint, region: REGION, trail: TRAIL, bucket: BUCKET, now, hours: 4, silences: [[60, 0]], cloudWatchLogs: false });
    await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: bucketPolicyFor(BUCKET, ACCOUNT, seeded.trailArn, 'old-prefix') }));
    const last = seeded.lastDelivery!;
    const change = record(REGION, new Date(last.getTime() - 60_000), 'PutBucketPolicy', {
      eventSource: 's3.amazonaws.com',
      readOnly: false,
      userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT, userName: 'alice' },
      requestParameters: { bucketName: BUCKET, bucketPolicy: { Version: '2012-10-17' } },
    });
    // an earlier file of an hour read, and one far outside the hours read (must not be used)
    const far = record(REGION, new Date(now.getTime() - 200 * 60_000), 'PutBucketPolicy', { eventSource: 's3.amazonaws.com', readOnly: false, requestParameters: { bucketName: BUCKET }, userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/mallory` } });
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: logKey(undefined, ACCOUNT, REGION, last, randomUUID().replace(/-/g, '').slice(0, 16)), Body: gzipSync(JSON.stringify({ Records: [change] })) }));
    const farT = new Date(now.getTime() - 199 * 60_000);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: logKey(undefined, ACCOUNT, REGION, new Date(farT.getTime() - (farT.getTime() % 60_000)), randomUUID().replace(/-/g, '').slice(0, 16)), Body: gzipSync(JSON.stringify({ Records: [far] })) }));

    const r = await runCli(['diagnose', '--trail', TRAIL, '--region', REGION, '--endpoint-url', standin.endpoint, '--since', '4h', '--format', 'json', '--gaps', 'never']);
    const report = JSON.parse(r.stdout) as Report;
    expect(r.code, r.stderr).toBe(1);
    const cause = report.rootCauses.find((c) => c.id === 's3-bucket-policy-denies');
    expect(cause, JSON.stringify(report.rootCauses)).toBeDefined();
    expect(cause!.trigger).toMatchObject({ eventName: 'PutBucketPolicy', source: 's3', actor: `arn:aws:iam::${ACCOUNT}:user/alice` });

    const ev = await runCli(['collect', '--trail', TRAIL, '--region', REGION, '--endpoint-url', standin.endpoint, '--since', '4h']);
    const evidence = JSON.parse(ev.stdout) as { steps: { s9: { fromS3?: { status: string; reason?: string; value?: { actor?: string }[] } } } };
    expect(evidence.steps.s9.fromS3?.status).toBe('ok');
    expect(evidence.steps.s9.fromS3?.reason).toMatch(/^read \d+ log file\(s\) of eu-west-1, us-east-1 delivered around /);
    expect(evidence.steps.s9.fromS3?.value?.map((c) => c.actor)).toEqual([`arn:aws:iam::${ACCOUNT}:user/alice`]);
  });
});
