import type { AwsClients } from '../aws/clients.js';
import { exceedsCloudWatchLimit, DEFAULT_LATE_DELIVERY_MS, type Destination } from './model.js';
import { fetchCwl, ingestS3, newCwlStore, newStore, type CwlStore, type S3Target } from './deliveries.js';
import { GLOBAL_REGION } from './scope.js';
import { S3Reader, UNLIMITED_S3 } from './s3-reader.js';
import type { Cmp, GapRun } from './run.js';

/** The IAM actions behind reading what the trail delivered. */
export const DELIVERED_ACTIONS = ['s3:ListBucket', 's3:GetObject', 'logs:FilterLogEvents'] as const;

/** Log files delivered this soon after an event are read first; later ones only for events not found. */
const FIRST_LOOK_MS = 15 * 60_000;

/**
 * The delivered-record store: event IDs the trail delivered to S3 (only the log files of the hours
 * event history put events in, each streamed once; us-east-1's only around the global-service
 * events compared) and to CloudWatch Logs (fetched for the time ranges compared), and each compared
 * event's delivery status per destination.
 */
export class DeliveredRecords {
  readonly s3 = newStore();
  readonly s3Global = newStore();
  readonly cwl: CwlStore = newCwlStore();
  /** undefined: not made yet; null: the trail has no bucket. */
  private s3Reader?: S3Reader | null;

  constructor(
    private readonly clients: AwsClients,
    private readonly run: GapRun,
  ) {}

  s3Target(region: string): S3Target | undefined {
    const { trail: t, bucketRegion, accountId, orgId } = this.run.inputs;
    if (!t.s3BucketName) return undefined;
    return {
      bucket: t.s3BucketName,
      bucketRegion: bucketRegion ?? t.homeRegion ?? this.run.opts.region,
      prefix: t.s3KeyPrefix,
      accountId,
      orgId: t.isOrganizationTrail ? orgId : undefined,
      region,
    };
  }

  /** The reader of the studied region's log files, made on first use (none without a bucket). */
  private reader(): S3Reader | undefined {
    if (this.s3Reader !== undefined) return this.s3Reader || undefined;
    const { opts, notes } = this.run;
    const target = this.s3Target(opts.region);
    if (!target) {
      notes.push('the trail has no S3 bucket');
      this.s3Reader = null;
      return undefined;
    }
    this.s3Reader = new S3Reader(this.clients, target, this.s3, opts.s3Budget ?? UNLIMITED_S3, {
      concurrency: opts.concurrency,
      maxFileBytes: opts.maxFileBytes,
      ...(opts.shared ? { share: opts.shared } : {}),
      onProgress: (done, total) => {
        if (done % 50 === 0 || done === total) opts.onProgress?.({ phase: 's3', done, total, message: 'reading S3 log files' });
      },
    });
    return this.s3Reader;
  }

  /** ListObjectsV2 calls made for the studied region, and whether the S3 budget cut a read short. */
  s3Spend(): { listCalls: number; budgetSpent: boolean } {
    return { listCalls: this.s3Reader?.listCalls ?? 0, budgetSpent: this.s3Reader?.budgetSpent ?? false };
  }

  /**
   * Reads the log files that can hold the given events: first those delivered within minutes of
   * each (CloudTrail delivers about every 5 minutes), then, for an event not found there, up to
   * the late-delivery margin. Only the hours event history put events in are ever read.
   */
  private async readFor(events: Cmp[]): Promise<void> {
    if (!(await this.mayRead())) return;
    const reader = this.reader();
    if (!reader || !events.length) return;
    const late = this.run.opts.lateDeliveryMs ?? DEFAULT_LATE_DELIVERY_MS;
    const soon = Math.min(late, FIRST_LOOK_MS);
    await reader.ensure(events.map((c) => [c.t - 60_000, c.t + soon]));
    const notFound = events.filter((c) => !this.s3.ids.has(c.id));
    if (notFound.length && soon < late) await reader.ensure(notFound.map((c) => [c.t - 60_000, c.t + late]));
  }

  /** Reads started while event history is still sampled. */
  private readonly ahead: Promise<void>[] = [];

