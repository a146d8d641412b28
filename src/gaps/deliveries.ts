import { covers, mergeIntervals } from '../util/intervals.js';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import pLimit from 'p-limit';
import type { AwsClients } from '../aws/clients.js';
import { classifyError } from '../aws/call.js';
import { inertLine } from '../util/text.js';
import { IdSet, hashes } from './idset.js';
import { readLogRecords, DEFAULT_READ_LIMITS } from './logfile.js';
import { exceedsCloudWatchLimit, type SkippedFile } from './model.js';
import type { LogFileShare } from './shared-reads.js';

/**
 * What the trail delivered: event IDs found in S3 log files (read once, streamed, concurrently) and
 * in the CloudWatch Logs log group (fetched lazily, only for the time ranges compared).
 */
export interface DeliveredStore {
  ids: IdSet;
  /** Records larger than the CloudWatch Logs limit: eventID → bytes. */
  large: Map<string, number>;
  /** Management records per event-time hour (epoch ms of the hour). */
  hourly: Map<number, number>;
  records: number;
  bytes: number;
  files: number;
  /** Of `files`: those whose records came from another pass of the run (no GET). */
  shared: number;
  skipped: SkippedFile[];
  /** Listing or reading failures that mean S3 could not be checked (e.g. AccessDenied). */
  errors: { what: string; code: string; message: string; needs: string }[];
  truncated: boolean;
  /** The bucket does not exist (NoSuchBucket). */
  missingBucket?: boolean;
}

export const newStore = (): DeliveredStore => ({
  ids: new IdSet(4096),
  large: new Map(),
  hourly: new Map(),
  records: 0,
  bytes: 0,
  files: 0,
  shared: 0,
  skipped: [],
  errors: [],
  truncated: false,
});

export interface S3Target {
  bucket: string;
  /** Region of the bucket (client endpoint). */
  bucketRegion: string;
  prefix?: string;
  accountId: string;
  orgId?: string;
  /** The source region whose folder to read. */
  region: string;
}

const p2 = (n: number) => String(n).padStart(2, '0');

/** `[prefix/]AWSLogs/[o-id/]<acct>/CloudTrail/<region>/YYYY/MM/DD/` */
export function dayPrefix(t: S3Target, dayMs: number): string {
  const d = new Date(dayMs);
  const base = `${t.prefix ? `${t.prefix.replace(/\/+$/, '')}/` : ''}AWSLogs/${t.orgId ? `${t.orgId}/` : ''}${t.accountId}/CloudTrail/${t.region}/`;
  return `${base}${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())}/`;
}

const KEY_TIME = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_?[A-Za-z0-9]{16}\.json\.gz$/;

/** The delivery time in a log file's name (CloudTrail's own, to the minute), or undefined. */
export function keyDeliveryTime(key: string): number | undefined {
  const m = KEY_TIME.exec(key);
  if (!m) return undefined;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!);
}

export interface IngestOptions {
  /** Delivery-time range of files to read (epoch ms, inclusive). */
  from: number;
  to: number;
  /** Only files whose delivery time passes this (e.g. near given events). */
  keep?: (deliveryMs: number) => boolean;
  concurrency?: number;
  /** Compressed size above which a file is skipped, never loaded. */
  maxFileBytes?: number;
  /** Most files read in one run; more → `truncated`. */
  maxFiles?: number;
  onProgress?: (done: number, total: number) => void;
  /** Log files another pass of the run already read: not fetched again. */
  share?: LogFileShare;
}

export const DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024;

const HOUR = 3_600_000;

