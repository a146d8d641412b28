import { ACCOUNT, REGION, healthyEvidence } from '../../evidence/builder.js';
import { mergeChangeEvents, recordToChangeEvent } from '../../evidence/events.js';
import type { ChangeEvent, Evidence, HourlyCount, LogFileRef } from '../../evidence/schema.js';

/**
 * Small builders for the demo scenarios: start from the healthy account and make one fault's
 * consequences consistent (deliveries stop, status reports the error, the change is in step 9).
 * Every scenario uses the fixed clock NOW, so it is deterministic.
 */

export const NOW = new Date('2026-11-24T04:00:00Z');
export const NOW_MS = NOW.getTime();
const MIN = 60_000;
const HOUR = 3_600_000;
/** The healthy fixture delivers every 5 minutes, the newest 3 minutes before NOW. */
const CADENCE = 5 * MIN;
const NEWEST = NOW_MS - 3 * MIN;

export const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
export const ALICE = `arn:aws:sts::${ACCOUNT}:assumed-role/AdminRole/alice`;
export const BOB_IP = '203.0.113.7';
export const ALICE_IP = '198.51.100.23';

export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
export const at = (s: string) => Date.parse(s);
const hourFloor = (ms: number) => ms - (ms % HOUR);

export function base(): Evidence {
  return healthyEvidence({ now: NOW });
}

/** The last delivery of the 5-minute schedule at or before `ms`. */
export function deliveryAtOrBefore(ms: number): number {
  return NEWEST - Math.ceil((NEWEST - ms) / CADENCE) * CADENCE;
}

