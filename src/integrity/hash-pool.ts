import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { hashGzipBody, type HashLimits, type LogHashOutcome } from './gzip.js';

/**
 * Inflating and hashing every log file is most of `validate`'s CPU. In the main thread it competes
 * with the HTTP traffic for one core; this pool runs it in worker threads so both cores work. The
 * main thread only copies each body's chunks (coalesced to ~128 KB) into transferred buffers;
 * flow control keeps at most MAX_UNACKED chunks of one file in flight, so memory stays bounded by
 * concurrency × 256 KB whatever the file sizes. The threads run SyncLogHasher; where no compiled
 * worker exists (running from TypeScript sources), hashing stays in this thread with
 * hashGzipStream, the same rules fed from the stream.
 */
export type ToWorker =
  | { t: 'start'; id: number; limits: HashLimits }
  | { t: 'data'; id: number; chunk: ArrayBuffer }
  | { t: 'end'; id: number };

type FromWorker =
  | { t: 'ack'; id: number }
  | { t: 'done'; id: number; outcome: LogHashOutcome }
  | { t: 'failed'; id: number; message: string };

export interface Hasher {
  /**
   * `compressedSize`: the body's length when known (Content-Length). A body of at most
   * INLINE_MAX_COMPRESSED bytes is hashed in the calling thread, and a run of only such files
   * never starts the threads.
   */
  hash(source: AsyncIterable<Uint8Array>, limits?: HashLimits, compressedSize?: number): Promise<LogHashOutcome>;
  close(): Promise<void>;
  /** Worker threads in use (0: hashing in the calling thread). */
  readonly threads: number;
  /** Worker threads started so far (they start with the first file handed to them). */
  readonly started: number;
}

const COALESCE = 128 * 1024;
const MAX_UNACKED = 2;

interface Job {
  slot: unknown;
  acked: () => void;
  done: (o: LogHashOutcome) => void;
  failed: (e: Error) => void;
  unacked: number;
}

/**
 * Bodies up to this many compressed bytes are inflated and hashed in the calling thread. Handing a
 * file to a thread costs the main thread about 0.5 ms whatever its size (three messages, a copy, the
 * wake-ups: measured over 576 files of 14 KB, postMessage alone was the largest item of the
 * profile), while inflating and hashing 32 KB of CloudTrail gzip (~350 KB inflated) here costs
 * about as much. Larger files still go to the threads, which keep both cores busy (in the 20–200 KB
 * bench the main thread is busy with the requests: it should not take on much more).
 */
export const INLINE_MAX_COMPRESSED = 32 * 1024;

/** Whether a body of `compressedSize` bytes (undefined: unknown) is hashed in the calling thread. */
export const hashesInline = (compressedSize: number | undefined): boolean => compressedSize !== undefined && compressedSize >= 0 && compressedSize <= INLINE_MAX_COMPRESSED;

/** Hashing in the calling thread. */
export const inlineHasher: Hasher = { hash: (s, l) => hashGzipBody(s, l), close: async () => undefined, threads: 0, started: 0 };

function workerFile(): URL | undefined {
  const url = new URL('./hash-worker.js', import.meta.url);
  return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url : undefined;
}

/**
 * Threads worth starting: one per core, at most 4. Not cores − 1: the main thread mostly waits on
 * the network (measured idle 70 % of a 7-day run), and on 2 cores two hashing threads finished
 * 0.4–0.6 s sooner than one.
 */
export function defaultHashThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

export function createHasher(threads = defaultHashThreads()): Hasher {
  const file = workerFile();
  if (!file || threads < 1) return inlineHasher;
  const workers: Array<{ w: Worker; active: number }> = [];
  const jobs = new Map<number, Job>();
  let nextId = 1;
  let broken: Error | undefined;
  let closing = false;
  // started with the first file, so a run that finds no digests starts no threads
  const start = () => {
    for (let i = 0; i < threads; i++) {
      const w = new Worker(file);
      w.unref();
      const slot = { w, active: 0 };
      w.on('message', (m: FromWorker) => {
        const job = jobs.get(m.id);
        if (!job) return;
        if (m.t === 'ack') {
          job.unacked--;
          job.acked();
          return;
        }
        jobs.delete(m.id);
        if (--slot.active === 0) slot.w.unref();
        job.acked(); // a reader waiting to send more learns the file is settled
        if (m.t === 'done') job.done(m.outcome);
        else job.failed(new Error(`hashing thread: ${m.message}`));
      });
      const fail = (e: Error) => {
        broken ??= e;
        for (const [id, job] of jobs) {
          if (job.slot !== slot) continue;
          jobs.delete(id);
          job.failed(e);
          job.acked();
        }
      };
      w.on('error', fail);
      w.on('exit', (code) => {
        if (!closing) fail(new Error(`hashing thread exited (code ${code})`));
      });
      workers.push(slot);
    }
  };

  const hash = async (source: AsyncIterable<Uint8Array>, limits: HashLimits = {}, compressedSize?: number): Promise<LogHashOutcome> => {
    if (broken || hashesInline(compressedSize)) return hashGzipBody(source, limits);
    if (workers.length === 0) start();
    const slot = workers.reduce((a, b) => (b.active < a.active ? b : a));
    // an idle pool never keeps the process alive; a busy one must, until its answers are in
    if (slot.active++ === 0) slot.w.ref();
    const id = nextId++;
    let wakeAck: (() => void) | undefined;
    let settled = false;
    const result = new Promise<LogHashOutcome>((resolve, reject) => {
      jobs.set(id, {
        slot,
        acked: () => wakeAck?.(),
        done: (o) => ((settled = true), resolve(o)),
        failed: (e) => ((settled = true), reject(e)),
        unacked: 0,
      });
    });
    result.catch(() => undefined);
    const job = jobs.get(id)!;
    slot.w.postMessage({ t: 'start', id, limits } satisfies ToWorker);
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (pendingBytes === 0) return;
      // Copied into a buffer of our own and transferred. Not cloned: socket chunks are views into
      // larger buffers, and cloning a view copies its whole backing store (measured: three times the main thread's time).
      const ab = new ArrayBuffer(pendingBytes);
      const view = new Uint8Array(ab);
      let o = 0;
      for (const p of pending) {
        view.set(p, o);
        o += p.byteLength;
      }
      pending = [];
      pendingBytes = 0;
      while (job.unacked >= MAX_UNACKED && !settled) await new Promise<void>((r) => (wakeAck = r));
      if (settled) return;
      job.unacked++;
      slot.w.postMessage({ t: 'data', id, chunk: ab } satisfies ToWorker, [ab]);
    };
    const it = source[Symbol.asyncIterator]();
    try {
      for (;;) {
        const n = await it.next();
        if (n.done || settled) break;
        pending.push(n.value);
        pendingBytes += n.value.byteLength;
        if (pendingBytes >= COALESCE) await flush();
      }
      await flush();
    } catch (e) {
      // the body broke off (network, timeout): the thread still settles the file, freeing its slot
      if (!settled) slot.w.postMessage({ t: 'end', id } satisfies ToWorker);
      throw e;
    } finally {
      await it.return?.();
    }
    if (!settled) slot.w.postMessage({ t: 'end', id } satisfies ToWorker);
    return result;
  };

  return {
    hash,
    threads,
    get started() {
      return workers.length;
    },
    close: async () => {
      closing = true;
      await Promise.all(workers.map((s) => s.w.terminate()));
    },
  };
}
