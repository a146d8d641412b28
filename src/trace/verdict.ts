import type { LifecycleRule, TrailConfig, TrailStatus } from '../evidence/schema.js';
import type { RootCauseId } from '../model/index.js';
import { CHECKS } from '../checks/index.js';
import { s3ErrorExplainedBy } from '../checks/s3-delivery-error.js';
import { cloudWatchErrorExplainedBy } from '../checks/cloudwatch-delivery-error.js';
import { exceedsCloudWatchLimit, CLOUDWATCH_EVENT_SIZE_LIMIT } from '../gaps/model.js';
import type { DestinationResult, TraceCause, TracedEvent, TraceStatus } from './model.js';
import type { RecordedVerdict } from './recorded.js';
import type { S3Answer } from './s3.js';
import type { CwlAnswer } from './cwl.js';

/**
 * Why the event is missing where the trail should have put it: each destination's reasons, judged
 * on the facts read (the trail's status, the S3 files of its time and their neighbours, the bucket's
 * lifecycle, the log group and its retention, the record's size, the event's age). Pure.
 */
export interface TraceFacts {
  now: number;
  event: TracedEvent;
  trail: TrailConfig;
  status?: TrailStatus;
  recorded: RecordedVerdict;
  deliveryDelayMs: number;
  lateMs: number;
  s3: { bucket?: string; bucketRegionUnknown?: boolean; range: { from: number; to: number }; answer?: S3Answer; skipped?: string };
  lifecycle?: LifecycleRule[];
  cwl: { logGroupName?: string; group: 'ok' | 'absent' | 'unknown'; retentionInDays?: number; answer?: CwlAnswer; skipped?: string };
}

export interface TraceJudgement {
  status: TraceStatus;
  destinations: DestinationResult[];
  causes: TraceCause[];
  evidence: string[];
}

const DAY = 86_400_000;
const isoS = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const FIX = new Map<RootCauseId, string>(CHECKS.map((c) => [c.id, c.fix]));
export const fixOf = (id: RootCauseId): string => FIX.get(id) ?? '';

function minutes(ms: number): string {
  const m = Math.round(ms / 60_000);
  return m < 120 ? `${m} min` : m < 2880 ? `${Math.round(m / 60)} h` : `${Math.round(m / 1440)} days`;
}

/** Was the trail logging at `t`? From GetTrailStatus's start and stop times. */
export function loggingOffAt(status: TrailStatus | undefined, t: number): string | undefined {
  if (!status) return undefined;
  const stop = status.stopLoggingTime ? Date.parse(status.stopLoggingTime) : undefined;
  const start = status.startLoggingTime ? Date.parse(status.startLoggingTime) : undefined;
  if (stop !== undefined && stop <= t && (start === undefined || start < stop || start > t)) {
    return `logging was stopped at ${isoS(stop)}, before the event${start !== undefined && start > t ? `, and started again only at ${isoS(start)}` : ''}`;
  }
  if (!status.isLogging && stop === undefined) return 'the trail is not logging (GetTrailStatus IsLogging false)';
  return undefined;
}

/** Lifecycle rules whose expiration has removed objects of this folder delivered at `t`. */
export function expiredBy(rules: readonly LifecycleRule[] | undefined, folder: string, t: number, now: number): string | undefined {
  for (const r of rules ?? []) {
    if (r.status !== 'Enabled' || r.prefix === undefined || !folder.startsWith(r.prefix)) continue;
    if (r.expirationDays !== undefined && now - t > r.expirationDays * DAY) return `lifecycle rule ${JSON.stringify(r.id ?? '(no id)')} expires objects under ${JSON.stringify(r.prefix || '(whole bucket)')} after ${r.expirationDays} days; the event is ${minutes(now - t)} old`;
    if (r.expirationDate && Date.parse(r.expirationDate) <= now) return `lifecycle rule ${JSON.stringify(r.id ?? '(no id)')} expired every object under ${JSON.stringify(r.prefix || '(whole bucket)')} on ${r.expirationDate}`;
  }
  return undefined;
}

