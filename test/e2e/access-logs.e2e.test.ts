import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CreateBucketCommand, PutBucketAclCommand, PutBucketLoggingCommand, PutBucketPolicyCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { skipWithoutMoto, type Moto } from '../support/moto.js';
import { startMotoAccount, type MotoAccount } from '../support/moto-account.js';
import type { Standin } from '../support/standin.js';
import { runCli } from '../support/cli.js';
import { formatAccessLogLine } from '../support/access-logs.js';
import { ACCOUNT, seedAccount } from './seed.js';
import { bucketPolicyFor } from '../../src/evidence/builder.js';

/**
 * S3 server access logs through the built CLI on moto: access log objects written in both key formats
 * (successes, 403 refusals from a known minute, a malformed line, a truncated file) → the outage start,
 * the counts and the root cause even though GetTrailStatus shows no error any more; logging off;
 * logging into the trail bucket itself.
 */
const skip = skipWithoutMoto('S3 server access logs (moto)');
const REGION = 'eu-west-1';
const TRAIL = 'main';
const BUCKET = 'acme-trail-logs';
const LOGS = 'acme-access-logs';

interface Report {
  rootCauses: { id: string; confidence: string; data?: { since?: string }; evidence: string[] }[];
}
const pad = (n: number) => String(n).padStart(2, '0');
const stamp = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}-${pad(d.getUTCHours())}-${pad(d.getUTCMinutes())}-${pad(d.getUTCSeconds())}`;
const day = (d: Date) => `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;

describe.skipIf(skip)('access logs against moto', () => {
  let account: MotoAccount;
  let moto: Moto;
  let standin: Standin;
  let s3: S3Client;

  beforeAll(async () => {
    ({ moto, standin } = account = await startMotoAccount({
      'CloudTrail_20131101.LookupEvents': () => ({ body: { Events: [] } }),
    }));
    s3 = new S3Client({ region: REGION, endpoint: moto.endpoint, forcePathStyle: true, maxAttempts: 2 });
  });
  afterAll(async () => {
    await account?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
  });

  const diagnose = async () => {
    const r = await runCli(['diagnose', '--trail', TRAIL, '--region', REGION, '--endpoint-url', standin.endpoint, '--since', '6h', '--format', 'json']);
    try {
      return { ...r, report: JSON.parse(r.stdout) as Report };
    } catch {
      throw new Error(`no JSON on stdout (exit ${r.code}): ${r.stdout.slice(0, 500)} / stderr: ${r.stderr.slice(0, 2000)}`);
    }
  };

  async function enableLogging(targetBucket: string, targetPrefix: string) {
    if (targetBucket !== BUCKET) await s3.send(new CreateBucketCommand({ Bucket: targetBucket, CreateBucketConfiguration: { LocationConstraint: REGION } }));
    await s3.send(new PutBucketAclCommand({ Bucket: targetBucket, GrantWrite: 'uri="http://acs.amazonaws.com/groups/s3/LogDelivery"', GrantReadACP: 'uri="http://acs.amazonaws.com/groups/s3/LogDelivery"' }));
    await s3.send(new PutBucketLoggingCommand({ Bucket: BUCKET, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: targetBucket, TargetPrefix: targetPrefix } } }));
  }

  it('refusals from a known minute in both key formats: s3-bucket-policy-denies confirmed and dated by the first refused write, though the trail status shows no error', async () => {
    const now = new Date();
    // the policy lost its grant 50 minutes ago (wrong prefix); no log file since; GetTrailStatus shows nothing (moto)
    await seedAccount({ endpoint: moto.endpoint, region: REGION, trail: TRAIL, bucket: BUCKET, now, hours: 6, silences: [[50, 0]] });
    await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: bucketPolicyFor(BUCKET, ACCOUNT, `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${TRAIL}`, 'old-prefix') }));
    await enableLogging(LOGS, 'trail-logs/');
    const minute = new Date(Math.floor((now.getTime() - 50 * 60_000) / 60_000) * 60_000 + 7_000);
    const key = (t: Date) => `AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/${day(t)}/${ACCOUNT}_CloudTrail_${REGION}_x.json.gz`;
    const line = (t: Date, status: number) =>
      formatAccessLogLine({ time: t, operation: 'REST.PUT.OBJECT', key: key(t), status, ...(status === 403 ? { errorCode: 'AccessDenied' } : {}), bucket: BUCKET, requester: 'svc:cloudtrail.amazonaws.com' });
    const ok = Array.from({ length: 20 }, (_, i) => line(new Date(minute.getTime() - (20 - i) * 5 * 60_000), 200));
    const refused = Array.from({ length: 10 }, (_, i) => line(new Date(minute.getTime() + i * 5 * 60_000), 403));
    const simpleKey = `trail-logs/${stamp(new Date(now.getTime() - 60 * 60_000))}-A1B2C3D4E5F60718`;
    const partitionedKey = `trail-logs/${ACCOUNT}/${REGION}/${BUCKET}/${day(now)}/${stamp(now)}-0A1B2C3D4E5F6071`;
    await s3.send(new PutObjectCommand({ Bucket: LOGS, Key: simpleKey, Body: [...ok, 'this is not an access log record'].join('\n') }));
    // newest, partitioned, cut mid-record as a truncated object would be
    const body = refused.join('\n');
    await s3.send(new PutObjectCommand({ Bucket: LOGS, Key: partitionedKey, Body: `${body}\n${refused[0]!.slice(0, 70)}` }));

    const { report, code, stderr } = await diagnose();
    expect(code, stderr).toBe(1);
    const cause = report.rootCauses.find((c) => c.id === 's3-bucket-policy-denies');
    expect(cause, JSON.stringify(report.rootCauses.map((c) => c.id))).toBeDefined();
    expect(cause!.confidence).toBe('confirmed');
    expect(cause!.data?.since).toBe(minute.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    expect(cause!.evidence.join('\n')).toContain('S3 server access logs: 10 refused CloudTrail writes in the window (403 AccessDenied ×10)');
  });

  it('logging off: advice in the finding, and no claim that nothing was attempted', async () => {
    await seedAccount({ endpoint: moto.endpoint, region: REGION, trail: TRAIL, bucket: BUCKET, now: new Date(), hours: 2, bucketPolicy: 'wrong-prefix', silences: [[60, 0]] });
    const { report } = await diagnose();
    const cause = report.rootCauses.find((c) => c.id === 's3-bucket-policy-denies')!;
    const text = cause.evidence.join('\n');
    expect(text).toContain('S3 server access logging is off on acme-trail-logs (not a fault)');
    expect(text).not.toMatch(/no (refused )?attempts/i);
  });

  it('logging into the trail bucket under the trail prefix is flagged', async () => {
    await seedAccount({ endpoint: moto.endpoint, region: REGION, trail: TRAIL, bucket: BUCKET, now: new Date(), hours: 2, bucketPolicy: 'wrong-prefix', silences: [[60, 0]] });
    await enableLogging(BUCKET, 'AWSLogs/access/');
    const { report } = await diagnose();
    const cause = report.rootCauses.find((c) => c.id === 's3-bucket-policy-denies')!;
    expect(cause.evidence.join('\n')).toMatch(/writes into acme-trail-logs itself .*inside the trail's own key prefix/);
  });
});