function logKey(ms: number, n: number, account = ACCOUNT, region = REGION): string {
  const d = new Date(ms);
  const p = (x: number) => String(x).padStart(2, '0');
  const day = `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}`;
  const stamp = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${p(d.getUTCHours())}${p(d.getUTCMinutes())}Z`;
  // 16 alphanumerics, deterministic
  const unique = ('Dm' + (ms / MIN).toString(36).toUpperCase() + 'x' + n.toString(36)).padEnd(16, 'Q').slice(0, 16);
  return `AWSLogs/${account}/CloudTrail/${region}/${day}/${account}_CloudTrail_${region}_${stamp}_${unique}.json.gz`;
}

function fileAt(ms: number, n: number): LogFileRef {
  const t = ms - (ms % MIN);
  return { key: logKey(t, n), deliveryTime: iso(t), lastModified: iso(t + 20_000), size: 40_000 };
}

/** Files per hour of the 5-minute schedule between two delivery times (inclusive). */
function scheduleHourly(from: number, to: number, perFile = 40_000): HourlyCount[] {
  const byHour = new Map<number, number>();
  for (let t = deliveryAtOrBefore(to); t >= from; t -= CADENCE) byHour.set(hourFloor(t), (byHour.get(hourFloor(t)) ?? 0) + 1);
  return [...byHour.entries()].sort((a, b) => a[0] - b[0]).map(([h, count]) => ({ hour: iso(h), count, bytes: count * perFile }));
}

function recomputeListing(e: Evidence, hourly: HourlyCount[], newest: number, oldest?: number): void {
  const l = e.steps.s6.listing.value!;
  l.hourly = hourly;
  l.fileCount = hourly.reduce((n, h) => n + h.count, 0);
  l.totalBytes = hourly.reduce((n, h) => n + (h.bytes ?? h.count * 40_000), 0);
  l.recent = Array.from({ length: 5 }, (_, i) => fileAt(newest - i * CADENCE, i));
  l.newest = l.recent[0];
  if (oldest !== undefined) l.oldest = fileAt(oldest, 99);
}

export interface StopOptions {
  /** LatestDeliveryError / LatestCloudWatchLogsDeliveryError CloudTrail reports from then on. */
  error?: string;
  /** Digest files fail too (S3 faults). Default: true when `error` is set. */
  digestFails?: boolean;
}

/**
 * S3 delivery stops after the delivery at or before `lastMs`: no files after it, LatestDeliveryTime
 * frozen there, the error (if any) in LatestDeliveryError (and LatestDigestDeliveryError).
 */
export function stopS3(e: Evidence, lastMs: number, opts: StopOptions = {}): number {
  const last = deliveryAtOrBefore(lastMs);
  const l = e.steps.s6.listing.value!;
  const hourly = l.hourly.filter((h) => at(h.hour) < hourFloor(last));
  const lastHour = scheduleHourly(hourFloor(last), last);
  recomputeListing(e, [...hourly, ...lastHour], last);
  const st = e.steps.s2.status.value!;
  st.latestDeliveryTime = iso(last);
  // LatestDeliveryAttemptTime is "no longer in use" (GetTrailStatus docs): AWS returns it empty
  delete st.latestDeliveryAttemptTime;
  if (opts.error) st.latestDeliveryError = opts.error;
  if (opts.digestFails ?? !!opts.error) {
    if (opts.error) st.latestDigestDeliveryError = opts.error;
    // digests are delivered hourly at :01:31 after the hour
    const digest = hourFloor(last - 91_000) + 91_000;
    st.latestDigestDeliveryTime = iso(digest <= last ? digest : digest - HOUR);
  }
  return last;
}

/** An S3 delivery gap: no files between two times (the files on either side stay). */
export function gapS3(e: Evidence, startMs: number, endMs: number): { start: string; end: string; minutes: number } {
  const before = deliveryAtOrBefore(startMs);
  const after = deliveryAtOrBefore(endMs);
  const l = e.steps.s6.listing.value!;
  const full = l.hourly.map((h) => ({ ...h }));
  const removed = new Map<number, number>();
  for (let t = after - CADENCE; t > before; t -= CADENCE) removed.set(hourFloor(t), (removed.get(hourFloor(t)) ?? 0) + 1);
  const hourly = full
    .map((h) => {
      const r = removed.get(at(h.hour)) ?? 0;
      return { ...h, count: h.count - r, bytes: (h.count - r) * 40_000 };
    })
    .filter((h) => h.count > 0);
  const newest = at(l.newest!.deliveryTime);
  recomputeListing(e, hourly, newest);
  const gap = { start: iso(before), end: iso(after), minutes: (after - before) / MIN };
  l.gaps = [...l.gaps, gap].sort((a, b) => at(a.start) - at(b.start));
  return gap;
}

/** Only files delivered at or after `fromMs` remain (older ones expired or were never written). */
export function keepS3From(e: Evidence, fromMs: number): void {
  const l = e.steps.s6.listing.value!;
  const first = deliveryAtOrBefore(fromMs) + CADENCE;
  const hourly = l.hourly.filter((h) => at(h.hour) > hourFloor(first)).map((h) => ({ ...h }));
  const firstHour = scheduleHourly(first, Math.min(hourFloor(first) + HOUR - 1, at(l.newest!.deliveryTime)));
  recomputeListing(e, [...firstHour, ...hourly], at(l.newest!.deliveryTime), first);
}

/**
 * CloudWatch Logs delivery stops at `lastMs`: no events after it in the log group (step 3), no
 * IncomingLogEvents datapoints after it (step 8), LatestCloudWatchLogsDeliveryTime frozen.
 */
export function stopCloudWatch(e: Evidence, lastMs: number, opts: StopOptions = {}): void {
  const c = e.steps.s3.eventCounts.value!;
  const h0 = hourFloor(lastMs);
  c.hourly = c.hourly
    .filter((h) => at(h.hour) <= h0)
    .map((h) => (at(h.hour) === h0 ? { ...h, count: Math.round((600 * (lastMs - h0)) / HOUR) } : h));
  c.total = c.hourly.reduce((n, h) => n + h.count, 0);
  const streams = e.steps.s3.streams.value!;
  for (const s of streams.streams) s.lastEventTimestamp = iso(Math.min(lastMs, at(s.lastEventTimestamp ?? iso(lastMs))));
  e.steps.s3.newestEventTime = iso(lastMs);
  const m = e.steps.s8.metrics.value;
  if (m)
    for (const s of m) {
      const keep = s.timestamps.map((t, i) => [t, s.values[i]!] as const).filter(([t]) => at(t) <= h0);
      s.timestamps = keep.map(([t]) => t);
      s.values = keep.map(([t, v]) => (at(t) === h0 ? Math.round((v * (lastMs - h0)) / HOUR) : v));
    }
  const st = e.steps.s2.status.value!;
  st.latestCloudWatchLogsDeliveryTime = iso(lastMs);
  if (opts.error) st.latestCloudWatchLogsDeliveryError = opts.error;
  // changes after the stop never reached the log group
  if (e.steps.s9.fromLogGroup.status === 'ok') e.steps.s9.fromLogGroup.value = (e.steps.s9.fromLogGroup.value ?? []).filter((c) => at(c.eventTime) <= lastMs);
  rebuildChanges(e);
}

export interface ChangeSpec {
  eventName: string;
  eventSource: string;
  eventTime: string;
  actor?: string;
  sourceIPAddress?: string;
  requestParameters?: Record<string, unknown>;
  errorCode?: string;
  errorMessage?: string;
  userAgent?: string;
  /** Global-service events (IAM, STS) are recorded in us-east-1. */
  region?: string;
}

/** A deterministic event id from the event's content. */
function eventIdOf(spec: ChangeSpec): string {
  let h = 0x811c9dc5;
  for (const ch of `${spec.eventName}|${spec.eventTime}|${spec.actor ?? ''}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  const hex = h.toString(16).padStart(8, '0');
  return `${hex}-${hex.slice(0, 4)}-4${hex.slice(1, 4)}-8${hex.slice(4, 7)}-${hex}${hex.slice(0, 4)}`;
}

