import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { digestKey, isoSeconds, logKey, type ChainLocation } from '../../src/integrity/keys.js';
import { signingString } from '../../src/integrity/digest.js';

/**
 * Generated CloudTrail digest chains (cloudtrail-files.md §7): a real RSA key made at setup (never
 * committed), real gzip, real SHA-256. Shared by unit tests, the moto e2e test and bench/validate.
 */

export interface FixtureKey {
  privateKey: KeyObject;
  /** DER PKCS#1 RSAPublicKey, as ListPublicKeys returns it. */
  publicDer: Buffer;
  fingerprint: string;
}

export function makeKey(): FixtureKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
  const publicDer = publicKey.export({ type: 'pkcs1', format: 'der' }) as Buffer;
  return { privateKey: createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' })), publicDer, fingerprint: createHash('md5').update(publicDer).digest('hex') };
}

export interface StoredObject {
  body: Buffer;
  metadata: Record<string, string>;
}

/** bucket/key → object; keys iterate in byte order when listed. */
export type Store = Map<string, StoredObject>;

export const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

export interface ChainSpec {
  bucket: string;
  prefix?: string;
  account: string;
  region: string;
  homeRegion?: string;
  trail: string;
  orgId?: string;
  /** Start of the first digest, e.g. 2026-01-10T00:01:31Z. */
  firstStart: Date;
  digests: number;
  logsPerDigest: number;
  key: FixtureKey;
  /** Key written in the digest's fingerprint field (default: key.fingerprint). */
  /** After digest index i (0-based), pause `hours` and start a new chain (previous* null). */
  restartAfter?: { index: number; hours: number };
  /** Raw JSON of log j of digest i (default: a few small records). */
  logRaw?: (i: number, j: number) => Buffer;
  /** Unique 16-char suffix generator (default: deterministic). */
}

export interface BuiltDigest {
  key: string;
  json: Record<string, unknown>;
  raw: Buffer;
  signature: string;
}

export interface BuiltChain {
  loc: ChainLocation;
  digests: BuiltDigest[];
  logs: Array<{ key: string; raw: Buffer; digestIndex: number }>;
}

export function records(delivered: Date, n = 3, account = '111122223333', region = 'us-east-1'): Buffer {
  const recs = Array.from({ length: n }, (_, i) => ({
    eventVersion: '1.09',
    eventTime: isoSeconds(new Date(delivered.getTime() - (i + 1) * 60_000)),
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    awsRegion: region,
    sourceIPAddress: '203.0.113.7',
    userAgent: 'aws-cli/2.15.0',
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${account}:user/alice`, accountId: account },
    requestParameters: { bucketName: 'data', key: `obj-${randomBytes(6).toString('hex')}` },
    responseElements: null,
    requestID: randomBytes(8).toString('hex').toUpperCase(),
    eventID: crypto.randomUUID(),
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: false,
    eventCategory: 'Data',
    recipientAccountId: account,
  }));
  return Buffer.from(JSON.stringify({ Records: recs }), 'utf8');
}

export function signDigest(raw: Buffer, json: Record<string, unknown>, key: KeyObject): string {
  return sign('sha256', Buffer.from(signingString(json as never, sha256(raw)), 'utf8'), key).toString('hex');
}

/** Serialises, signs and stores a digest; returns it. */
export function putDigest(store: Store, bucket: string, key: string, json: Record<string, unknown>, signer: KeyObject, extraMeta: Record<string, string> = {}): BuiltDigest {
  const raw = Buffer.from(JSON.stringify(json), 'utf8');
  const signature = signDigest(raw, json, signer);
  store.set(`${bucket}/${key}`, { body: gzipSync(raw), metadata: { signature, 'signature-algorithm': 'SHA256withRSA', ...extraMeta } });
  return { key, json, raw, signature };
}

const uniq = (n: number) => `U${String(n).padStart(15, '0')}`;

/** gzip and SHA-256 of log bodies reused across files (benchmarks reuse a pool of bodies). */
const gzCache = new WeakMap<Buffer, { gz: Buffer; hash: string }>();
function packed(raw: Buffer): { gz: Buffer; hash: string } {
  let p = gzCache.get(raw);
  if (!p) {
    p = { gz: gzipSync(raw), hash: sha256(raw) };
    gzCache.set(raw, p);
  }
  return p;
}

export function buildChain(store: Store, spec: ChainSpec): BuiltChain {
  const home = spec.homeRegion ?? spec.region;
  const loc: ChainLocation = { prefix: spec.prefix ?? '', orgId: spec.orgId, account: spec.account, region: spec.region };
  const digests: BuiltDigest[] = [];
  const logs: BuiltChain['logs'] = [];
  let start = spec.firstStart.getTime();
  let prev: BuiltDigest | undefined;
  let n = 0;
  for (let i = 0; i < spec.digests; i++) {
    const end = start + 3_600_000;
    const logFiles: Record<string, unknown>[] = [];
    for (let j = 0; j < spec.logsPerDigest; j++) {
      const delivered = new Date(start + ((j + 1) * 3_600_000) / (spec.logsPerDigest + 1));
      const raw = spec.logRaw ? spec.logRaw(i, j) : records(delivered, 3, spec.account, spec.region);
      const key = logKey(loc, delivered, uniq(++n));
      const pk = packed(raw);
      store.set(`${spec.bucket}/${key}`, { body: pk.gz, metadata: {} });
      logs.push({ key, raw, digestIndex: i });
      logFiles.push({
        s3Bucket: spec.bucket,
        s3Object: key,
        hashValue: pk.hash,
        hashAlgorithm: 'SHA-256',
        newestEventTime: isoSeconds(new Date(delivered.getTime() - 60_000)),
        oldestEventTime: isoSeconds(new Date(delivered.getTime() - 180_000)),
      });
    }
    const key = digestKey(loc, spec.trail, home, new Date(end));
    const json: Record<string, unknown> = {
      awsAccountId: spec.account,
      digestStartTime: isoSeconds(new Date(start)),
      digestEndTime: isoSeconds(new Date(end)),
      digestS3Bucket: spec.bucket,
      digestS3Object: key,
      digestPublicKeyFingerprint: spec.key.fingerprint,
      digestSignatureAlgorithm: 'SHA256withRSA',
      newestEventTime: logFiles.length ? logFiles[logFiles.length - 1]!.newestEventTime : null,
      oldestEventTime: logFiles.length ? logFiles[0]!.oldestEventTime : null,
      previousDigestS3Bucket: prev ? spec.bucket : null,
      previousDigestS3Object: prev ? prev.key : null,
      previousDigestHashValue: prev ? sha256(prev.raw) : null,
      previousDigestHashAlgorithm: prev ? 'SHA-256' : null,
      previousDigestSignature: prev ? prev.signature : null,
      logFiles,
    };
    prev = putDigest(store, spec.bucket, key, json, spec.key.privateKey);
    digests.push(prev);
    start = end;
    if (spec.restartAfter && spec.restartAfter.index === i) {
      start += spec.restartAfter.hours * 3_600_000;
      prev = undefined;
    }
  }
  return { loc, digests, logs };
}

/** Replace a stored digest's JSON and re-sign it with `signer` (keeps or replaces metadata). */
export function resign(store: Store, bucket: string, d: BuiltDigest, mutate: (json: Record<string, unknown>) => Record<string, unknown>, signer: KeyObject): BuiltDigest {
  return putDigest(store, bucket, d.key, mutate(structuredClone(d.json)), signer);
}
