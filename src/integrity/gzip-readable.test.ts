import { describe, expect, it } from 'vitest';
import { PassThrough, Readable } from 'node:stream';
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { hashGzipBody, hashGzipReadable, hashGzipStream, idleInflaterCount, isNodeReadable, SyncLogHasher } from './gzip.js';
import { hashesInline, INLINE_MAX_COMPRESSED, inlineHasher } from './hash-pool.js';

/** Node streams are read through their events; the verdicts must be hashGzipStream's, byte for byte. */
const raw = Buffer.from(JSON.stringify({ Records: Array.from({ length: 1500 }, (_, i) => ({ i, id: randomBytes(8).toString('hex') })) }));
const gz = gzipSync(raw);
const flipped = Buffer.from(gz);
flipped[flipped.length - 6]! ^= 0xff;
const bodies: Record<string, Buffer> = {
  valid: gz,
  'missing trailer': gz.subarray(0, gz.length - 8),
  'partial trailer': gz.subarray(0, gz.length - 3),
  'CRC flipped': flipped,
  'appended member': Buffer.concat([gz, gzipSync(Buffer.from('x'))]),
  'truncated deflate': gz.subarray(0, gz.length >> 1),
  'not gzip': raw.subarray(0, 5000),
  'short header': gz.subarray(0, 5),
  empty: Buffer.alloc(0),
};
const chunks = (b: Buffer, size: number) => Readable.from(Array.from({ length: Math.ceil(b.length / size) }, (_, i) => b.subarray(i * size, (i + 1) * size)));
/** The same bytes as a plain async iterable (not a Node stream): the for-await path. */
async function* iterable(b: Buffer, size: number) {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

describe('hashGzipReadable', () => {
  for (const [name, body] of Object.entries(bodies)) {
    it(`${name}: the verdict of the for-await path, whatever the chunking`, async () => {
      const expected = await hashGzipStream(iterable(body, 4096));
      for (const size of [1, 977, 16_384, 1 << 20]) expect(await hashGzipReadable(chunks(body, size))).toEqual(expected);
    });
  }

  it('a valid body hashes to the SHA-256 of its inflated bytes', async () => {
    expect(await hashGzipReadable(chunks(gz, 3000))).toEqual({ kind: 'hash', sha256: createHash('sha256').update(raw).digest('hex'), inflatedBytes: raw.length, compressedBytes: gz.length });
  });

  it('an early verdict destroys the stream (no more reading)', async () => {
    const s = new PassThrough();
    const p = hashGzipReadable(s);
    s.write(Buffer.from('plain text, not gzip'));
    expect(await p).toEqual({ kind: 'invalid format', detail: 'not gzip' });
    expect(s.destroyed).toBe(true);
  });

  it('applies the caps', async () => {
    expect(await hashGzipReadable(chunks(gz, 1000), { maxInflated: 1000 })).toEqual({ kind: 'invalid format', detail: 'inflates past the 1000-byte cap' });
    expect(await hashGzipReadable(chunks(gz, 1000), { maxCompressed: 100 })).toEqual({ kind: 'invalid format', detail: 'larger than the 100-byte cap' });
  });

  it('a body that breaks off rejects with its error, and an error after the verdict goes nowhere', async () => {
    const s = new PassThrough();
    const p = hashGzipReadable(s);
    s.write(gz.subarray(0, 100));
    s.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    await expect(p).rejects.toThrow('socket hang up');

    const t = new PassThrough();
    const q = hashGzipReadable(t);
    t.end(gz);
    await expect(q).resolves.toMatchObject({ kind: 'hash' });
    t.destroy(new Error('late')); // would crash the process without a listener
    await new Promise((r) => setImmediate(r));
  });

  it('a stream closed before its end rejects as a for-await loop would', async () => {
    const s = new PassThrough();
    const p = hashGzipReadable(s);
    s.write(gz.subarray(0, 100));
    s.destroy();
    await expect(p).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
  });
});

describe('routing', () => {
  it('Node streams go through their events, other iterables through for-await, to the same verdict', async () => {
    expect(isNodeReadable(chunks(gz, 100))).toBe(true);
    expect(isNodeReadable(iterable(gz, 100))).toBe(false);
    expect(await hashGzipBody(iterable(gz, 100))).toEqual(await hashGzipBody(chunks(gz, 100)));
    expect(await inlineHasher.hash(chunks(flipped, 100))).toEqual({ kind: 'invalid format', detail: 'CRC32 mismatch' });
  });

  it('small bodies are hashed in the calling thread; unknown or larger sizes are not', () => {
    expect(hashesInline(14_000)).toBe(true);
    expect(hashesInline(0)).toBe(true);
    expect(hashesInline(INLINE_MAX_COMPRESSED)).toBe(true);
    expect(hashesInline(INLINE_MAX_COMPRESSED + 1)).toBe(false);
    expect(hashesInline(undefined)).toBe(false);
    expect(hashesInline(-1)).toBe(false);
  });
});

describe('inflaters reused from file to file', () => {
  const one = (body: Buffer, limits = {}) => {
    const h = new SyncLogHasher(limits);
    for (let o = 0; o < body.length; o += 5000) {
      const early = h.write(body.subarray(o, o + 5000));
      if (early) return early;
    }
    return h.end();
  };
  it('a file after a corrupt, a capped, an early-stopped or an interleaved one gets a fresh stream', () => {
    const good = one(gz);
    expect(good).toMatchObject({ kind: 'hash', sha256: createHash('sha256').update(raw).digest('hex') });
    for (const name of Object.keys(bodies)) {
      const expected = one(bodies[name]!);
      expect(one(gz)).toEqual(good);
      expect(one(bodies[name]!)).toEqual(expected);
      expect(one(gz, { maxInflated: 100 })).toEqual({ kind: 'invalid format', detail: 'inflates past the 100-byte cap' });
    }
    // two files in progress at once never share an inflater
    const a = new SyncLogHasher();
    const b = new SyncLogHasher();
    a.write(gz.subarray(0, 3000));
    b.write(flipped.subarray(0, 4000));
    a.write(gz.subarray(3000));
    b.write(flipped.subarray(4000));
    expect(a.end()).toEqual(good);
    expect(b.end()).toEqual({ kind: 'invalid format', detail: 'CRC32 mismatch' });
    expect(idleInflaterCount()).toBeGreaterThanOrEqual(2);
  });
  it('an inflater that saw corrupt data is not reused', () => {
    const bad = Buffer.from(gz);
    bad.fill(0xff, 20, 60);
    const before = idleInflaterCount();
    expect(one(bad)).toMatchObject({ kind: 'invalid format', detail: expect.stringMatching(/^corrupt deflate data/) });
    expect(idleInflaterCount()).toBe(Math.max(0, before - 1));
    expect(one(gz)).toMatchObject({ kind: 'hash' });
  });
});
