import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import type { AwsClients } from '../aws/clients.js';
import { classifyError } from '../aws/call.js';
import { addRecords, dayPrefix, keyDeliveryTime, readDeliveredFile, DEFAULT_MAX_FILE_BYTES, type DeliveredStore, type S3Target } from './deliveries.js';
import type { LogFileShare } from './shared-reads.js';

const DAY = 86_400_000;

/** What the S3 side of one gap measurement may spend. */
export interface S3Budget {
  /** Log files read at most (GetObject calls). */
  maxFiles: number;
  /** Compressed bytes read at most. */
  maxBytes: number;
}

export const UNLIMITED_S3: S3Budget = { maxFiles: 200_000, maxBytes: Number.MAX_SAFE_INTEGER };

/** Sorted, with touching spans (to the millisecond) joined. */
function mergeSpans(spans: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const r of [...spans].sort((a, b) => a[0] - b[0])) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

interface Listed {
  key: string;
  size: number;
  t: number;
}

/**
 * Reads a trail's S3 log files on demand, by delivery-time span: each day folder is listed once
 * (cached), each file is read once, and only the spans asked for are read — the spans where event
 * history says events should have been delivered. A span is `covered` once every file of it was
 * read (or the bucket is gone); a span cut short by the budget stays uncovered, so nothing in it is
 * ever counted missing.
 */
export class S3Reader {
  private readonly days = new Map<number, Promise<Listed[]>>();
  /** Each file's read, once: later spans that hold it wait for the same read. */
  private readonly reads = new Map<string, Promise<void>>();
  private covered: [number, number][] = [];
  /** ListObjectsV2 calls made. */
  listCalls = 0;
  /** The budget stopped a read: some spans stay unjudged. */
  budgetSpent = false;
  /** Files fetched with GetObject (what the budget counts). */
  fetched = 0;
  /** Compressed bytes committed to reads (the budget counts them before the read). */
  private reserved = 0;

  constructor(
    private readonly clients: AwsClients,
    private readonly target: S3Target,
    private readonly store: DeliveredStore,
    private readonly budget: S3Budget,
    private readonly opts: { concurrency?: number; maxFileBytes?: number; onProgress?: (done: number, total: number) => void; share?: LogFileShare } = {},
  ) {}

  /** Every log file delivered within [a, b] has been read. */
  isCovered(a: number, b: number): boolean {
    return this.covered.some(([x, y]) => x <= a && b <= y);
  }

  private list(day: number): Promise<Listed[]> {
    let p = this.days.get(day);
    if (!p) {
      p = this.listDay(day);
      this.days.set(day, p);
    }
    return p;
  }

  private async listDay(day: number): Promise<Listed[]> {
    const s3 = this.clients.s3(this.target.bucketRegion);
    const Prefix = dayPrefix(this.target, day);
    const out: Listed[] = [];
    let token: string | undefined;
    try {
      do {
        this.listCalls++;
        const res = await s3.send(new ListObjectsV2Command({ Bucket: this.target.bucket, Prefix, ContinuationToken: token }));
        for (const o of res.Contents ?? []) {
          if (!o.Key) continue;
          const t = keyDeliveryTime(o.Key);
          if (t !== undefined) out.push({ key: o.Key, size: o.Size ?? 0, t });
        }
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
    } catch (e) {
      const c = classifyError(e, ['NoSuchBucket', 404]);
      // A deleted bucket holds nothing: every event is truly missing. Anything else: unreadable.
      if (c.kind === 'absent') this.store.missingBucket = true;
      else this.store.errors.push({ what: `list s3://${this.target.bucket}/${Prefix}`, code: c.code, message: c.message, needs: 's3:ListBucket' });
    }
    return out;
  }

  /**
   * Reads every not-yet-read log file delivered within the spans (epoch ms, inclusive). Calls may
   * overlap (reads ahead while event history is still sampled): a file being read by one is waited
   * for by the others, so a span is covered only once all its files are in the store.
   */
  async ensure(spans: [number, number][]): Promise<void> {
    const todo = mergeSpans(spans.filter(([a, b]) => !this.isCovered(a, b)));
    if (!todo.length) return;
    const days = new Set<number>();
    for (const [a, b] of todo) for (let d = a - (a % DAY); d <= b; d += DAY) days.add(d);
    const listings = await Promise.all([...days].sort((x, y) => x - y).map((d) => this.list(d)));
    const inSpan = (t: number) => todo.some(([a, b]) => t >= a && t <= b);
    const candidates = listings.flat().filter((f) => inSpan(f.t));
    const waiting = candidates.filter((f) => this.reads.has(f.key)).map((f) => this.reads.get(f.key)!);
    const files = candidates.filter((f) => !this.reads.has(f.key));
    files.sort((x, y) => x.t - y.t || x.key.localeCompare(y.key));
    const shared: Listed[] = [];
    const chosen: Listed[] = [];
    let cutAt: number | undefined;
    for (const f of files) {
      // already read by the integrity pass: free, outside the budget
      if (this.opts.share?.has(this.target.bucket, f.key)) {
        shared.push(f);
        continue;
      }
      if (this.fetched + chosen.length >= this.budget.maxFiles || this.reserved + f.size > this.budget.maxBytes) {
        cutAt = f.t;
        this.budgetSpent = true;
        break;
      }
      chosen.push(f);
      if (f.size <= (this.opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES)) this.reserved += f.size;
    }
    // a budget cut leaves everything from its file on unread, shared files included (they would be judged without their neighbours)
    const usable = cutAt === undefined ? shared : shared.filter((f) => f.t < cutAt!);
    this.fetched += chosen.length;
    const reading = this.read([...usable, ...chosen]);
    await Promise.all([reading, ...waiting]);
    // Spans fully read are covered; the budget cut leaves everything from its file on uncovered.
    const done = todo.map(([a, b]) => [a, cutAt === undefined ? b : Math.min(b, cutAt - 1)] as [number, number]).filter(([a, b]) => b >= a);
    this.covered = mergeSpans([...this.covered, ...done]);
  }

  private read(files: Listed[]): Promise<void> {
    const objects = this.clients.objects(this.target.bucketRegion);
    const limit = pLimit(this.opts.concurrency ?? 8);
    const maxFileBytes = this.opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    const store = this.store;
    let done = 0;
    this.opts.onProgress?.(0, files.length);
    return Promise.all(
      files.map((f) => {
        const p = limit(async () => {
          try {
            const seen = await this.opts.share?.take(this.target.bucket, f.key);
            if (seen) {
              addRecords(store, this.target.bucket, f, seen);
              store.shared++;
            } else await readDeliveredFile(objects, this.target.bucket, f, maxFileBytes, store);
          } finally {
            this.opts.onProgress?.(++done, files.length);
          }
        });
        this.reads.set(f.key, p);
        return p;
      }),
    ).then(() => undefined);
  }
}
