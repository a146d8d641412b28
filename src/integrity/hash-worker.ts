import { parentPort } from 'node:worker_threads';
import { SyncLogHasher } from './gzip.js';
import type { ToWorker } from './hash-pool.js';

/**
 * One hashing thread of the pool (hash-pool.ts). Each body arrives as transferred chunks and is
 * inflated and hashed right here, synchronously (SyncLogHasher: the verdicts of hashGzipStream),
 * so the chunks never leave this core and no libuv pool thread competes for it. Each chunk is
 * acknowledged once consumed, so the main thread never has more than a few in flight per file.
 */
const port = parentPort!;
const jobs = new Map<number, SyncLogHasher>();
const settle = (id: number, outcome: ReturnType<SyncLogHasher['end']>) => {
  jobs.delete(id);
  port.postMessage({ t: 'done', id, outcome });
};
port.on('message', (m: ToWorker) => {
  try {
    if (m.t === 'start') jobs.set(m.id, new SyncLogHasher(m.limits));
    else if (m.t === 'data') {
      const h = jobs.get(m.id);
      if (!h) return; // settled early: late chunks are dropped
      const early = h.write(new Uint8Array(m.chunk));
      if (early) settle(m.id, early);
      else port.postMessage({ t: 'ack', id: m.id });
    } else if (m.t === 'end') {
      const h = jobs.get(m.id);
      if (h) settle(m.id, h.end());
    }
  } catch (e) {
    jobs.delete(m.id);
    port.postMessage({ t: 'failed', id: m.id, message: (e as Error)?.message ?? String(e) });
  }
});
