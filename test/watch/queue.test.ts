import { describe, expect, it } from 'vitest';
import { DiagnosisQueue } from '../../src/watch/queue.js';
import type { DiagnosisRequest } from '../../src/watch/alerts.js';

const req = (n: number, region = 'eu-west-1'): DiagnosisRequest => ({ trailArn: `arn:aws:cloudtrail:eu-west-1:123456789012:trail/t${n}`, region, labels: {} });

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('diagnosis queue', () => {
  it('one diagnosis per trail at a time: a repeat while it runs is deduplicated, accepted again after', async () => {
    const gates: ReturnType<typeof deferred>[] = [];
    const runs: string[] = [];
    const q = new DiagnosisQueue({
      maxPerHour: 100,
      run: async (r) => {
        runs.push(r.trailArn);
        const g = deferred();
        gates.push(g);
        await g.promise;
      },
    });
    expect(q.submit(req(1))).toBe('started');
    expect(q.submit(req(1))).toBe('deduplicated');
    expect(q.submit(req(1, 'eu-central-1'))).toBe('started');
    await new Promise((r) => setImmediate(r));
    expect(runs.length).toBe(2);
    gates[0]!.resolve();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(q.submit(req(1))).toBe('started');
  });

  it('at most maxPerHour started in any rolling hour, all trails together', async () => {
    let now = 0;
    const q = new DiagnosisQueue({ maxPerHour: 3, now: () => now, run: async () => {} });
    expect([1, 2, 3, 4].map((n) => q.submit(req(n)))).toEqual(['started', 'started', 'started', 'rate_limited']);
    now = 59 * 60_000;
    expect(q.submit(req(5))).toBe('rate_limited');
    now = 60 * 60_000;
    expect(q.submit(req(5))).toBe('started');
    expect(q.submit(req(6))).toBe('started');
  });

  it('runs at most `concurrency` at once; waiting runs count as in progress and are deduplicated', async () => {
    let running = 0;
    let peak = 0;
    const q = new DiagnosisQueue({
      maxPerHour: 100,
      concurrency: 2,
      run: async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 20));
        running--;
      },
    });
    for (let n = 0; n < 5; n++) q.submit(req(n));
    expect(q.submit(req(4))).toBe('deduplicated');
    expect(q.inProgress).toBe(5);
    await q.stop(1_000);
    expect(peak).toBe(2);
  });

  it('a failing diagnosis frees its trail; 0 per hour never diagnoses; stop() refuses new work and bounds the wait', async () => {
    const q = new DiagnosisQueue({ maxPerHour: 10, run: async () => Promise.reject(new Error('boom')) });
    q.submit(req(1));
    await new Promise((r) => setTimeout(r, 5));
    expect(q.submit(req(1))).toBe('started');
    expect(new DiagnosisQueue({ maxPerHour: 0, run: async () => {} }).submit(req(1))).toBe('rate_limited');
    const hung = new DiagnosisQueue({ maxPerHour: 10, run: () => new Promise(() => {}) });
    hung.submit(req(1));
    const t0 = Date.now();
    expect(await hung.stop(50)).toBe(false);
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(hung.submit(req(2))).toBe('stopped');
  });
});
