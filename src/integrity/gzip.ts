import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import type { Readable } from 'node:stream';
import { InflateRaw } from 'minizlib';

/**
 * gzip handling with `validate-logs` parity (cloudtrail-files.md §5.4, §5.6): only the FIRST member
 * is decoded. Node's own gunzip concatenates members and rejects a missing trailer, so the header is
 * parsed here and the deflate stream is inflated raw.
 */

export class GzipFormatError extends Error {
  override name = 'GzipFormatError';
}

const FTEXT_RESERVED = 0xe0;

/**
 * Length of the RFC 1952 header at the start of `buf`; `undefined` when more bytes are needed.
 * Throws GzipFormatError when the bytes are not a gzip header.
 */
export function gzipHeaderLength(buf: Uint8Array, maxHeader = 65_536): number | undefined {
  if (buf.length >= 1 && buf[0] !== 0x1f) throw new GzipFormatError('not gzip');
  if (buf.length >= 2 && buf[1] !== 0x8b) throw new GzipFormatError('not gzip');
  if (buf.length >= 3 && buf[2] !== 8) throw new GzipFormatError('unknown compression method');
  if (buf.length < 10) return undefined;
  const flg = buf[3]!;
  if (flg & FTEXT_RESERVED) throw new GzipFormatError('reserved gzip flags set');
  let p = 10;
  if (flg & 0x04) {
    if (buf.length < p + 2) return undefined;
    const xlen = buf[p]! | (buf[p + 1]! << 8);
    p += 2 + xlen;
    if (buf.length < p) return undefined;
  }
  for (const bit of [0x08, 0x10]) {
    if (flg & bit) {
      const z = buf.indexOf(0, p);
      if (z < 0) {
        if (buf.length > maxHeader) throw new GzipFormatError('gzip header too long');
        return undefined;
      }
      p = z + 1;
    }
  }
  if (flg & 0x02) p += 2;
  if (buf.length < p) return undefined;
  return p;
}

const crc32 = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

function readU32LE(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

/**
 * Inflates a digest: first member only, trailer required and checked, anything after it ignored
 * (as the CLI does). Bounded: a body inflating past `maxInflated` bytes is rejected (gzip bomb).
 */
export function inflateDigest(body: Uint8Array, maxInflated = 64 * 1024 * 1024): Buffer {
  const h = gzipHeaderLength(body);
  if (h === undefined) throw new GzipFormatError('truncated gzip header');
  let res: { buffer: Buffer; engine: { bytesWritten: number } };
  try {
    res = zlib.inflateRawSync(body.subarray(h), { info: true, maxOutputLength: maxInflated }) as unknown as typeof res;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new GzipFormatError(code === 'ERR_BUFFER_TOO_LARGE' ? `inflates past the ${maxInflated}-byte cap` : `corrupt deflate data (${(e as Error).message})`);
  }
  const end = h + res.engine.bytesWritten;
  if (body.length < end + 8) throw new GzipFormatError('missing gzip trailer');
  if (crc32 && crc32(res.buffer) !== readU32LE(body, end)) throw new GzipFormatError('CRC32 mismatch');
  if ((res.buffer.length >>> 0) !== readU32LE(body, end + 4)) throw new GzipFormatError('ISIZE mismatch');
  return res.buffer;
}

export type LogHashOutcome =
  | { kind: 'hash'; sha256: string; inflatedBytes: number; compressedBytes: number }
  | { kind: 'invalid format'; detail: string }
  | { kind: 'unexpected data after end of compressed stream' };

export interface HashLimits {
  /** Compressed bytes read at most (default 1 GiB). */
  maxCompressed?: number;
  /** Inflated bytes hashed at most (default 4 GiB): past that the file is rejected as a bomb. */
  maxInflated?: number;
}

/**
 * Streams a log file body through gunzip (first member) into SHA-256, never holding it whole.
 * Parity quirks kept (§5.6): a missing or partial 8-byte trailer is not an error (the hash decides);
 * a present trailer must match (CRC32, ISIZE); bytes after the member are an error. The rules live
 * in SyncLogHasher, which the hashing threads run as well; each chunk is inflated as it arrives.
 */
export async function hashGzipStream(source: AsyncIterable<Uint8Array>, limits: HashLimits = {}): Promise<LogHashOutcome> {
  const hasher = new SyncLogHasher(limits);
  const it = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      const n = await it.next();
      if (n.done) return hasher.end();
      const early = hasher.write(n.value);
      if (early) return early;
    }
  } finally {
    await it.return?.();
  }
}