/** Lists the day folders of the range and streams every log file in it into `store`. */
export async function ingestS3(clients: AwsClients, target: S3Target, opts: IngestOptions, store: DeliveredStore): Promise<void> {
  const s3 = clients.s3(target.bucketRegion);
  const objects = clients.objects(target.bucketRegion);
  const concurrency = opts.concurrency ?? 8;
  const maxFiles = opts.maxFiles ?? 200_000;
  const maxFileBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const days: number[] = [];
  for (let d = opts.from - (opts.from % 86_400_000); d <= opts.to; d += 86_400_000) days.push(d);
  const files: { key: string; size: number }[] = [];
  const limit = pLimit(concurrency);
  await Promise.all(
    days.map((day) =>
      limit(async () => {
        const Prefix = dayPrefix(target, day);
        let token: string | undefined;
        try {
          do {
            const res = await s3.send(new ListObjectsV2Command({ Bucket: target.bucket, Prefix, ContinuationToken: token }));
            for (const o of res.Contents ?? []) {
              if (!o.Key) continue;
              const t = keyDeliveryTime(o.Key);
              if (t === undefined || t < opts.from || t > opts.to) continue;
              if (opts.keep && !opts.keep(t)) continue;
              if (files.length >= maxFiles) {
                store.truncated = true;
                return;
              }
              files.push({ key: o.Key, size: o.Size ?? 0 });
            }
            token = res.IsTruncated ? res.NextContinuationToken : undefined;
          } while (token);
        } catch (e) {
          const c = classifyError(e, ['NoSuchBucket', 404]);
          // A deleted bucket holds nothing: every event is truly missing. Anything else: unreadable.
          if (c.kind === 'absent') store.missingBucket = true;
          else store.errors.push({ what: `list s3://${target.bucket}/${Prefix}`, code: c.code, message: c.message, needs: 's3:ListBucket' });
        }
      }),
    ),
  );
  let done = 0;
  opts.onProgress?.(0, files.length);
  await Promise.all(
    files.map((f) =>
      limit(async () => {
        try {
          const seen = await opts.share?.take(target.bucket, f.key);
          if (seen) {
            addRecords(store, target.bucket, f, seen);
            store.shared++;
          } else await readDeliveredFile(objects, target.bucket, f, maxFileBytes, store);
        } finally {
          opts.onProgress?.(++done, files.length);
        }
      }),
    ),
  );
}

/** What one log file holds for the gap measurement, compact: kept between a read and its use. */
export interface FileRecords {
  /** The management records' event IDs, as IdSet hash pairs (h1, h2, h1, h2 ...). */
  idHashes: Uint32Array;
  /** Management records with an event ID. */
  records: number;
  /** Records larger than the CloudWatch Logs limit: eventID, bytes. */
  large: [string, number][];
  /** Management records per event-time hour (epoch ms of the hour). */
  hourly: [number, number][];
  /** Records cut out before an error. */
  recordsRead: number;
  /** The file could not be read to its end (truncated, corrupt, cut off). */
  error?: string;
  /** ...because the read broke off, not because of the file's content. */
  readFailed?: boolean;
}

/** Streams one gzip log file and keeps what the gap measurement compares. Never throws for the content. */
export async function extractRecords(body: Parameters<typeof readLogRecords>[0]): Promise<FileRecords> {
  const ids: number[] = [];
  const large: [string, number][] = [];
  const hourly = new Map<number, number>();
  const r = await readLogRecords(
    body,
    (rec) => {
      if (!rec.management || !rec.eventID) return;
      const [h1, h2] = hashes(rec.eventID);
      ids.push(h1, h2);
      if (exceedsCloudWatchLimit(rec.size)) large.push([rec.eventID, rec.size]);
      const t = rec.eventTime ? Date.parse(rec.eventTime) : NaN;
      if (!Number.isNaN(t)) {
        const h = t - (t % HOUR);
        hourly.set(h, (hourly.get(h) ?? 0) + 1);
      }
    },
    { ...DEFAULT_READ_LIMITS },
  );
  return {
    idHashes: Uint32Array.from(ids),
    records: ids.length / 2,
    large,
    hourly: [...hourly],
    recordsRead: r.records,
    ...(r.error ? { error: r.error } : {}),
    ...(r.readFailed ? { readFailed: true } : {}),
  };
}

/** Adds one file's records to the store, with what could not be read of it. */
export function addRecords(store: DeliveredStore, bucket: string, f: { key: string; size: number }, r: FileRecords): void {
  for (let i = 0; i + 1 < r.idHashes.length; i += 2) store.ids.addHashed(r.idHashes[i]!, r.idHashes[i + 1]!);
  store.records += r.records;
  for (const [id, size] of r.large) store.large.set(id, size);
  for (const [h, n] of r.hourly) store.hourly.set(h, (store.hourly.get(h) ?? 0) + n);
  store.files++;
  store.bytes += f.size;
  if (r.error) {
    store.skipped.push({ key: inertLine(f.key, 1024), size: f.size, reason: inertLine(`could not read to its end (s3:GetObject): ${r.error}`, 300), recordsRead: r.recordsRead });
    if (r.readFailed) store.errors.push({ what: `read s3://${bucket}/${f.key} to its end`, code: 'Unreadable', message: inertLine(r.error, 300), needs: 's3:GetObject' });
  }
}

