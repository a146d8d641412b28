import type { Readable } from 'node:stream';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { AwsClients } from '../aws/clients.js';
import { classifyError } from '../aws/call.js';
import { dayPrefix, keyDeliveryTime, type S3Target } from '../gaps/deliveries.js';
import { scanLogFile } from '../gaps/record-scan.js';
import { inertLine } from '../util/text.js';

/**
 * Where the event must be in S3, and whether it is: the region folder of the event's account under
 * the trail's bucket and prefix, the day folder(s) of its time, and only the log files whose delivery
 * time (in the key, CloudTrail's own) can hold it — from the event's minute to the late-delivery
 * margin after it. Keys of a day folder sort by delivery time, so the listing starts after the
 * range's first key and stops past its last. The neighbours' delivery times are kept to tell a
 * window of failed delivery. Files are streamed record by record; a record is parsed only when its
 * bytes hold what is looked for.
 */
export const S3_ACTIONS = ['s3:ListBucket', 's3:GetObject'] as const;

export interface S3Search {
  target: S3Target;
  /** Delivery-time range of the files that can hold the event (epoch ms, inclusive). */
  from: number;
  to: number;
  /** Delivery times are kept for this wider range, to find the files delivered before and after. */
  contextFrom: number;
  contextTo: number;
  /** Bytes a candidate record must contain (the event id, or the event name). */
  needle: string;
  /** The record wanted. */
  match: (r: Record<string, unknown>) => boolean;
  maxFiles?: number;
  concurrency?: number;
}

export interface S3Answer {
  folder: string;
  filesInRange: number;
  filesRead: number;
  found?: { key: string; record: Record<string, unknown>; size: number };
  /** Newest file delivered before the range, oldest after its start (epoch ms). */
  lastBefore?: number;
  firstAfter?: number;
  /** Delivery times of files in the range. */
  deliveries: number[];
  truncated: boolean;
  missingBucket?: boolean;
  error?: { code: string; message: string; needs: string };
  unreadable: string[];
}

const p2 = (n: number) => String(n).padStart(2, '0');
const stamp = (ms: number) => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}T${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}Z`;
};
const DAY = 86_400_000;

export async function searchS3(clients: AwsClients, q: S3Search): Promise<S3Answer> {
  const s3 = clients.s3(q.target.bucketRegion);
  const base = dayPrefix(q.target, q.from);
  const folder = base.replace(/\d{4}\/\d{2}\/\d{2}\/$/, '');
  const out: S3Answer = { folder, filesInRange: 0, filesRead: 0, deliveries: [], truncated: false, unreadable: [] };
  const files: { key: string; t: number; size: number }[] = [];
  for (let day = q.contextFrom - (q.contextFrom % DAY); day <= q.contextTo; day += DAY) {
    const Prefix = dayPrefix(q.target, day);
    const first = Math.max(day, q.contextFrom);
    let token: string | undefined;
    let past = false;
    try {
      do {
        const res = await s3.send(
          new ListObjectsV2Command({ Bucket: q.target.bucket, Prefix, ContinuationToken: token, ...(token ? {} : { StartAfter: `${Prefix}${q.target.accountId}_CloudTrail_${q.target.region}_${stamp(first - 60_000)}` }) }),
        );
        for (const o of res.Contents ?? []) {
          const t = o.Key ? keyDeliveryTime(o.Key) : undefined;
          if (t === undefined) continue;
          if (t > q.contextTo) {
            past = true;
            break;
          }
          if (t < q.from) out.lastBefore = Math.max(out.lastBefore ?? t, t);
          else if (t <= q.to) files.push({ key: o.Key!, t, size: o.Size ?? 0 });
          if (t >= q.from) out.firstAfter = Math.min(out.firstAfter ?? t, t);
        }
        token = !past && res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
    } catch (e) {
      const c = classifyError(e, ['NoSuchBucket', 404]);
      if (c.kind === 'absent') out.missingBucket = true;
      else out.error = { code: c.code, message: inertLine(c.message, 300), needs: 's3:ListBucket' };
      return out;
    }
    if (past) break;
  }
  files.sort((a, b) => a.t - b.t || a.key.localeCompare(b.key));
  out.filesInRange = files.length;
  out.deliveries = files.map((f) => f.t);
  const max = q.maxFiles ?? 2000;
  const todo = files.slice(0, max);
  out.truncated = files.length > max;
  const objects = clients.objects(q.target.bucketRegion);
  const needle = Buffer.from(q.needle);
  let next = 0;
  const worker = async () => {
    while (!out.found && next < todo.length) {
      const f = todo[next++]!;
      try {
        const body = (await objects.get(q.target.bucket, f.key)).body;
        const hit = await scanFile(body, needle, q.match);
        out.filesRead++;
        if (hit && !out.found) out.found = { key: inertLine(f.key, 1024), ...hit };
      } catch (e) {
        const c = classifyError(e);
        out.unreadable.push(`${inertLine(f.key, 300)}: ${c.code}`);
        if (c.kind === 'denied') out.error ??= { code: c.code, message: inertLine(c.message, 300), needs: 's3:GetObject' };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(q.concurrency ?? 4, todo.length) }, worker));
  return out;
}

/** Streams one gzip log file; resolves with the first record that matches. */
async function scanFile(body: Readable | AsyncIterable<Uint8Array> | Uint8Array, needle: Buffer, match: (r: Record<string, unknown>) => boolean): Promise<{ record: Record<string, unknown>; size: number } | undefined> {
  let hit: { record: Record<string, unknown>; size: number } | undefined;
  await scanLogFile(
    body,
    (json) => json.includes(needle),
    (record, size) => {
      if (!match(record)) return false;
      hit = { record, size };
      return true;
    },
  );
  return hit;
}
