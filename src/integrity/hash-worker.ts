import { parentPort } from 'node:worker_threads';
import { hashGzipStream, type HashLimits } from './gzip.js';
import type { ToWorker } from './hash-pool.js';

/**
 * One hashing thread of the pool (hash-pool.ts): bodies arrive as batches of chunks, go through the
 * same first-member gunzip + SHA-256 as in the main thread, and the outcome goes back. Each batch is
 * acknowledged once consumed, so the main thread never has more than a few in flight per file.
 */
class ChunkQueue implements AsyncIterable<Uint8Array> {
  private readonly batches: Uint8Array[][] = [];
  private ended = false;
  private wake?: () => void;
  constructor(private readonly onConsumed: () => void) {}
  push(batch: Uint8Array[]): void {
    this.batches.push(batch);
    this.wake?.();
  }
  end(): void {
    this.ended = true;
    this.wake?.();
  }
  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const batch = this.batches.shift();
      if (batch) {
        for (const c of batch) yield c;
        this.onConsumed();
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
    }
  }
}

const port = parentPort!;
const jobs = new Map<number, ChunkQueue>();
const run = (id: number, q: ChunkQueue, limits: HashLimits) =>
  hashGzipStream(q, limits).then(
    (outcome) => {
      jobs.delete(id);
      port.postMessage({ t: 'done', id, outcome });
    },
    (e: unknown) => {
      jobs.delete(id);
      port.postMessage({ t: 'failed', id, message: (e as Error)?.message ?? String(e) });
    },
  );
port.on('message', (m: ToWorker) => {
  if (m.t === 'start') {
    const q = new ChunkQueue(() => port.postMessage({ t: 'ack', id: m.id }));
    jobs.set(m.id, q);
    void run(m.id, q, m.limits);
  } else if (m.t === 'data') jobs.get(m.id)?.push(m.chunks);
  else if (m.t === 'end') jobs.get(m.id)?.end();
});
