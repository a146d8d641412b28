/**
 * A token bucket: at most `ratePerSecond` acquisitions per second on average, bursts up to `burst`.
 * CloudTrail LookupEvents allows 2 requests per second per account and region; everything that
 * calls it for one region shares one limiter, so concurrent steps never exceed the rate together.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly ratePerSecond: number,
    readonly burst = Math.max(1, Math.floor(ratePerSecond)),
    private readonly clock: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    if (!(ratePerSecond > 0)) throw new Error('ratePerSecond must be > 0');
    this.tokens = this.burst;
    this.last = clock();
  }

  /** Resolves when the caller may send one request. Callers are served in order. */
  acquire(): Promise<void> {
    const turn = this.queue.then(() => this.take());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async take(): Promise<void> {
    for (;;) {
      const now = this.clock();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000));
    }
  }
}

/** Limiters shared by key (e.g. `cloudtrail:LookupEvents@eu-west-1`) within one run. */
export class RateLimiters {
  private readonly map = new Map<string, RateLimiter>();
  constructor(private readonly defaults: Record<string, number> = {}) {}

  get(key: string, ratePerSecond?: number): RateLimiter {
    let l = this.map.get(key);
    if (!l) {
      const op = key.split('@')[0] ?? key;
      l = new RateLimiter(ratePerSecond ?? this.defaults[op] ?? 5);
      this.map.set(key, l);
    }
    return l;
  }
}

/** Documented API rate limits trail-doctor respects (requests per second, per account and region). */
export const API_RATE_LIMITS: Record<string, number> = {
  'cloudtrail:LookupEvents': 2,
};