function identityOf(actor: string): Record<string, unknown> {
  if (actor.includes(':assumed-role/')) {
    const [, rest] = actor.split(':assumed-role/');
    const role = rest!.split('/')[0];
    return { type: 'AssumedRole', arn: actor, accountId: ACCOUNT, sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${ACCOUNT}:role/${role}`, accountId: ACCOUNT, userName: role } } };
  }
  return { type: 'IAMUser', arn: actor, accountId: ACCOUNT, userName: actor.split('/').pop() };
}

/** Rebuilds step 9's merged list from its three sources (oldest first, de-duplicated). */
export function rebuildChanges(e: Evidence): void {
  const s9 = e.steps.s9;
  const v = (p: typeof s9.fromLogGroup) => (p.status === 'ok' ? p.value : undefined);
  s9.changes = mergeChangeEvents(v(s9.fromLogGroup), v(s9.fromEventHistory), v(s9.fromEventHistoryGlobal));
}

/**
 * Records a configuration change the way CloudTrail does: in event history (the trail's region, or
 * us-east-1 for global services) and, if CloudWatch Logs delivery was working then, in the log group.
 */
export function addChange(e: Evidence, spec: ChangeSpec): ChangeEvent {
  const region = spec.region ?? REGION;
  const record: Record<string, unknown> = {
    eventVersion: '1.10',
    eventID: eventIdOf(spec),
    eventName: spec.eventName,
    eventSource: spec.eventSource,
    eventTime: spec.eventTime,
    awsRegion: region,
    userIdentity: identityOf(spec.actor ?? BOB),
    sourceIPAddress: spec.sourceIPAddress ?? BOB_IP,
    userAgent: spec.userAgent ?? 'aws-cli/2.22.10 md/awscrt#0.23.4 ua/2.1 os/linux#6.8.0 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 command/' + spec.eventName,
    requestParameters: spec.requestParameters ?? null,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
  };
  if (spec.errorCode) record.errorCode = spec.errorCode;
  if (spec.errorMessage) record.errorMessage = spec.errorMessage;
  const fromHistory = recordToChangeEvent(record, 'event-history')!;
  const s9 = e.steps.s9;
  const historyProbe = region === REGION ? s9.fromEventHistory : s9.fromEventHistoryGlobal;
  if (historyProbe.status === 'ok') historyProbe.value = [...(historyProbe.value ?? []), fromHistory];
  // delivered to the log group when CloudWatch Logs was flowing at that time
  const newestCwl = e.steps.s3.newestEventTime;
  if (s9.fromLogGroup.status === 'ok' && newestCwl && at(newestCwl) >= at(spec.eventTime)) {
    s9.fromLogGroup.value = [...(s9.fromLogGroup.value ?? []), recordToChangeEvent(record, 'log-group')!];
  }
  rebuildChanges(e);
  return fromHistory;
}

/** Some everyday, unrelated changes in the window so step 9 is realistic (they must not be blamed). */
export function addBackgroundChanges(e: Evidence): void {
  addChange(e, {
    eventName: 'PutBucketTagging',
    eventSource: 's3.amazonaws.com',
    eventTime: '2026-11-19T14:12:40Z',
    actor: ALICE,
    sourceIPAddress: ALICE_IP,
    requestParameters: { bucketName: 'acme-analytics-exports', Tagging: { TagSet: { Tag: [{ Key: 'team', Value: 'data' }] } } },
  });
  addChange(e, {
    eventName: 'PutBucketPolicy',
    eventSource: 's3.amazonaws.com',
    eventTime: '2026-11-21T09:30:02Z',
    actor: ALICE,
    sourceIPAddress: ALICE_IP,
    requestParameters: { bucketName: 'acme-static-site', bucketPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::acme-static-site/*' }] } },
  });
}