/**
 * hashGzipStream's verdicts for a Node stream, read through its 'data' events rather than an async
 * iterator: for a small body (one or two socket chunks), the iterator's promise per chunk and its
 * set-up cost more than inflating and hashing it. An early outcome destroys the stream (as leaving
 * a for-await loop does); an error, or a close before the end, rejects as the iterator would throw.
 */
export function hashGzipReadable(source: Readable, limits: HashLimits = {}): Promise<LogHashOutcome> {
  return new Promise<LogHashOutcome>((resolve, reject) => {
    const hasher = new SyncLogHasher(limits);
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('close', onClose);
      fn();
    };
    const onData = (chunk: Uint8Array) => {
      let early: LogHashOutcome | undefined;
      try {
        early = hasher.write(chunk);
      } catch (e) {
        settle(() => reject(e));
        source.destroy();
        return;
      }
      if (early) {
        const outcome = early;
        settle(() => resolve(outcome));
        source.destroy();
      }
    };
    const onEnd = () => settle(() => resolve(hasher.end()));
    const onClose = () => settle(() => reject(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' })));
    // stays attached once settled: a socket error after an early verdict has no one else to go to
    source.on('error', (e) => settle(() => reject(e)));
    source.on('end', onEnd);
    source.on('close', onClose);
    source.on('data', onData);
  });
}

/** A Node stream (read through its events), as opposed to any other async iterable of chunks. */
export const isNodeReadable = (s: unknown): s is Readable =>
  typeof s === 'object' && s !== null && typeof (s as Readable).on === 'function' && typeof (s as Readable).pipe === 'function' && typeof (s as Readable).destroy === 'function';

/** hashGzipReadable for Node streams, hashGzipStream for anything else. */
export const hashGzipBody = (source: AsyncIterable<Uint8Array>, limits: HashLimits = {}): Promise<LogHashOutcome> =>
  isNodeReadable(source) ? hashGzipReadable(source, limits) : hashGzipStream(source, limits);

/**
 * What follows the deflate stream (§5.6 parity): fewer than 8 bytes is not an error (the hash
 * decides); a full trailer must match CRC32 and ISIZE; anything after it is an error.
 */
function trailerVerdict(rest: Uint8Array, crc: number, inflated: number): LogHashOutcome | undefined {
  if (rest.length < 8) return undefined;
  if (crc32 && readU32LE(rest, 0) !== crc >>> 0) return { kind: 'invalid format', detail: 'CRC32 mismatch' };
  if (readU32LE(rest, 4) !== inflated >>> 0) return { kind: 'invalid format', detail: 'ISIZE mismatch' };
  if (rest.length > 8) return { kind: 'unexpected data after end of compressed stream' };
  return undefined;
}

/** Input fed to the synchronous inflater at a time: bounds one write's output (~200 KB, 16 MB for a bomb). */
const SYNC_PIECE = 16 * 1024;

/**
 * Raw inflaters, kept for the next file once one is done. Creating one (a zlib stream, its window,
 * minizlib's wrapper) cost about as much as inflating and hashing a 14 KB log file; a reset one
 * starts a new deflate stream as a new one would. One that saw an error is closed, never reused.
 */
interface PooledInflater {
  z: InflateRaw;
  sink: SyncLogHasher | undefined;
}
const idleInflaters: PooledInflater[] = [];
const MAX_IDLE_INFLATERS = 64;

function acquireInflater(sink: SyncLogHasher): PooledInflater {
  const reused = idleInflaters.pop();
  if (reused) {
    reused.sink = sink;
    return reused;
  }
  // minizlib hands its options to node:zlib, which takes the output chunk size
  const options = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH, chunkSize: 128 * 1024 };
  const p: PooledInflater = { z: new InflateRaw(options as ConstructorParameters<typeof InflateRaw>[0]), sink };
  p.z.on('data', (c: Buffer) => p.sink?.onInflated(c));
  p.z.on('error', (e: unknown) => p.sink?.onInflateError(e));
  return p;
}

