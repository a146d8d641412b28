import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { hashGzipStream, inflateDigest, SyncLogHasher } from './gzip.js';
import { fingerprintOf, loadPublicKey, signingString, sha256Hex } from './digest.js';
import { digestKeyTimestamp, logKeyDeliveryTime } from './keys.js';

const chunks = (b: Buffer, size: number) => Readable.from(Array.from({ length: Math.ceil(b.length / size) }, (_, i) => b.subarray(i * size, (i + 1) * size)));
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('known answers (§4.1, §7.4)', () => {
  it('signing string', () => {
    expect(signingString({ digestEndTime: 'a', digestS3Bucket: 'b', digestS3Object: 'c', previousDigestSignature: null }, sha256Hex('abc'))).toBe(
      'a\nb/c\nba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\nnull',
    );
    expect(sha256Hex('{}')).toBe('44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });
  it('fingerprint of the CLI example key (awscli examples/cloudtrail/list-public-keys.rst), loadable as PKCS#1', () => {
    const der = Buffer.from(
      'MIIBCgKCAQEAlSS3cl92HDycr/MTj0moOhas8habjrraXw+KzlWF0axSI2tcF+3iJ9BKQAVSKxGwxwu3m0wG3J+kUl1xboEcEPHYoIYMbgfSw7KGnuDKwkLzsQWhUJ0cIbOHASox1vv/5fNXkrHhGbDCHeVXm804c83nvHUEFYThr1PfyP/8HwrCtR3FX5OANtQCP61C1nJtSSkC8JSQUOrIP4CuwJjc+4WGDk+BGH5m9iuiAKkipEHWmUl8/P7XpfpWQuk4h8g3pXZOrNXr08lbh4d39svj7UqdhvOXoBISp9t/EXYuePGEtBdrKD9Dz+VHwyUPtBQvYr9BnkF88qBnaPNhS44rzwIDAQAB',
      'base64',
    );
    expect(fingerprintOf(der)).toBe('7f3f401420072e50a65a141430817ab3');
    expect(loadPublicKey(der)?.asymmetricKeyType).toBe('rsa');
  });
  it('key timestamps by the CLI offsets; log delivery minute', () => {
    expect(digestKeyTimestamp('x_us-east-1_t_us-east-1_20260110T040131Z.json.gz')).toBe('20260110T040131Z');
    expect(digestKeyTimestamp('x_us-east-1_t_us-east-1_20260110T040131Z_backfill.json.gz')).toBe('20260110T040131Z');
    expect(logKeyDeliveryTime('AWSLogs/1/CloudTrail/us-east-2/2015/08/01/111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz')?.toISOString()).toBe('2015-08-01T02:10:00.000Z');
    expect(logKeyDeliveryTime('111122223333_CloudTrail_us-west-2_20140620T1255ZHdkvFTXOA3Vnhbc.json.gz')?.toISOString()).toBe('2014-06-20T12:55:00.000Z');
  });
});

describe('streamed log hashing (§5.6 parity)', () => {
  const raw = Buffer.from(JSON.stringify({ Records: Array.from({ length: 2000 }, (_, i) => ({ i, id: randomBytes(8).toString('hex') })) }));
  const gz = gzipSync(raw);

  it('hashes the inflated bytes across many small chunks', async () => {
    const r = await hashGzipStream(chunks(gz, 7));
    expect(r).toMatchObject({ kind: 'hash', sha256: sha(raw), inflatedBytes: raw.length });
  });
  it('a header with FNAME and FEXTRA split over chunks', async () => {
    const named = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0x0c, 0, 0, 0, 0, 0, 3, 3, 0, 1, 2, 3]), Buffer.from('file.json\0'), gz.subarray(10)]);
    expect(await hashGzipStream(chunks(named, 3))).toMatchObject({ kind: 'hash', sha256: sha(raw) });
  });
  it('megabytes of trailing garbage: unexpected data, without hanging', async () => {
    const r = await hashGzipStream(chunks(Buffer.concat([gz, randomBytes(3 * 1024 * 1024)]), 64 * 1024));
    expect(r.kind).toBe('unexpected data after end of compressed stream');
  });
  it('ISIZE flipped: invalid format; trailer missing: the hash decides', async () => {
    const b = Buffer.from(gz);
    b[b.length - 1]! ^= 1;
    expect((await hashGzipStream(chunks(b, 1000))).kind).toBe('invalid format');
    expect(await hashGzipStream(chunks(gz.subarray(0, gz.length - 8), 1000))).toMatchObject({ kind: 'hash', sha256: sha(raw) });
  });
  it('truncated deflate data: a (wrong) hash, not an error', async () => {
    const r = await hashGzipStream(chunks(gz.subarray(0, gz.length >> 1), 1000));
    expect(r.kind).toBe('hash');
    expect((r as { sha256: string }).sha256).not.toBe(sha(raw));
  });
  it('empty body, plain text, and a gzip bomb past the cap: invalid format', async () => {
    expect((await hashGzipStream(Readable.from([]))).kind).toBe('invalid format');
    expect((await hashGzipStream(chunks(raw, 1000))).kind).toBe('invalid format');
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024));
    expect(await hashGzipStream(chunks(bomb, 4096), { maxInflated: 1024 * 1024 })).toMatchObject({ kind: 'invalid format', detail: expect.stringContaining('cap') });
  });
});

