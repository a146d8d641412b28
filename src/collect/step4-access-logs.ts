import { GetBucketLoggingCommand, GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { Probe } from '../evidence/probe.js';
import type { AccessLoggingConfig, AccessLogs } from '../evidence/access-logs.js';
import { inertLine } from '../util/text.js';
import { mapLimit, send } from './chain.js';
import { AccessLogSummarizer } from './access-log-summary.js';
import { STEP_TITLES } from './progress.js';
import { defineCollector } from './types.js';
import { daysCovering, errorNameOf, probe, probeFromError, skippedProbe, text } from './util.js';
import { inBucketRegion } from './bucket-region.js';

/**
 * Step 4, S3 server access logs of the trail's bucket (the runbook's fallback for refused writes).
 * GetBucketLogging, then only the days of the window in both key formats AWS writes — simple
 * `TargetPrefix + YYYY-MM-DD-HH-MM-SS-Unique` and partitioned
 * `TargetPrefix + account/region/bucket/YYYY/MM/DD/YYYY-MM-DD-HH-MM-SS-Unique` — newest first, streamed
 * line by line into a summary, within caps on objects and bytes. Access logs arrive hours late, so the
 * listing reaches one day past the window, and an object delivered before the window starts is skipped
 * (it cannot hold a later record).
 */

export interface AccessLogLimits {
  /** Access log objects read at most per run. */
  maxObjects: number;
  /** Bytes read at most per run. */
  maxBytes: number;
  /** Keys listed at most (before reading). */
  maxListed: number;
  concurrency: number;
}

export const DEFAULT_ACCESS_LOG_LIMITS: AccessLogLimits = { maxObjects: 300, maxBytes: 64 * 1024 * 1024, maxListed: 20_000, concurrency: 8 };

export const ACCESS_LOG_APIS = ['s3:GetBucketLogging', 's3:ListBucket', 's3:GetObject'] as const;

export interface AccessLogTarget {
  bucket: string;
  /** The trail's S3 key prefix. */
  prefix?: string;
  /** The source bucket's owner account (partitioned keys start with it) and region. */
  accountId: string;
  region: string;
  window: { start: Date; end: Date };
  now: Date;
}

const pad = (n: number) => String(n).padStart(2, '0');
const DAY = 86_400_000;
const KEY_TIME = /(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-[^/]*$/;

/** Delivery time encoded in an access log object's name, epoch ms. */
export function accessLogKeyTime(key: string): number | undefined {
  const m = KEY_TIME.exec(key);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isNaN(t) ? undefined : t;
}

/** The day prefixes to list, in both formats, the configured one first. */
export function accessLogPrefixes(cfg: AccessLoggingConfig, t: AccessLogTarget): string[] {
  const tp = cfg.targetPrefix ?? '';
  const end = new Date(Math.min(t.window.end.getTime() + DAY, t.now.getTime()));
  const days = daysCovering(t.window.start, end);
  const simple = days.map((d) => `${tp}${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}-`);
  const partitioned = days.map((d) => `${tp}${t.accountId}/${t.region}/${t.bucket}/${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/`);
  return cfg.keyFormat === 'partitioned' ? [...partitioned, ...simple] : [...simple, ...partitioned];
}

function configOf(r: { LoggingEnabled?: { TargetBucket?: string; TargetPrefix?: string; TargetObjectKeyFormat?: { PartitionedPrefix?: { PartitionDateSource?: string }; SimplePrefix?: object } } }, t: AccessLogTarget): AccessLoggingConfig {
  const le = r.LoggingEnabled;
  if (!le?.TargetBucket) return { enabled: false, selfTargeting: false };
  const targetBucket = text(le.TargetBucket, 100)!;
  const targetPrefix = text(le.TargetPrefix ?? '', 1_000) ?? '';
  const pp = le.TargetObjectKeyFormat?.PartitionedPrefix;
  const trailRoot = `${t.prefix ? `${t.prefix.replace(/\/+$/, '')}/` : ''}AWSLogs/`;
  const same = targetBucket === t.bucket;
  const cfg: AccessLoggingConfig = {
    enabled: true,
    targetBucket,
    targetPrefix,
    keyFormat: pp ? 'partitioned' : 'simple',
    selfTargeting: same,
    insideTrailPrefix: same && (targetPrefix.startsWith(trailRoot) || trailRoot.startsWith(targetPrefix)),
  };
  if (pp?.PartitionDateSource) cfg.partitionDateSource = text(pp.PartitionDateSource, 40)!;
  return cfg;
}

async function listKeys(s3: S3Client, bucket: string, prefixes: string[], windowStart: number, maxListed: number): Promise<{ keys: { key: string; time: number; size: number }[]; capped: boolean }> {
  const seen = new Map<string, { key: string; time: number; size: number }>();
  let capped = false;
  for (const prefix of prefixes) {
    let token: string | undefined;
    do {
      const r = await send(s3, new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: 1000 }));
      for (const o of r.Contents ?? []) {
        if (!o.Key || seen.has(o.Key)) continue;
        const time = accessLogKeyTime(o.Key) ?? o.LastModified?.getTime();
        if (time !== undefined && time < windowStart) continue;
        if (seen.size >= maxListed) {
          capped = true;
          break;
        }
        seen.set(o.Key, { key: o.Key, time: time ?? 0, size: o.Size ?? 0 });
      }
      token = r.IsTruncated && !capped ? r.NextContinuationToken : undefined;
    } while (token);
    if (capped) break;
  }
  return { keys: [...seen.values()], capped };
}

