import { extractRecords, type FileRecords } from './deliveries.js';

/**
 * The log files another pass of the same run already fetched (the diagnosis's integrity validation
 * GETs every log file of the window): their compressed bodies, kept so that the gap measurement
 * does not GET them again. They are parsed only when the gap measurement needs them — it reads just
 * the hours its event-history sample points at — so a run whose fallback does not run, or needs few
 * files, pays no parsing for the rest. Bounded: past the cap a file is not kept and the gap reader
 * fetches it on demand if it needs it (the report's stats say so). A file whose read failed is
 * never offered.
 */
export interface ShareCap {
  /** Log files kept. */
  maxFiles: number;
  /** Compressed bytes kept. */
  maxBytes: number;
}

/** CloudTrail log files are small (a few KB to a few MB compressed): 64 MiB holds a busy day's. */
export const DEFAULT_SHARE_CAP: ShareCap = { maxFiles: 50_000, maxBytes: 64 * 1024 * 1024 };

export class LogFileShare {
  private readonly files = new Map<string, Buffer>();
  private bytes = 0;
  /** Files offered but not kept because of the cap. */
  dropped = 0;

  constructor(private readonly cap: ShareCap = DEFAULT_SHARE_CAP) {}

  /** Some file was not kept because of the cap. */
  get capped(): boolean {
    return this.dropped > 0;
  }

  /** Files kept (not yet taken). */
  get size(): number {
    return this.files.size;
  }

  /** Takes a log file's compressed body, as the integrity pass read it (ValidateOptions.onLogFile). */
  readonly offer = (bucket: string, key: string, body: Buffer): void => {
    const id = `${bucket}/${key}`;
    if (this.files.has(id)) return;
    if (this.files.size >= this.cap.maxFiles || this.bytes + body.length > this.cap.maxBytes) {
      this.dropped++;
      return;
    }
    this.files.set(id, body);
    this.bytes += body.length;
  };

  has(bucket: string, key: string): boolean {
    return this.files.has(`${bucket}/${key}`);
  }

  /** The records of a file the other pass read (parsed now, then let go); undefined when not kept. */
  async take(bucket: string, key: string): Promise<FileRecords | undefined> {
    const id = `${bucket}/${key}`;
    const body = this.files.get(id);
    if (!body) return undefined;
    this.files.delete(id);
    this.bytes -= body.length;
    const r = await extractRecords(body);
    return r.readFailed ? undefined : r;
  }

  /** Lets every body go (the gap measurement will not run). */
  clear(): void {
    this.files.clear();
    this.bytes = 0;
  }
}
