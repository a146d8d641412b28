import { createHash, createPublicKey, verify, constants, type KeyObject } from 'node:crypto';
import { GzipFormatError, inflateDigest } from './gzip.js';

/** Keys the CLI requires to be present (even if null) in a digest (§3.1). */
export const REQUIRED_DIGEST_KEYS = [
  'digestPublicKeyFingerprint',
  'digestS3Bucket',
  'digestS3Object',
  'previousDigestSignature',
  'digestEndTime',
  'digestStartTime',
] as const;

export interface DigestLogEntry {
  s3Bucket?: unknown;
  s3Object?: unknown;
  hashValue?: unknown;
  hashAlgorithm?: unknown;
  newestEventTime?: unknown;
  oldestEventTime?: unknown;
}

export interface DigestJson {
  awsAccountId?: unknown;
  digestStartTime: unknown;
  digestEndTime: unknown;
  digestS3Bucket: unknown;
  digestS3Object: unknown;
  digestPublicKeyFingerprint: unknown;
  previousDigestS3Bucket?: unknown;
  previousDigestS3Object?: unknown;
  previousDigestHashValue?: unknown;
  previousDigestSignature: unknown;
  logFiles?: unknown;
  [k: string]: unknown;
}

/** The string that is signed (§4.1): four lines, LF-joined, no trailing newline. */
export function signingString(d: { digestEndTime: unknown; digestS3Bucket: unknown; digestS3Object: unknown; previousDigestSignature: unknown }, inflatedSha256Hex: string): string {
  const str = (v: unknown) => (v === null || v === undefined ? 'null' : String(v));
  return `${str(d.digestEndTime)}\n${str(d.digestS3Bucket)}/${str(d.digestS3Object)}\n${inflatedSha256Hex}\n${str(d.previousDigestSignature)}`;
}

export const sha256Hex = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

/** Fingerprint of a public key as CloudTrail gives it: lowercase hex MD5 of the bytes as received. */
export const fingerprintOf = (der: Uint8Array): string => createHash('md5').update(der).digest('hex');

/** Loads DER PKCS#1 (what CloudTrail returns), falling back to SPKI. */
export function loadPublicKey(der: Uint8Array): KeyObject | undefined {
  const buf = Buffer.from(der);
  for (const type of ['pkcs1', 'spki'] as const) {
    try {
      return createPublicKey({ key: buf, format: 'der', type });
    } catch {
      /* try the next form */
    }
  }
  return undefined;
}

/** RSASSA-PKCS1-v1_5 with SHA-256 (enforced: OpenSSL checks the DigestInfo's hash). */
export function verifySignature(message: string, key: KeyObject, signatureHex: string): boolean {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(signatureHex)) return false;
  try {
    return verify('sha256', Buffer.from(message, 'utf8'), { key, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(signatureHex, 'hex'));
  } catch {
    return false;
  }
}

export type DigestParse =
  | { ok: true; json: DigestJson; inflated: Buffer; sha256: string }
  | { ok: false; reason: 'invalid format'; detail: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Gunzip (bounded) + strict UTF-8 + JSON object. */
export function parseDigestBody(body: Uint8Array, maxInflated?: number): DigestParse {
  let inflated: Buffer;
  try {
    inflated = inflateDigest(body, maxInflated);
  } catch (e) {
    return { ok: false, reason: 'invalid format', detail: e instanceof GzipFormatError ? e.message : String(e) };
  }
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(inflated));
  } catch (e) {
    return { ok: false, reason: 'invalid format', detail: `not JSON (${(e as Error).message.slice(0, 120)})` };
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) return { ok: false, reason: 'invalid format', detail: 'not a JSON object' };
  return { ok: true, json: json as DigestJson, inflated, sha256: sha256Hex(inflated) };
}

export function missingRequiredKey(json: DigestJson): string | undefined {
  return REQUIRED_DIGEST_KEYS.find((k) => !(k in json));
}
