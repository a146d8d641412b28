/** A counting semaphore whose size can shrink while permits are out. */
export class Gate {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(public limit: number) {}
  async acquire(): Promise<void> {
    if (this.inFlight < this.limit) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.inFlight <= this.limit ? this.waiting.shift() : undefined;
    if (next) next();
    else this.inFlight--;
  }
  /** Wake everyone: the service was given up, each waiter fails fast on its own check. */
  drain(): void {
    for (const w of this.waiting.splice(0)) {
      this.inFlight++;
      w();
    }
  }
}