  /**
   * Starts reading the log files of events just compared, without judging them yet: the S3 reads
   * overlap the paced LookupEvents calls instead of following them. evaluate() waits for them.
   */
  readAhead(events: Cmp[]): void {
    const region = this.run.opts.region;
    const todo = events.filter((c) => c.scope === 'in' && c.s3 === undefined && c.historyRegion === region);
    if (todo.length) this.ahead.push(this.readFor(todo).catch(() => undefined));
  }

  /** Once the run may read deliveries (opts.readsAfter settled): false when it was abandoned meanwhile. */
  private async mayRead(): Promise<boolean> {
    const { readsAfter, signal } = this.run.opts;
    if (readsAfter) await readsAfter.catch(() => undefined);
    return !signal?.aborted;
  }

  /** us-east-1's log files around the given global-service event times. */
  async ingestGlobal(times: number[]): Promise<void> {
    if (!(await this.mayRead())) return;
    const target = this.s3Target(GLOBAL_REGION);
    if (!target) return;
    const { opts } = this.run;
    const late = opts.lateDeliveryMs ?? DEFAULT_LATE_DELIVERY_MS;
    await ingestS3(this.clients, target, { from: times[0]! - 60_000, to: times[times.length - 1]! + late, keep: (ms) => times.some((x) => ms >= x - 60_000 && ms <= x + late), concurrency: opts.concurrency, maxFileBytes: opts.maxFileBytes, ...(opts.shared ? { share: opts.shared } : {}) }, this.s3Global);
  }

  /** Marks S3 and CloudWatch Logs delivery for every compared event not yet judged. */
  async evaluate(): Promise<void> {
    const { compared, opts, logGroupName, hours } = this.run;
    const late = opts.lateDeliveryMs ?? DEFAULT_LATE_DELIVERY_MS;
    await Promise.all(this.ahead.splice(0));
    await this.readFor([...compared.values()].filter((c) => c.scope === 'in' && c.s3 === undefined && c.historyRegion === opts.region));
    const needCwl: [number, number][] = [];
    for (const c of compared.values()) {
      if (c.scope !== 'in') continue;
      if (c.s3 === undefined) {
        const local = c.historyRegion === opts.region;
        const store = local ? this.s3 : this.s3Global;
        const found = store.ids.has(c.id);
        // An event is judged missing only once every file that could hold it was read.
        if (found || !local || !this.s3Reader || this.s3Reader.isCovered(c.t - 60_000, c.t + late)) c.s3 = found;
        const size = store.large.get(c.id);
        if (size !== undefined) c.size = size;
      }
      if (logGroupName && c.cwl === undefined) needCwl.push([c.t - 1000, c.t + 1000]);
    }
    if (logGroupName && needCwl.length && (await this.mayRead())) {
      opts.onProgress?.({ phase: 'cloudwatch-logs', done: 0, total: 1, message: 'reading the CloudWatch Logs log group' });
      // Fetch the hours' covered ranges (not event by event): few FilterLogEvents calls.
      const ranges: [number, number][] = [];
      for (const h of hours) for (const [a, b] of h.covered) ranges.push([a - 1000, b + 1000]);
      for (const r of needCwl) ranges.push(r);
      await fetchCwl(this.clients, opts.region, logGroupName, ranges, this.cwl);
      for (const c of compared.values()) {
        if (c.scope !== 'in' || c.cwl !== undefined) continue;
        if (!this.cwl.fetched.some(([a, b]) => a <= c.t && c.t <= b)) continue;
        c.cwl = this.cwl.ids.has(c.id);
        if (!c.cwl && c.s3 && exceedsCloudWatchLimit(c.size)) c.tooLarge = true;
      }
    }
  }

  /** A destination whose listing or reading failed cannot prove anything missing. */
  unreadable(d: Destination, historyRegion = this.run.opts.region): boolean {
    if (d === 's3') return (historyRegion === this.run.opts.region ? this.s3 : this.s3Global).errors.length > 0;
    return this.cwl.errors.length > 0;
  }

  readonly status = (c: Cmp, d: Destination): 'delivered' | 'missing' | 'n/a' => {
    if (c.scope !== 'in' || this.unreadable(d, c.historyRegion)) return 'n/a';
    if (d === 's3') return c.s3 === undefined ? 'n/a' : c.s3 ? 'delivered' : 'missing';
    if (c.cwl === undefined || c.tooLarge) return 'n/a';
    return c.cwl ? 'delivered' : 'missing';
  };
}