function releaseInflater(p: PooledInflater, reusable: boolean): void {
  p.sink = undefined;
  if (reusable && idleInflaters.length < MAX_IDLE_INFLATERS) {
    try {
      p.z.reset();
      idleInflaters.push(p);
      return;
    } catch {
      /* closed below */
    }
  }
  p.z.close();
}

/** Inflaters waiting for reuse (tests). */
export const idleInflaterCount = (): number => idleInflaters.length;

/**
 * A log file's verdict, computed synchronously in the calling thread (minizlib drives Node's zlib
 * binding without the libuv pool). In the hashing threads, inflating in the thread that hashes keeps
 * every output chunk in that core's cache and starts no extra threads competing for the cores.
 * Feed it compressed chunks with write(); an outcome decided early (bad header, corrupt data, caps)
 * comes back from write(), the final one from end().
 */
export class SyncLogHasher {
  private readonly maxCompressed: number;
  private readonly maxInflated: number;
  private readonly hash = createHash('sha256');
  private readonly inflater: PooledInflater;
  private header: Buffer | undefined = Buffer.alloc(0);
  private compressed = 0;
  private inflated = 0;
  private crc = 0;
  private failure: Error | undefined;
  private bomb = false;
  /** Bytes after the end of the deflate stream (trailer and anything else), once it has ended. */
  private after: Buffer[] | undefined;
  private done: LogHashOutcome | undefined;

  constructor(limits: HashLimits = {}) {
    this.maxCompressed = limits.maxCompressed ?? 1024 ** 3;
    this.maxInflated = limits.maxInflated ?? 4 * 1024 ** 3;
    this.inflater = acquireInflater(this);
  }

  /** Output of the inflater (called synchronously from its write). */
  onInflated(c: Buffer): void {
    this.inflated += c.length;
    if (this.inflated > this.maxInflated) {
      this.bomb = true;
      return;
    }
    this.hash.update(c);
    if (crc32) this.crc = crc32(c, this.crc);
  }

  onInflateError(e: unknown): void {
    this.failure ??= e instanceof Error ? e : new Error(String(e));
  }

  write(chunk: Uint8Array): LogHashOutcome | undefined {
    if (this.done) return this.done;
    this.compressed += chunk.byteLength;
    if (this.compressed > this.maxCompressed) return this.finish({ kind: 'invalid format', detail: `larger than the ${this.maxCompressed}-byte cap` });
    let data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.header) {
      this.header = Buffer.concat([this.header, data]);
      let h: number | undefined;
      try {
        h = gzipHeaderLength(this.header);
      } catch (e) {
        return this.finish({ kind: 'invalid format', detail: (e as Error).message });
      }
      if (h === undefined) return undefined;
      data = this.header.subarray(h);
      this.header = undefined;
    }
    for (let o = 0; o < data.length; o += SYNC_PIECE) {
      const piece = data.subarray(o, o + SYNC_PIECE);
      if (this.after) {
        this.after.push(piece);
        continue;
      }
      this.inflater.z.write(piece);
      if (this.failure || this.bomb) return this.finish(this.early()!);
      // bytesWritten is the input the last write consumed: less than given means the stream ended
      const used = (this.inflater.z.handle as { bytesWritten?: number } | undefined)?.bytesWritten ?? piece.length;
      if (used < piece.length) this.after = [piece.subarray(used)];
    }
    return undefined;
  }

  end(): LogHashOutcome {
    if (this.done) return this.done;
    if (this.header) return this.finish({ kind: 'invalid format', detail: 'not gzip (empty or truncated header)' });
    const rest = this.after ? Buffer.concat(this.after) : Buffer.alloc(0);
    return this.finish(trailerVerdict(rest, this.crc, this.inflated) ?? { kind: 'hash', sha256: this.hash.digest('hex'), inflatedBytes: this.inflated, compressedBytes: this.compressed });
  }

  private early(): LogHashOutcome | undefined {
    if (this.bomb) return { kind: 'invalid format', detail: `inflates past the ${this.maxInflated}-byte cap` };
    if (this.failure) return { kind: 'invalid format', detail: `corrupt deflate data (${this.failure.message})` };
    return undefined;
  }

  private finish(o: LogHashOutcome): LogHashOutcome {
    this.done = o;
    this.after = undefined;
    releaseInflater(this.inflater, this.failure === undefined);
    return o;
  }
}