/**
 * Reads one delivered log file into the store. A file not read (refused, failing, cut off) leaves
 * S3 unproven — nothing may be counted missing from it, or a fault on the tool's own read would
 * become a gap in the trail — while a corrupt file is the trail's own reality and only listed.
 */
export async function readDeliveredFile(objects: ReturnType<AwsClients['objects']>, bucket: string, f: { key: string; size: number }, maxFileBytes: number, store: DeliveredStore): Promise<void> {
  if (f.size > maxFileBytes) {
    store.skipped.push({ key: inertLine(f.key, 1024), size: f.size, reason: `larger than the ${Math.round(maxFileBytes / 1048576)} MiB cap: not read` });
    return;
  }
  let res;
  try {
    res = await objects.get(bucket, f.key);
  } catch (e) {
    const c = classifyError(e);
    store.skipped.push({ key: inertLine(f.key, 1024), size: f.size, reason: `could not read (s3:GetObject): ${c.code}` });
    store.errors.push({ what: `read s3://${bucket}/${f.key}`, code: c.code, message: c.message, needs: 's3:GetObject' });
    return;
  }
  addRecords(store, bucket, f, await extractRecords(res.body));
}

/** CloudWatch Logs events fetched by time range, only the ranges compared. */
export interface CwlStore {
  ids: IdSet;
  /** Time ranges already fetched (epoch ms, inclusive). */
  fetched: [number, number][];
  events: number;
  errors: { code: string; message: string; needs: string }[];
  truncated: boolean;
}

export const newCwlStore = (): CwlStore => ({ ids: new IdSet(1024), fetched: [], events: 0, errors: [], truncated: false });

const covered = (fetched: [number, number][], a: number, b: number) => covers(fetched, [a, b]);

/** Fetches every event of `logGroupName` in each range not yet fetched (FilterLogEvents, paginated). */
export async function fetchCwl(clients: AwsClients, region: string, logGroupName: string, ranges: [number, number][], store: CwlStore, maxEventsPerRange = 500_000): Promise<void> {
  const logs = clients.logs(region);
  const limiter = clients.limiters.get(`logs:FilterLogEvents@${region}`, 5);
  const todo = mergeRanges(ranges.filter(([a, b]) => !covered(store.fetched, a, b)));
  const limit = pLimit(4);
  await Promise.all(
    todo.map(([a, b]) =>
      limit(async () => {
        let token: string | undefined;
        let n = 0;
        try {
          do {
            await limiter.acquire();
            const res = await logs.send(new FilterLogEventsCommand({ logGroupName, startTime: a, endTime: b + 1, nextToken: token }));
            for (const ev of res.events ?? []) {
              const id = eventIdOf(ev.message);
              if (id) store.ids.add(id);
              n++;
            }
            token = res.nextToken;
            if (n >= maxEventsPerRange && token) {
              store.truncated = true;
              break;
            }
          } while (token);
          store.events += n;
          store.fetched.push([a, b]);
        } catch (e) {
          const c = classifyError(e);
          store.errors.push({ code: c.code, message: c.message, needs: 'logs:FilterLogEvents' });
        }
      }),
    ),
  );
}

const ID_RE = /"eventID"\s*:\s*"([^"\\]{1,100})"/;

/** The record's eventID: parsed from the message (falls back to a scan when the message is huge). */
export function eventIdOf(message: string | undefined): string | undefined {
  if (!message) return undefined;
  if (message.length < 2_000_000) {
    try {
      const r = JSON.parse(message) as { eventID?: unknown };
      return typeof r.eventID === 'string' ? r.eventID : undefined;
    } catch {
      /* not JSON: scan */
    }
  }
  return ID_RE.exec(message)?.[1];
}

/** Ranges to fetch, merged: those less than a second apart are one fetch. */
export const mergeRanges = (ranges: [number, number][]): [number, number][] => mergeIntervals(ranges, { joinWithin: 1000 });
