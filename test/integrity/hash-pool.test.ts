import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { hashGzipStream } from '../../src/integrity/gzip.js';
import { createHasher as createHasherFromSources } from '../../src/integrity/hash-pool.js';
import type * as Pool from '../../src/integrity/hash-pool.js';

/**
 * The hashing threads as they ship: the compiled pool in dist/ (npm test builds first), whose
 * worker file exists, against the in-thread function on the same bodies. Every outcome (valid,
 * each corruption, the bomb cap) must be identical, whatever the chunking and concurrency.
 */
const DIST = new URL('../../dist/integrity/hash-pool.js', import.meta.url);
const { createHasher } = (await import(DIST.href)) as typeof Pool;

const chunks = (b: Buffer, size: number) => Readable.from(Array.from({ length: Math.ceil(b.length / size) }, (_, i) => b.subarray(i * size, (i + 1) * size)));
const raw = Buffer.from(JSON.stringify({ Records: Array.from({ length: 6000 }, (_, i) => ({ i, id: randomBytes(8).toString('hex'), src: 's3.amazonaws.com' })) }));
const gz = gzipSync(raw);
const flipped = Buffer.from(gz);
flipped[flipped.length - 6]! ^= 0xff; // CRC32 byte
const bodies: Record<string, Buffer> = {
  valid: gz,
  'missing trailer': gz.subarray(0, gz.length - 8),
  'CRC flipped': flipped,
  'appended member': Buffer.concat([gz, gzipSync(Buffer.from('x'))]),
  'one zero byte after': Buffer.concat([gz, Buffer.alloc(1)]),
  'truncated deflate': gz.subarray(0, gz.length >> 1),
  'not gzip': Buffer.from(raw.subarray(0, 300_000)),
  empty: Buffer.alloc(0),
  'three megabytes of noise': randomBytes(3 * 1024 * 1024),
};

describe('hashing threads (dist)', () => {
  const hasher = createHasher(2);
  afterAll(() => hasher.close());

  it('the compiled pool runs its worker threads; from TypeScript sources it hashes in-thread', async () => {
    expect(existsSync(new URL('../../dist/integrity/hash-worker.js', import.meta.url))).toBe(true);
    expect(hasher.threads).toBe(2);
    const inline = createHasherFromSources(2);
    expect(inline.threads).toBe(0);
    await inline.close();
  });

  for (const [name, body] of Object.entries(bodies)) {
    it(`${name}: same outcome as in the main thread`, async () => {
      const expected = await hashGzipStream(chunks(body, 16_384));
      expect(await hasher.hash(chunks(body, 16_384))).toEqual(expected);
      expect(await hasher.hash(chunks(body, 7_001))).toEqual(expected);
    });
  }

  it('applies the inflated-size cap (gzip bomb) in the thread', async () => {
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024));
    expect(await hasher.hash(chunks(bomb, 65_536), { maxInflated: 1024 * 1024 })).toEqual({ kind: 'invalid format', detail: 'inflates past the 1048576-byte cap' });
  });

  it('many files at once, each its own hash', async () => {
    const files = Array.from({ length: 60 }, (_, i) => Buffer.from(`${'{"Records":['.repeat(1)}${'{"n":1},'.repeat(2000 + i)}{}]}`));
    const outs = await Promise.all(files.map((f) => hasher.hash(chunks(gzipSync(f), 4096))));
    outs.forEach((o, i) => expect(o).toMatchObject({ kind: 'hash', sha256: createHash('sha256').update(files[i]!).digest('hex'), inflatedBytes: files[i]!.length }));
  });
});

describe('small files stay in the calling thread', () => {
  it('a body of known small size is hashed without starting a thread, a larger or unknown one starts them', async () => {
    const hasher = createHasher(2);
    const small = gzipSync(raw.subarray(0, 40_000));
    const expected = await hashGzipStream(chunks(small, 16_384));
    expect(await hasher.hash(chunks(small, 16_384), {}, small.length)).toEqual(expected);
    expect(await hasher.hash(chunks(flipped, 16_384), {}, 1000)).toEqual(await hashGzipStream(chunks(flipped, 16_384)));
    expect(hasher.started).toBe(0);
    expect(await hasher.hash(chunks(gz, 16_384), {}, gz.length)).toEqual(await hashGzipStream(chunks(gz, 16_384)));
    expect(gz.length).toBeGreaterThan(32 * 1024);
    expect(hasher.started).toBe(2);
    await hasher.close();
  });
});

describe('hashing threads when a body breaks off', () => {
  it('the error reaches the caller, the thread frees the file, and the pool goes on', async () => {
    const hasher = createHasher(1);
    async function* broken() {
      yield gz.subarray(0, 200_000);
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    }
    await expect(hasher.hash(broken())).rejects.toThrow('socket hang up');
    expect(await hasher.hash(chunks(gz, 16_384))).toMatchObject({ kind: 'hash', sha256: createHash('sha256').update(raw).digest('hex') });
    await hasher.close();
  });
});