/** Lines of a streamed body, decoded incrementally; stops (and reports it) past `budget` bytes. */
async function forEachLine(body: unknown, budget: () => number, onBytes: (n: number) => void, onLine: (l: string) => void): Promise<'done' | 'capped'> {
  const stream = body as AsyncIterable<Uint8Array> & { destroy?: () => void };
  if (!stream || typeof (stream as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== 'function') {
    const s = await (body as { transformToString?: () => Promise<string> })?.transformToString?.();
    if (s === undefined) return 'done';
    onBytes(Buffer.byteLength(s));
    for (const l of s.split('\n')) onLine(l);
    return 'done';
  }
  const dec = new TextDecoder('utf-8');
  let rest = '';
  for await (const chunk of stream) {
    if (budget() <= 0) {
      stream.destroy?.();
      return 'capped';
    }
    onBytes(chunk.length);
    rest += dec.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      onLine(rest.slice(0, nl));
      rest = rest.slice(nl + 1);
    }
    // a line longer than any real record is garbage: drop it rather than buffer it
    if (rest.length > 64 * 1024) rest = '';
    if (budget() < 0) {
      stream.destroy?.();
      return 'capped';
    }
  }
  rest += dec.decode();
  if (rest) onLine(rest);
  return 'done';
}

/**
 * Reads and summarises the access logs of `t.bucket`. `s3` must be a client in the bucket's region.
 * The probe is optional: access logs only add to what the other steps show, so a missing permission
 * or an unreadable log bucket never makes a verdict inconclusive.
 */
export async function readAccessLogs(s3: S3Client, t: AccessLogTarget, limits: AccessLogLimits = DEFAULT_ACCESS_LOG_LIMITS): Promise<Probe<AccessLogs>> {
  return { ...(await readAccessLogsOnce(s3, t, limits)), optional: true };
}

async function readAccessLogsOnce(s3: S3Client, t: AccessLogTarget, limits: AccessLogLimits = DEFAULT_ACCESS_LOG_LIMITS): Promise<Probe<AccessLogs>> {
  const logging = await probe(() => send(s3, new GetBucketLoggingCommand({ Bucket: t.bucket })), (r) => configOf(r, t), { needs: 's3:GetBucketLogging', absentCodes: ['NoSuchBucket'] });
  if (logging.status !== 'ok' || !logging.value) return logging as Probe<unknown> as Probe<AccessLogs>;
  const config = logging.value;
  if (!config.enabled) return { status: 'ok', value: { config } };
  const target = config.targetBucket!;
  const summarizer = new AccessLogSummarizer({ bucket: t.bucket, ...(t.prefix ? { prefix: t.prefix } : {}), window: t.window });

  let listed: Awaited<ReturnType<typeof listKeys>>;
  try {
    listed = await listKeys(s3, target, accessLogPrefixes(config, t), t.window.start.getTime(), limits.maxListed);
  } catch (err) {
    const p = probeFromError<AccessLogs>(err, { needs: `s3:ListBucket on ${target}` });
    return { ...p, status: p.status === 'absent' ? 'error' : p.status, value: { config, note: `the access log bucket ${inertLine(target, 100)} could not be listed (${inertLine(errorNameOf(err), 80)})` } };
  }
  // newest first: a recent outage matters most and is at the end of the window
  const keys = listed.keys.sort((a, b) => b.time - a.time);
  let capReason = listed.capped ? `more than ${limits.maxListed} access log objects in the window: only the first ${limits.maxListed} listed` : undefined;
  const toRead = keys.slice(0, limits.maxObjects);
  if (keys.length > toRead.length) capReason ??= `${keys.length} access log objects: the newest ${limits.maxObjects} read`;
  let bytesRead = 0;
  let objectsRead = 0;
  let unreadable = 0;
  let byteCapped = false;
  await mapLimit(toRead, limits.concurrency, async ({ key }) => {
    if (bytesRead >= limits.maxBytes) {
      byteCapped = true;
      return;
    }
    try {
      const r = await send(s3, new GetObjectCommand({ Bucket: target, Key: key }));
      const outcome = await forEachLine(
        r.Body,
        () => limits.maxBytes - bytesRead,
        (n) => (bytesRead += n),
        (l) => summarizer.addLine(l),
      );
      if (outcome === 'capped') byteCapped = true;
      objectsRead++;
    } catch {
      unreadable++;
    }
  });
  if (byteCapped) capReason ??= `byte cap of ${limits.maxBytes} reached`;
  const summary = summarizer.finish({
    objectsListed: keys.length,
    objectsRead,
    bytesRead,
    capped: !!capReason,
    ...(capReason ? { capReason } : {}),
    unreadableObjects: unreadable,
  });
  return { status: 'ok', value: { config, summary } };
}

export const accessLogsCollector = defineCollector({
  name: 'accessLogs',
  step: 4,
  title: STEP_TITLES[4],
  needs: ['trail'],
  later: ['bucketLocation'],
  apis: ACCESS_LOG_APIS,
  async run(clients, { trail, bucketLocation, ctx }): Promise<Probe<AccessLogs>> {
    const t = trail.resolved;
    const configured = t?.config.s3BucketName;
    const read = (region: string) =>
      readAccessLogs(clients.s3(region), {
        bucket: configured!,
        ...(t!.config.s3KeyPrefix ? { prefix: t!.config.s3KeyPrefix } : {}),
        accountId: t!.ownerAccount,
        region,
        window: ctx.window,
        now: ctx.now,
      });
    // GetBucketLogging goes out with HeadBucket, in the trail's home region (bucket-region.ts).
    const { location: bl, value } = await inBucketRegion(t && configured ? t.homeRegion : undefined, bucketLocation, read);
    if (!t || !bl.bucket || !bl.readable || !value) return skippedProbe(bl.skipReason ?? 'bucket not readable');
    return value;
  },
});

export const collectors = [accessLogsCollector] as const;
