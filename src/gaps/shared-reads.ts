import pLimit from 'p-limit';
import { extractRecords, type FileRecords } from './deliveries.js';

/**
 * The log files another pass of the same run already read (the diagnosis's integrity validation
 * hashes every log file of the window): their records, parsed once from the body that pass fetched,
 * so the gap measurement does not GET them again. Bounded: past the cap a file is not kept and the
 * gap reader fetches it on demand if it needs it (the report's stats say so). A file whose read
 * failed is never offered, and one whose parse broke off on the read is not kept.
 */
export interface ShareCap {
  /** Log files kept. */
  maxFiles: number;
  /** Records kept (8 bytes each, plus the few larger than the CloudWatch Logs limit). */
  maxRecords: number;
  /** Compressed bytes waiting to be parsed at once. */
  maxPendingBytes: number;
}

/** About 16 MB of records and 64 MB of bodies in flight at most. */
export const DEFAULT_SHARE_CAP: ShareCap = { maxFiles: 50_000, maxRecords: 2_000_000, maxPendingBytes: 64 * 1024 * 1024 };

export class LogFileShare {
  private readonly files = new Map<string, FileRecords>();
  private readonly work = new Set<Promise<void>>();
  private readonly limit = pLimit(2);
  private records = 0;
  private pendingBytes = 0;
  private pendingFiles = 0;
  /** Files offered but not kept because of the cap. */
  dropped = 0;

  constructor(private readonly cap: ShareCap = DEFAULT_SHARE_CAP) {}

  /** Some file was not kept because of the cap. */
  get capped(): boolean {
    return this.dropped > 0;
  }

  /** Files kept. */
  get size(): number {
    return this.files.size;
  }

  /** Takes a log file's compressed body, as the integrity pass read it (ValidateOptions.onLogFile). */
  readonly offer = (bucket: string, key: string, body: Buffer): void => {
    const id = `${bucket}/${key}`;
    if (this.files.has(id)) return;
    if (this.files.size + this.pendingFiles >= this.cap.maxFiles || this.pendingBytes + body.length > this.cap.maxPendingBytes) {
      this.dropped++;
      return;
    }
    this.pendingBytes += body.length;
    this.pendingFiles++;
    const p = this.limit(async () => {
      const r = await extractRecords(body);
      if (r.readFailed) return;
      if (this.records + r.records > this.cap.maxRecords) {
        this.dropped++;
        return;
      }
      this.records += r.records;
      this.files.set(id, r);
    })
      .catch(() => undefined)
      .finally(() => {
        this.pendingBytes -= body.length;
        this.pendingFiles--;
        this.work.delete(p);
      });
    this.work.add(p);
  };

  /** Every body offered so far is parsed (or dropped). */
  async settled(): Promise<void> {
    while (this.work.size) await Promise.all([...this.work]);
  }

  /** The records of a file read by the other pass, if kept. Call after settled(). */
  get(bucket: string, key: string): FileRecords | undefined {
    return this.files.get(`${bucket}/${key}`);
  }
}