describe('digest inflate', () => {
  it('first member only, trailing bytes ignored, trailer required', () => {
    const gz = gzipSync('{"a":1}');
    expect(inflateDigest(Buffer.concat([gz, gzipSync('x'), Buffer.from('junk')])).toString()).toBe('{"a":1}');
    expect(() => inflateDigest(gz.subarray(0, gz.length - 8))).toThrow(/trailer/);
    expect(() => inflateDigest(Buffer.from('{"a":1}'))).toThrow(/not gzip/);
  });
});

describe('synchronous log hashing (the hashing threads) gives hashGzipStream’s verdicts', () => {
  const raw = Buffer.from(JSON.stringify({ Records: Array.from({ length: 6000 }, (_, i) => ({ i, id: randomBytes(8).toString('hex') })) }));
  const gz = gzipSync(raw);
  const flipped = Buffer.from(gz);
  flipped[flipped.length - 6]! ^= 0xff;
  const bodies: Record<string, Buffer> = {
    valid: gz,
    'trailer missing': gz.subarray(0, gz.length - 8),
    'trailer partial': gz.subarray(0, gz.length - 3),
    'CRC flipped': flipped,
    'appended member': Buffer.concat([gz, gzipSync(Buffer.from('x'))]),
    'one zero byte after': Buffer.concat([gz, Buffer.alloc(1)]),
    'truncated deflate': gz.subarray(0, gz.length >> 1),
    'not gzip': raw.subarray(0, 300_000),
    empty: Buffer.alloc(0),
    noise: randomBytes(3 * 1024 * 1024),
  };
  const pieces = (b: Buffer, n: number) => Array.from({ length: Math.ceil(b.length / n) }, (_, i) => b.subarray(i * n, (i + 1) * n));
  const syncHash = (parts: Buffer[], limits?: { maxInflated?: number; maxCompressed?: number }) => {
    const h = new SyncLogHasher(limits);
    for (const p of parts) {
      const early = h.write(p);
      if (early) return early;
    }
    return h.end();
  };
  for (const [name, body] of Object.entries(bodies)) {
    it(name, async () => {
      for (const n of [7, 16_384, 1 << 20]) expect(syncHash(pieces(body, n))).toEqual(await hashGzipStream(chunks(body, n)));
    });
  }
  it('caps: compressed size and inflated size (gzip bomb)', async () => {
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024));
    expect(syncHash(pieces(bomb, 4096), { maxInflated: 1024 * 1024 })).toEqual(await hashGzipStream(chunks(bomb, 4096), { maxInflated: 1024 * 1024 }));
    expect(syncHash(pieces(gz, 4096), { maxCompressed: 10_000 })).toEqual({ kind: 'invalid format', detail: 'larger than the 10000-byte cap' });
  });
});
