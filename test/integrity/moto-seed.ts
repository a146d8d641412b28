import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client, CreateBucketCommand, PutObjectCommand, DeleteObjectCommand } from '@aws-sdk/client-s3';
import { CloudTrailClient, CreateTrailCommand } from '@aws-sdk/client-cloudtrail';
import type { Override } from '../support/standin.js';
import type { FixtureKey, Store } from './fixtures.js';

/** moto's default account: trails created there have ARNs in it. */
export const MOTO_ACCOUNT = '123456789012';

export function s3For(endpoint: string, region = 'us-east-1'): S3Client {
  return new S3Client({ region, endpoint, forcePathStyle: true, maxAttempts: 3 });
}

/** Creates the bucket and the trail in moto, and uploads every object of `store` (bounded concurrency). */
export async function seedMoto(endpoint: string, store: Store, trail: { name: string; bucket: string; prefix?: string; region?: string }, concurrency = 8): Promise<void> {
  const region = trail.region ?? 'us-east-1';
  const s3 = s3For(endpoint, region);
  await s3.send(new CreateBucketCommand({ Bucket: trail.bucket }));
  const ct = new CloudTrailClient({ region, endpoint, maxAttempts: 3 });
  await ct.send(new CreateTrailCommand({ Name: trail.name, S3BucketName: trail.bucket, ...(trail.prefix ? { S3KeyPrefix: trail.prefix } : {}), EnableLogFileValidation: true }));
  await putAll(s3, store, concurrency);
  s3.destroy();
  ct.destroy();
}

export async function putAll(s3: S3Client, store: Store, concurrency = 8): Promise<void> {
  const items = [...store.entries()];
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (i < items.length) {
        const [id, o] = items[i++]!;
        const slash = id.indexOf('/');
        await s3.send(new PutObjectCommand({ Bucket: id.slice(0, slash), Key: id.slice(slash + 1), Body: o.body, Metadata: o.metadata }));
      }
    }),
  );
}

export async function deleteObject(endpoint: string, bucket: string, key: string): Promise<void> {
  const s3 = s3For(endpoint);
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  s3.destroy();
}

/** The ListPublicKeys stand-in (moto lacks it): `Value` base64, epoch-second times, as on the wire. */
export function listPublicKeysOverride(keys: FixtureKey[]): Record<string, Override> {
  const now = Date.now() / 1000;
  const reply: Override = () => ({
    body: {
      PublicKeyList: keys.map((k) => ({ Fingerprint: k.fingerprint, Value: k.publicDer.toString('base64'), ValidityStartTime: Math.floor(now - 400 * 86_400), ValidityEndTime: Math.floor(now + 86_400) })),
    },
  });
  // The JS SDK sends the short target; botocore (the AWS CLI) the model's full targetPrefix.
  return { 'CloudTrail_20131101.ListPublicKeys': reply, 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.ListPublicKeys': reply };
}

// ---- the AWS CLI -------------------------------------------------------------------------------

export interface AwsCliInfo {
  available: boolean;
  version?: string;
  reason?: string;
}

/** Whether `aws` is installed and new enough for AWS_ENDPOINT_URL_<SERVICE> (v1 ≥ 1.29, v2 ≥ 2.13). */
export function awsCli(): AwsCliInfo {
  const r = spawnSync('aws', ['--version'], { encoding: 'utf8', env: { ...process.env, AWS_PAGER: '' } });
  if (r.status !== 0) return { available: false, reason: 'aws (the AWS CLI) is not installed' };
  const text = `${r.stdout}${r.stderr}`;
  const m = /aws-cli\/(\d+)\.(\d+)\.(\d+)/.exec(text);
  if (!m) return { available: false, reason: `cannot read the AWS CLI version from ${JSON.stringify(text.slice(0, 80))}` };
  const [maj, min] = [Number(m[1]), Number(m[2])];
  const ok = (maj === 1 && min >= 29) || (maj === 2 && min >= 13) || maj > 2;
  return ok ? { available: true, version: `${m[1]}.${m[2]}.${m[3]}` } : { available: false, version: `${m[1]}.${m[2]}.${m[3]}`, reason: 'the AWS CLI is too old for AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL_CLOUDTRAIL' };
}

let configDir: string | undefined;
/** Environment for the AWS CLI against the emulator: fake credentials, path-style S3, no user config. */
export function awsCliEnv(endpoint: string): NodeJS.ProcessEnv {
  if (!configDir) {
    configDir = mkdtempSync(join(tmpdir(), 'td-awscli-'));
    writeFileSync(join(configDir, 'config'), '[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n');
    writeFileSync(join(configDir, 'credentials'), '[default]\naws_access_key_id = testing\naws_secret_access_key = testing\n');
  }
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: configDir, LANG: 'C.UTF-8' };
  return {
    ...env,
    AWS_CONFIG_FILE: join(configDir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(configDir, 'credentials'),
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ENDPOINT_URL_CLOUDTRAIL: endpoint,
    AWS_PAGER: '',
  };
}

export interface ProcResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export function runProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 600_000): Promise<ProcResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

/** Verdict per file from validate-logs' (or our text) output: `s3://b/k` → `valid` | `INVALID: …`. */
export function verdictLines(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(?:\(backfill\) )?(?:Digest|Log) file\t(s3:\/\/\S+)\t(.+)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** The summary lines (`4/4 digest files valid`, `Results found for …`). */
export function summaryLines(text: string): string[] {
  return text.split('\n').filter((l) => /^\d+\/\d+ .* files valid/.test(l) || /^Results (found|requested) for/.test(l) || /^No (valid )?digests found/.test(l));
}
