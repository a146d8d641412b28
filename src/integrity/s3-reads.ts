import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { S3ObjectReader } from '../aws/object-reader.js';
import { classifyError } from '../aws/call.js';
import { inertLine } from '../util/text.js';
import { compactSeconds, digestFolder, digestKey, digestKeyPattern, digestKeyTimestamp, type ChainLocation } from './keys.js';
import { s3Failure } from './errors.js';

/** The IAM actions behind the S3 reads of validation (the lean object reader's GETs included). */
export const S3_READ_ACTIONS = ['s3:ListBucket', 's3:GetObject'] as const;

const HOUR = 3_600_000;
const GET_NEEDS = 's3:GetObject (and s3:ListBucket, without which S3 reports a missing key as AccessDenied)';

export interface Fetched {
  status: 'ok' | 'missing' | 'too-large';
  body?: Buffer;
  metadata?: Record<string, string>;
}

/** The folder names right under `prefix` (one level, `/` delimited), at most about 10 000. */
export async function listPrefixes(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    let res;
    try {
      res = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }));
    } catch (e) {
      throw s3Failure(e, `list s3://${bucket}/${prefix}`, 's3:ListBucket');
    }
    for (const p of res.CommonPrefixes ?? []) if (p.Prefix) out.push(p.Prefix.slice(prefix.length).replace(/\/$/, ''));
    token = res.IsTruncated ? res.NextContinuationToken : undefined;
    if (out.length > 10_000) break;
  } while (token);
  return out;
}

/** Every key under `prefix`, handed to `each` page by page. */
export async function listAll(s3: S3Client, bucket: string, prefix: string, each: (key: string) => void): Promise<void> {
  let token: string | undefined;
  do {
    let res;
    try {
      res = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    } catch (e) {
      throw s3Failure(e, `list s3://${bucket}/${prefix}`, 's3:ListBucket');
    }
    for (const o of res.Contents ?? []) if (o.Key) each(o.Key);
    token = res.IsTruncated ? res.NextContinuationToken : undefined;
  } while (token);
}

/**
 * The chain's digest keys in [start, end + 1 h] (CloudTrail delivers a window's last digest up to an
 * hour late), oldest first, standard and backfill apart. Listing starts just before the window.
 */
export async function listDigests(s3: S3Client, bucket: string, loc: ChainLocation, trail: { name: string; homeRegion: string }, start: Date, end: Date): Promise<{ standard: string[]; backfill: string[] }> {
  const pattern = digestKeyPattern(loc, trail.name, trail.homeRegion);
  const standard: string[] = [];
  const backfill: string[] = [];
  const startTs = compactSeconds(start);
  const endTs = compactSeconds(new Date(end.getTime() + HOUR));
  const folder = digestFolder(loc);
  let token: string | undefined;
  const startAfter = digestKey(loc, trail.name, trail.homeRegion, new Date(start.getTime() - 60_000));
  listing: do {
    let res;
    try {
      res = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: folder, StartAfter: token ? undefined : startAfter, ContinuationToken: token }));
    } catch (e) {
      throw s3Failure(e, `list digests under s3://${bucket}/${folder}`, 's3:ListBucket');
    }
    for (const o of res.Contents ?? []) {
      const k = o.Key;
      if (!k || !pattern.test(k)) continue;
      const ts = digestKeyTimestamp(k);
      if (ts > endTs) break listing;
      if (ts < startTs) continue;
      (k.endsWith('_backfill.json.gz') ? backfill : standard).push(k);
    }
    token = res.IsTruncated ? res.NextContinuationToken : undefined;
  } while (token);
  const byTs = (a: string, b: string) => (digestKeyTimestamp(a) < digestKeyTimestamp(b) ? -1 : digestKeyTimestamp(a) > digestKeyTimestamp(b) ? 1 : 0);
  standard.sort(byTs);
  backfill.sort(byTs);
  return { standard, backfill };
}

async function readAll(body: AsyncIterable<Uint8Array>, cap: number): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let n = 0;
  const it = body[Symbol.asyncIterator]();
  try {
    for (;;) {
      const r = await it.next();
      if (r.done) break;
      n += r.value.byteLength;
      if (n > cap) return undefined;
      parts.push(Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength));
    }
  } finally {
    await it.return?.();
  }
  return Buffer.concat(parts);
}

/** One digest file, whole (up to `cap` compressed bytes), with its metadata; a missing key is `missing`. */
export async function fetchDigest(objects: S3ObjectReader, bucket: string, key: string, cap: number): Promise<Fetched> {
  let res;
  try {
    res = await objects.get(bucket, key);
  } catch (e) {
    const c = classifyError(e, ['NoSuchKey']);
    if (c.kind === 'absent') return { status: 'missing' };
    throw s3Failure(e, `read digest s3://${bucket}/${inertLine(key, 300)}`, GET_NEEDS);
  }
  const body = await readAll(res.body, cap);
  if (!body) return { status: 'too-large' };
  return { status: 'ok', body, metadata: res.metadata };
}

/** A log file's GET failure (other than missing), as could-not-check. */
export const logReadFailure = (e: unknown, bucket: string, key: string) => s3Failure(e, `read log file s3://${bucket}/${inertLine(key, 300)}`, GET_NEEDS);
