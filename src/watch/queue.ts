import type { DiagnosisRequest } from './alerts.js';

/**
 * Diagnoses on alert, deduplicated and rate-limited. A diagnosis is the whole runbook (dozens of
 * calls, seconds to minutes), and Alertmanager repeats itself (group_interval, repeat_interval,
 * several rules for one broken trail): one diagnosis per trail at a time, at most `maxPerHour`
 * started in any rolling hour, at most `concurrency` running together. Nothing queues up behind the
 * limits, so memory stays bounded however often Alertmanager calls.
 */
export type Enqueued = 'started' | 'deduplicated' | 'rate_limited' | 'stopped';

export interface QueueOptions {
  maxPerHour: number;
  concurrency?: number;
  now?: () => number;
  run: (req: DiagnosisRequest) => Promise<void>;
}

const HOUR_MS = 3_600_000;

export class DiagnosisQueue {
  private readonly active = new Map<string, Promise<void>>();
  private readonly waiting: { req: DiagnosisRequest; key: string }[] = [];
  /** Start times within the last hour: never more than maxPerHour entries. */
  private readonly starts: number[] = [];
  private running = 0;
  private stopped = false;
  private readonly now: () => number;
  private readonly concurrency: number;

  constructor(private readonly opts: QueueOptions) {
    this.now = opts.now ?? Date.now;
    this.concurrency = Math.max(1, opts.concurrency ?? 2);
  }

  static key(req: Pick<DiagnosisRequest, 'trailArn' | 'region'>): string {
    return `${req.trailArn}\u0000${req.region}`;
  }

  /** Accepts or refuses at once; a run waiting for a concurrency slot counts as in progress. */
  submit(req: DiagnosisRequest): Enqueued {
    if (this.stopped) return 'stopped';
    const key = DiagnosisQueue.key(req);
    if (this.active.has(key) || this.waiting.some((w) => w.key === key)) return 'deduplicated';
    const now = this.now();
    while (this.starts.length && this.starts[0]! <= now - HOUR_MS) this.starts.shift();
    if (this.starts.length >= this.opts.maxPerHour) return 'rate_limited';
    this.starts.push(now);
    this.waiting.push({ req, key });
    this.pump();
    return 'started';
  }

  private pump(): void {
    while (!this.stopped && this.running < this.concurrency && this.waiting.length) {
      const { req, key } = this.waiting.shift()!;
      this.running++;
      const p = Promise.resolve()
        .then(() => this.opts.run(req))
        .catch(() => undefined)
        .finally(() => {
          this.running--;
          this.active.delete(key);
          this.pump();
        });
      this.active.set(key, p);
    }
  }

  /** Trails with a diagnosis running or waiting. */
  get inProgress(): number {
    return this.active.size + this.waiting.length;
  }

  /** No new runs; waits for running ones up to `graceMs`, abandoning the rest. */
  async stop(graceMs: number): Promise<boolean> {
    this.stopped = true;
    this.waiting.length = 0;
    if (!this.active.size) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), graceMs)));
    const done = Promise.all([...this.active.values()]).then(() => true as const);
    const r = await Promise.race([done, timeout]);
    clearTimeout(timer);
    return r;
  }
}
