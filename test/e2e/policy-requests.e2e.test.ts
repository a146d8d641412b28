import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CloudTrailClient, UpdateTrailCommand } from '@aws-sdk/client-cloudtrail';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { skipWithoutMoto, type Moto } from '../support/moto.js';
import { startMotoAccount, trailStatusWith, type MotoAccount } from '../support/moto-account.js';
import type { Standin } from '../support/standin.js';
import { runCli } from '../support/cli.js';
import { ACCOUNT, seedAccount } from './seed.js';
import { bucketPolicyFor } from '../../src/evidence/builder.js';

/**
 * A bucket policy that denies non-KMS uploads, through the built CLI on moto: the trail encrypts its
 * log files with KMS (allowed) but its digest files are SSE-S3 (refused), so only digests are blocked.
 * moto enforces none of it and never reports digest errors: the stand-in adds the error AWS would show.
 */
const skip = skipWithoutMoto('bucket policy vs CloudTrail exact requests (moto)');
const REGION = 'eu-west-1';
const TRAIL = 'main';
const BUCKET = 'acme-trail-logs';

interface Report {
  verdict: string;
  rootCauses: { id: string; confidence: string; summary: string; data?: { blocks?: Record<string, string>; widenedStatements?: string[] } }[];
}

describe.skipIf(skip)('deny-non-KMS bucket policy against moto', () => {
  let account: MotoAccount;
  let moto: Moto;
  let standin: Standin;
  const statusExtra: Record<string, unknown> = {};

  beforeAll(async () => {
    ({ moto, standin } = account = await startMotoAccount({
      'CloudTrail_20131101.GetTrailStatus': trailStatusWith(statusExtra),
      'CloudTrail_20131101.LookupEvents': () => ({ body: { Events: [] } }),
    }));
  });
  afterAll(async () => {
    await account?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    for (const k of Object.keys(statusExtra)) delete statusExtra[k];
  });

  async function seed(values: string[]): Promise<void> {
    const now = new Date();
    const seeded = await seedAccount({ endpoint: moto.endpoint, region: REGION, trail: TRAIL, bucket: BUCKET, now, hours: 3 });
    const cfg = { region: REGION, endpoint: moto.endpoint, maxAttempts: 2 };
    const keyPolicy = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
        { Sid: 'CloudTrail', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: ['kms:GenerateDataKey*', 'kms:DescribeKey'], Resource: '*' },
      ],
    };
    const key = await new KMSClient(cfg).send(new CreateKeyCommand({ Policy: JSON.stringify(keyPolicy), Description: 'CloudTrail logs' }));
    await new CloudTrailClient(cfg).send(new UpdateTrailCommand({ Name: TRAIL, KmsKeyId: key.KeyMetadata!.Arn!, EnableLogFileValidation: true }));
    const doc = JSON.parse(bucketPolicyFor(BUCKET, ACCOUNT, seeded.trailArn));
    doc.Statement.push({
      Sid: 'DenyNonKmsUploads',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: `arn:aws:s3:::${BUCKET}/*`,
      Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': values.length === 1 ? values[0] : values } },
    });
    await new S3Client({ ...cfg, forcePathStyle: true }).send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: JSON.stringify(doc) }));
    Object.assign(statusExtra, { LatestDigestDeliveryTime: (now.getTime() - 2 * 3_600_000) / 1000 });
    if (values.length === 1) statusExtra.LatestDigestDeliveryError = 'AccessDenied';
  }

  const diagnose = async () => {
    const r = await runCli(['diagnose', '--trail', TRAIL, '--region', REGION, '--endpoint-url', standin.endpoint, '--since', '3h', '--format', 'json']);
    try {
      return { ...r, report: JSON.parse(r.stdout) as Report };
    } catch {
      throw new Error(`no JSON on stdout (exit ${r.code}): ${r.stdout.slice(0, 500)} / stderr: ${r.stderr.slice(0, 2000)}`);
    }
  };

  it('deny unless aws:kms: s3-bucket-policy-denies, confirmed, for digest files only, with the Deny widened to accept AES256', async () => {
    await seed(['aws:kms']);
    const { report, code, stderr } = await diagnose();
    expect(code, stderr).toBe(1);
    const cause = report.rootCauses.find((c) => c.id === 's3-bucket-policy-denies');
    expect(cause, JSON.stringify(report.rootCauses.map((c) => c.id))).toBeDefined();
    expect(cause!.confidence).toBe('confirmed');
    expect(cause!.data?.blocks).toEqual({ aclCheck: 'allowed', logFiles: 'allowed', digestFiles: 'blocked' });
    expect(cause!.data?.widenedStatements).toEqual(['statement #2 "DenyNonKmsUploads"']);
    expect(cause!.summary).toContain('digest files');
    expect(report.rootCauses.map((c) => c.id)).not.toContain('s3-kms-key-denies');
  });

  it('deny unless aws:kms or AES256 (AWS advice): no bucket-policy cause', async () => {
    await seed(['aws:kms', 'AES256']);
    const { report } = await diagnose();
    expect(report.rootCauses.map((c) => c.id)).not.toContain('s3-bucket-policy-denies');
  });
});
