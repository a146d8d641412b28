import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';

/**
 * Streaming reader of CloudTrail log files (`{"Records":[{...},...]}`, gzip): inflates chunk by
 * chunk and cuts out one record at a time with a small byte-level scanner, so memory stays bounded
 * by the largest record (capped), never by the file. Each record's byte length comes for free, which
 * the 256 KB CloudWatch Logs limit needs. A truncated or corrupt file ends with an `error`; records
 * read before it still count.
 *
 * Why not a streaming JSON library: we need only whole top-level records and their exact sizes; a
 * token-level parser (stream-json) builds every nested value token by token and was slower for that.
 */
export interface LogRecordInfo {
  eventID?: string;
  eventTime?: string;
  awsRegion?: string;
  eventSource?: string;
  /** False for data, Insights and network-activity events. */
  management: boolean;
  /** Bytes of the record's JSON text as delivered. */
  size: number;
}

export interface ReadLimits {
  /** Inflated bytes after which the file is abandoned (gzip bombs). */
  maxInflatedBytes: number;
  /** A record larger than this is counted but not parsed. */
  maxRecordBytes: number;
}

export const DEFAULT_READ_LIMITS: ReadLimits = { maxInflatedBytes: 1024 * 1024 * 1024, maxRecordBytes: 8 * 1024 * 1024 };

export interface ReadResult {
  records: number;
  inflatedBytes: number;
  /** Set when the file could not be read to its end (truncated, corrupt, over the cap). */
  error?: string;
  /** The error came from reading the object (network, timeout), not from its content: the file itself may be fine. */
  readFailed?: boolean;
}

const OPEN_OBJ = 0x7b; // {
const CLOSE_OBJ = 0x7d; // }
const OPEN_ARR = 0x5b; // [
const CLOSE_ARR = 0x5d; // ]
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The scanner: feed it inflated chunks; it calls `emit` with each complete top-level record. */
export class RecordSplitter {
  private stack: number[] = [];
  private inString = false;
  private escape = false;
  private parts: Buffer[] = [];
  private partBytes = 0;
  private recordBytes = 0;
  private inRecord = false;
  private oversized = false;
  private sawTop = false;
  private closedTop = false;

  constructor(
    private readonly emit: (json: Buffer | undefined, size: number) => void,
    private readonly maxRecordBytes: number,
  ) {}

  push(chunk: Buffer): void {
    let recStart = this.inRecord ? 0 : -1;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const c = chunk[i]!;
      if (this.inString) {
        if (this.escape) {
          this.escape = false;
          continue;
        }
        // Jump to the next quote (native search); it closes the string unless an odd run of
        // backslashes precedes it. Most bytes of a record are inside strings.
        let q = i - 1;
        for (;;) {
          q = chunk.indexOf(QUOTE, q + 1);
          if (q === -1) break;
          let run = 0;
          for (let k = q - 1; k >= i && chunk[k] === BACKSLASH; k--) run++;
          if (run % 2 === 0) break;
        }
        if (q === -1) {
          let run = 0;
          for (let k = n - 1; k >= i && chunk[k] === BACKSLASH; k--) run++;
          this.escape = run % 2 === 1;
          i = n;
          break;
        }
        this.inString = false;
        i = q;
        continue;
      }
      if (c === QUOTE) {
        this.inString = true;
      } else if (c === OPEN_OBJ || c === OPEN_ARR) {
        if (this.stack.length === 0) {
          if (this.closedTop || c !== OPEN_OBJ) throw new Error('not a CloudTrail log file (expected {"Records":[...]})');
          this.sawTop = true;
        }
        // A record: an object directly inside the array that is the value of the top object.
        if (c === OPEN_OBJ && this.stack.length === 2 && this.stack[1] === OPEN_ARR) {
          this.inRecord = true;
          recStart = i;
          this.parts = [];
          this.partBytes = 0;
          this.recordBytes = 0;
          this.oversized = false;
        }
        this.stack.push(c);
      } else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
        const open = this.stack.pop();
        if (open === undefined || (c === CLOSE_OBJ) !== (open === OPEN_OBJ)) throw new Error('malformed JSON (unbalanced brackets)');
        if (this.stack.length === 0) this.closedTop = true;
        if (this.inRecord && this.stack.length === 2) {
          this.take(chunk, recStart, i + 1);
          this.finish();
          recStart = -1;
        }
      }
    }
    if (this.inRecord && recStart >= 0) this.take(chunk, recStart, n);
  }

  private take(chunk: Buffer, from: number, to: number): void {
    const len = to - from;
    this.recordBytes += len;
    if (this.oversized) return;
    if (this.partBytes + len > this.maxRecordBytes) {
      this.oversized = true;
      this.parts = [];
      this.partBytes = 0;
      return;
    }
    // Copy: the chunk's memory is reused by the stream.
    this.parts.push(Buffer.from(chunk.subarray(from, to)));
    this.partBytes += len;
  }

  private finish(): void {
    const json = this.oversized ? undefined : this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.partBytes);
    this.inRecord = false;
    this.parts = [];
    this.partBytes = 0;
    this.emit(json, this.recordBytes);
  }

  /** Throws when the input ended before the JSON did. */
  end(): void {
    if (!this.sawTop) throw new Error('empty or not JSON');
    if (this.stack.length || this.inString || !this.closedTop) throw new Error('truncated: the JSON ends before its closing brackets');
  }
}

