import { S3Client, CreateBucketCommand, PutObjectCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { CloudTrailClient, CreateTrailCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import pLimit from 'p-limit';
import { awsJsonError, startStandin, type Standin, type StandinReply } from '../support/standin.js';
import { ACCOUNT, BUCKET, REGION, TRAIL, type LogFile, type LookupRequest } from './fixtures.js';

/**
 * On the wire: moto holds the trail, bucket and log files; a stand-in answers LookupEvents (moto
 * has no event history) and enforces CloudTrail's 2 requests/s with ThrottlingException, as AWS does.
 */
export interface LookupStandin {
  standin: Standin;
  /** Requests answered, and those refused with ThrottlingException. */
  served: () => number;
  throttled: () => number;
  /** Most requests received in any 1-second window. */
  peakPerSecond: () => number;
}

export async function startLookupStandin(
  upstream: string,
  answer: (req: LookupRequest) => unknown,
  opts: { ratePerSecond?: number; burst?: number; forceThrottle?: number[] } = {},
): Promise<LookupStandin> {
  const rate = opts.ratePerSecond ?? 2;
  const burst = opts.burst ?? 2;
  let tokens = burst;
  let last = Date.now();
  let served = 0;
  let throttled = 0;
  let received = 0;
  const times: number[] = [];
  let peak = 0;
  const handler = (body: Record<string, unknown>): StandinReply => {
    const now = Date.now();
    received++;
    times.push(now);
    while (times.length && times[0]! <= now - 1000) times.shift();
    peak = Math.max(peak, times.length);
    tokens = Math.min(burst, tokens + ((now - last) / 1000) * rate);
    last = now;
    if (opts.forceThrottle?.includes(received) || tokens < 1) {
      throttled++;
      return awsJsonError('ThrottlingException', 'Rate exceeded');
    }
    tokens -= 1;
    served++;
    return { body: answer(body as LookupRequest) };
  };
  const standin = await startStandin({ upstream, overrides: { 'CloudTrail_20131101.LookupEvents': handler } });
  return { standin, served: () => served, throttled: () => throttled, peakPerSecond: () => peak };
}

/** Bucket, trail (logging) and the log files, seeded through the SDK. */
export async function seedMoto(endpoint: string, files: LogFile[], opts: { concurrency?: number } = {}): Promise<void> {
  const cfg = { region: REGION, endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const s3 = new S3Client({ ...cfg, forcePathStyle: true });
  const ct = new CloudTrailClient(cfg);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }));
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: BUCKET,
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:PutObject', Resource: `arn:aws:s3:::${BUCKET}/AWSLogs/${ACCOUNT}/*` }],
      }),
    }),
  );
  await ct.send(new CreateTrailCommand({ Name: TRAIL, S3BucketName: BUCKET, IsMultiRegionTrail: false, IncludeGlobalServiceEvents: true }));
  await ct.send(new StartLoggingCommand({ Name: TRAIL }));
  const limit = pLimit(opts.concurrency ?? 8);
  await Promise.all(files.map((f) => limit(() => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: f.key, Body: f.body, ContentType: 'application/json', ContentEncoding: 'gzip' })))));
  s3.destroy();
  ct.destroy();
}