export function judge(f: TraceFacts): TraceJudgement {
  const t = Date.parse(f.event.eventTime);
  const age = f.now - t;
  const evidence: string[] = [];
  const causes: TraceCause[] = [];
  const add = (id: RootCauseId, destination: TraceCause['destination'], ...lines: string[]) => {
    const have = causes.find((c) => c.id === id);
    if (have) {
      if (have.destination !== destination) have.destination = 'both';
      have.evidence.push(...lines.filter((l) => !have.evidence.includes(l)));
    } else causes.push({ id, destination, evidence: lines, fix: fixOf(id) });
  };
  const records = f.recorded.verdict !== 'no';
  const young = age < f.deliveryDelayMs;
  const off = loggingOffAt(f.status, t);

  // S3
  const a = f.s3.answer;
  const s3: DestinationResult = {
    destination: 's3',
    expected: records && Boolean(f.trail.s3BucketName),
    found: a?.found ? 'yes' : 'unknown',
    ...(f.s3.bucket ? { bucket: f.s3.bucket } : {}),
    ...(a ? { folder: a.folder, filesRead: a.filesRead } : {}),
    fileTimeRange: { from: isoS(f.s3.range.from), to: isoS(f.s3.range.to) },
    ...(a?.found ? { key: a.found.key } : {}),
  };
  if (a?.found) evidence.push(`S3: found in s3://${f.s3.bucket}/${a.found.key} (${a.filesRead} of ${a.filesInRange} candidate files read)`);
  else if (f.s3.skipped) s3.reason = f.s3.skipped;
  else if (a?.missingBucket) {
    s3.found = 'no';
    add('s3-bucket-missing', 's3', `S3: the bucket ${f.s3.bucket} does not exist`);
  } else if (a?.error && a.filesRead === 0) {
    s3.reason = `${a.error.code}: ${a.error.message}`;
    s3.needs = a.error.needs;
  } else if (a) {
    s3.found = a.truncated || a.unreadable.length ? 'unknown' : 'no';
    if (a.unreadable.length) s3.reason = `${a.unreadable.length} candidate file(s) could not be read: ${a.unreadable.slice(0, 3).join('; ')}`;
    evidence.push(`S3: not in the ${a.filesRead} log file(s) delivered ${isoS(f.s3.range.from)}–${isoS(f.s3.range.to)} under s3://${f.s3.bucket}/${a.folder}`);
    if (s3.expected) {
      if (young) add('delivery-delayed', 's3', `the event is ${minutes(age)} old; CloudTrail delivers log files about every 5 minutes, with no guarantee: wait ${minutes(f.deliveryDelayMs - age)} more`);
      if (off) add('logging-stopped', 's3', off);
      const lc = expiredBy(f.lifecycle, a.folder, t, f.now);
      if (lc) add('logs-expired-by-lifecycle', 's3', lc);
      // The event itself makes CloudTrail write a file within the delivery delay: none then is a failed delivery.
      const silent = a.firstAfter === undefined || a.firstAfter > t + f.deliveryDelayMs;
      if (!young && silent) {
        const before = a.lastBefore !== undefined ? `the last file before it was delivered at ${isoS(a.lastBefore)}` : 'no file was delivered in the hours before it';
        const err = f.status?.latestDeliveryError;
        if (err) {
          const ids = s3ErrorExplainedBy(err);
          add(ids[0] ?? 's3-delivery-error', 's3', `GetTrailStatus: LatestDeliveryError ${JSON.stringify(err)}${f.status?.latestDeliveryTime ? `, last successful delivery ${f.status.latestDeliveryTime}` : ''}`);
        }
        if (a.firstAfter !== undefined) add('delivery-gaps', 's3', `no log file was delivered to ${a.folder} between ${a.lastBefore !== undefined ? isoS(a.lastBefore) : 'the hours before'} and ${isoS(a.firstAfter)}: the event, at ${f.event.eventTime}, lies in a window of failed delivery`);
        else if (!off) add('delivery-stopped', 's3', `no log file has been delivered to ${a.folder} since the event (${before})`);
      }
    }
  }

  // CloudWatch Logs
  const c = f.cwl.answer;
  const cw: DestinationResult = { destination: 'cloudwatch-logs', expected: records && Boolean(f.cwl.logGroupName), found: c?.found ? 'yes' : 'unknown', ...(f.cwl.logGroupName ? { logGroup: f.cwl.logGroupName } : {}) };
  const size = a?.found?.size ?? f.event.sizeBytes;
  const tooLarge = size !== undefined && exceedsCloudWatchLimit(size);
  if (!f.cwl.logGroupName) evidence.push('CloudWatch Logs: the trail sends no events to a log group (not configured)');
  else if (c?.found) {
    cw.logStream = c.logStream;
    evidence.push(`CloudWatch Logs: found in ${f.cwl.logGroupName}${c.logStream ? `, stream ${c.logStream}` : ''}`);
  } else if (f.cwl.group === 'absent' || c?.error?.absent) {
    cw.found = 'no';
    if (cw.expected) add('cloudwatch-log-group-missing', 'cloudwatch-logs', `CloudWatch Logs: the log group ${f.cwl.logGroupName} does not exist`);
  } else if (f.cwl.skipped) cw.reason = f.cwl.skipped;
  else if (c?.error) {
    cw.reason = `${c.error.code}: ${c.error.message}`;
    cw.needs = c.error.needs;
  } else if (c) {
    cw.found = c.truncated ? 'unknown' : 'no';
    evidence.push(`CloudWatch Logs: not in ${f.cwl.logGroupName} (${c.scanned} log events around its time examined, each re-checked on its eventID)`);
    if (cw.expected) {
      if (tooLarge) add('cloudwatch-event-size-limit', 'cloudwatch-logs', `the record is ${size} bytes: over the ${CLOUDWATCH_EVENT_SIZE_LIMIT / 1024} KB CloudWatch Logs accepts per event (with 26 bytes overhead); CloudTrail delivers it to S3 only`);
      if (young) add('delivery-delayed', 'cloudwatch-logs', `the event is ${minutes(age)} old; delivery to CloudWatch Logs follows S3's, wait ${minutes(f.deliveryDelayMs - age)} more`);
      if (off) add('logging-stopped', 'cloudwatch-logs', off);
      if (f.cwl.retentionInDays !== undefined && age > f.cwl.retentionInDays * DAY) add('logs-expired-by-retention', 'cloudwatch-logs', `the log group keeps events ${f.cwl.retentionInDays} days; the event is ${minutes(age)} old`);
      const err = f.status?.latestCloudWatchLogsDeliveryError;
      if (err && !tooLarge) add(cloudWatchErrorExplainedBy(err)[0] ?? 'cloudwatch-delivery-error', 'cloudwatch-logs', `GetTrailStatus: LatestCloudWatchLogsDeliveryError ${JSON.stringify(err)}${f.status?.latestCloudWatchLogsDeliveryTime ? `, last delivery ${f.status.latestCloudWatchLogsDeliveryTime}` : ''}`);
    }
  }
  if (f.recorded.verdict === 'no') {
    add(f.recorded.cause ?? 'event-selectors-exclude-events', 'both', ...f.recorded.chain.slice(-1));
    return { status: 'not-recorded', destinations: [s3, cw], causes, evidence };
  }
  const expected = [s3, cw].filter((d) => d.expected);
  let status: TraceStatus;
  if (expected.length && expected.every((d) => d.found === 'yes')) status = 'delivered';
  else if (expected.some((d) => d.found === 'no')) status = causes.length && causes.every((x) => x.id === 'delivery-delayed') ? 'pending' : 'missing';
  else status = 'could-not-check';
  return { status, destinations: [s3, cw], causes, evidence };
}