function info(json: Buffer | undefined, size: number): LogRecordInfo {
  if (!json) return { management: true, size };
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
  } catch {
    return { management: true, size };
  }
  const cat = typeof r.eventCategory === 'string' ? r.eventCategory : undefined;
  const management = r.managementEvent === false ? false : cat ? cat === 'Management' : r.managementEvent !== false;
  return {
    eventID: typeof r.eventID === 'string' ? r.eventID : undefined,
    eventTime: typeof r.eventTime === 'string' ? r.eventTime : undefined,
    awsRegion: typeof r.awsRegion === 'string' ? r.awsRegion : undefined,
    eventSource: typeof r.eventSource === 'string' ? r.eventSource : undefined,
    management,
    size,
  };
}

/** Reads one gzip log file from a stream; never throws for the file's content, reports instead. */
export async function readLogRecords(
  body: Readable | AsyncIterable<Uint8Array> | Uint8Array,
  onRecord: (r: LogRecordInfo) => void,
  limits: ReadLimits = DEFAULT_READ_LIMITS,
): Promise<ReadResult> {
  let records = 0;
  let inflatedBytes = 0;
  const splitter = new RecordSplitter((json, size) => {
    records++;
    onRecord(info(json, size));
  }, limits.maxRecordBytes);
  const source = body instanceof Uint8Array ? Readable.from([body]) : body instanceof Readable ? body : Readable.from(body);
  const gunzip = createGunzip();
  let own: Error | undefined;
  try {
    await pipeline(source, gunzip, async (chunks: AsyncIterable<Buffer>) => {
      for await (const chunk of chunks) {
        inflatedBytes += chunk.length;
        if (inflatedBytes > limits.maxInflatedBytes) throw (own = new Error(`inflated size over the cap of ${limits.maxInflatedBytes} bytes; not read further`));
        try {
          splitter.push(chunk);
        } catch (e) {
          throw (own = e as Error);
        }
      }
    });
    splitter.end();
  } catch (e) {
    const err = (own ?? e) as NodeJS.ErrnoException;
    const msg = err.code === 'Z_BUF_ERROR' || /unexpected end/i.test(err.message) ? 'truncated gzip (unexpected end of file)' : err.code?.startsWith('Z_') ? `corrupt gzip: ${err.message}` : err.message;
    const network = !own && (['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ERR_STREAM_PREMATURE_CLOSE'].includes(err.code ?? '') || ['TimeoutError', 'DeadlineExceeded', 'AbortError'].includes(err.name) || /socket hang up|cut off before its end|stopped arriving|premature close|aborted/i.test(err.message));
    return { records, inflatedBytes, error: msg, ...(network ? { readFailed: true } : {}) };
  }
  return { records, inflatedBytes };
}
