/**
 * Results that complete out of order, delivered in the order they were queued (the CLI's order:
 * newest digest first, then its logs). The queue length is the walk's backpressure: memory stays
 * flat however long the window is.
 */
export class OrderedQueue<T> {
  private q: Array<{ done: boolean; value?: T; promise: Promise<unknown> }> = [];
  private error: unknown;
  private hasError = false;

  constructor(private readonly sink: (v: T) => void) {}

  get length(): number {
    return this.q.length;
  }

  push(v: T | Promise<T>): void {
    const slot: { done: boolean; value?: T; promise: Promise<unknown> } = { done: false, promise: Promise.resolve() };
    slot.promise = Promise.resolve(v).then(
      (value) => {
        slot.value = value;
        slot.done = true;
        this.flush();
      },
      (err) => {
        if (!this.hasError) {
          this.hasError = true;
          this.error = err;
        }
        slot.done = true;
      },
    );
    this.q.push(slot);
  }

  private flush(): void {
    if (this.hasError) return;
    while (this.q.length && this.q[0]!.done) {
      const s = this.q.shift()!;
      this.sink(s.value as T);
    }
  }

  /** Waits until at most `n` entries are pending; rethrows the first failure. */
  async waitBelow(n: number): Promise<void> {
    while (this.q.length > n && !this.hasError) {
      await this.q[0]!.promise;
      this.flush();
    }
    if (this.hasError) throw this.error;
  }

  drain(): Promise<void> {
    return this.waitBelow(0);
  }

  get failed(): boolean {
    return this.hasError;
  }
}
