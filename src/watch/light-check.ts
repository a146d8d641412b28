import { GetTrailStatusCommand, type GetTrailStatusCommandOutput } from '@aws-sdk/client-cloudtrail';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DescribeLogStreamsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { AwsClients } from '../aws/clients.js';
import { classifyError } from '../aws/call.js';
import { dayPath, logRoot, parseLogFileKey } from '../collect/step6-log-files.js';
import type { TrailLayout } from './source.js';

/**
 * The light check: what a trail's delivery looks like now, for at most four calls and no
 * LookupEvents. GetTrailStatus (logging, delivery errors); the newest log file in S3 by its key name
 * (ListObjectsV2 returns keys in UTF-8 binary order and a day's file names differ only from the
 * timestamp on, so `StartAfter` the last key seen lists only what arrived since: one short listing
 * for a healthy trail); the newest CloudWatch Logs event (DescribeLogStreams by LastEventTime).
 * Failed calls become outcomes, never exceptions.
 */

export type Destination = 's3' | 'cloudwatch_logs';
export type CallOutcome = 'ok' | 'denied' | 'throttled' | 'not_found' | 'timeout' | 'server_error' | 'error';

export interface CallResult {
  service: 'cloudtrail' | 's3' | 'logs';
  operation: 'GetTrailStatus' | 'ListObjectsV2' | 'DescribeLogStreams';
  outcome: CallOutcome;
  code?: string;
  message?: string;
}

/** What a trail's checks remember between runs: two folder bookmarks and two times, nothing that grows. */
export interface LightCheckState {
  /** The last key listed in each day folder; only today's and yesterday's are kept. */
  lastKey: Map<string, string>;
  /** Newest delivery seen (ms): key-name time in S3, event/ingestion time in CloudWatch Logs. */
  newest: Partial<Record<Destination, number>>;
}

export const newCheckState = (): LightCheckState => ({ lastKey: new Map(), newest: {} });

export interface DeliveryError {
  destination: 's3' | 'cloudwatch_logs' | 'digest' | 'sns';
  error: string;
}

export interface LightCheckResult {
  checkedAt: number;
  logging?: boolean;
  /** Seconds since the newest delivery, per destination; absent when it could not be known. */
  ageSeconds: Partial<Record<Destination, number>>;
  /** Where the S3 age came from: a log file's key, or GetTrailStatus when no key was found. */
  s3AgeSource?: 'key' | 'trail-status';
  errors: DeliveryError[];
  calls: CallResult[];
  /** Every read the trail needs answered. */
  complete: boolean;
}

/** Within this long after 00:00 UTC the newest file may still be in yesterday's folder. */
export const NEAR_MIDNIGHT_MS = 60 * 60_000;
/** A first listing of a day starts this far back (a key-shaped bookmark), not at the day's first file. */
export const FIRST_LOOK_BACK_MS = 60 * 60_000;
/** S3 listings per check: two leaves the whole check within four calls. */
export const S3_CALLS_PER_CHECK = 2;

const pad = (n: number) => String(n).padStart(2, '0');
const DAY_MS = 86_400_000;

/** A key that sorts just before every log file delivered at or after `t` in that day's folder. */
export function keyBookmark(dayPrefix: string, account: string, region: string, t: number): string {
  const d = new Date(t);
  const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}`;
  return `${dayPrefix}${account}_CloudTrail_${region}_${stamp}`;
}

function outcomeOf(e: unknown, absent: string[]): { outcome: CallOutcome; code: string; message: string } {
  const c = classifyError(e, absent);
  const outcome: CallOutcome = c.kind === 'absent' ? 'not_found' : c.kind === 'server' ? 'server_error' : c.kind === 'network' || c.kind === 'not-aws' ? 'error' : c.kind;
  return { outcome, code: c.code, message: c.message };
}

const timeOf = (d: Date | string | undefined): number | undefined => {
  const t = d instanceof Date ? d.getTime() : typeof d === 'string' && d ? Date.parse(d) : NaN;
  return Number.isFinite(t) ? t : undefined;
};

export interface LightCheckInput {
  clients: AwsClients;
  layout: TrailLayout;
  /** The region whose log folder is watched. */
  region: string;
  state: LightCheckState;
  now: number;
}

export async function lightCheck({ clients, layout, region, state, now }: LightCheckInput): Promise<LightCheckResult> {
  const calls: CallResult[] = [];
  const result: LightCheckResult = { checkedAt: now, ageSeconds: {}, errors: [], calls, complete: true };

  const statusP = clients
    .cloudtrail(layout.homeRegion)
    .send(new GetTrailStatusCommand({ Name: layout.arn }))
    .then(
      (r) => {
        calls.push({ service: 'cloudtrail', operation: 'GetTrailStatus', outcome: 'ok' });
        return r;
      },
      (e) => {
        calls.push({ service: 'cloudtrail', operation: 'GetTrailStatus', ...outcomeOf(e, ['TrailNotFoundException']) });
        return undefined;
      },
    );
  const [status, s3, cwl] = await Promise.all([statusP, newestLogFile(clients, layout, region, state, now, calls), newestLogEvent(clients, layout, state, calls)]);

  if (status) {
    result.logging = status.IsLogging === true;
    result.errors = deliveryErrors(status);
  }
  const s3Newest = s3 ?? state.newest.s3;
  if (s3Newest !== undefined) {
    result.ageSeconds.s3 = Math.max(0, (now - s3Newest) / 1000);
    result.s3AgeSource = 'key';
  } else if (status && calls.every((c) => c.operation !== 'ListObjectsV2' || c.outcome === 'ok')) {
    // No log file in the folders listed: AWS's own LatestDeliveryTime is the best figure left.
    const t = timeOf(status.LatestDeliveryTime);
    if (t !== undefined) {
      result.ageSeconds.s3 = Math.max(0, (now - t) / 1000);
      result.s3AgeSource = 'trail-status';
    }
  }
  const cwlNewest = cwl ?? state.newest.cloudwatch_logs;
  if (layout.logGroupName && cwlNewest !== undefined) result.ageSeconds.cloudwatch_logs = Math.max(0, (now - cwlNewest) / 1000);
  result.complete = calls.every((c) => c.outcome === 'ok');
  return result;
}

export function deliveryErrors(s: GetTrailStatusCommandOutput): DeliveryError[] {
  const out: DeliveryError[] = [];
  const add = (destination: DeliveryError['destination'], v: string | undefined) => {
    if (v) out.push({ destination, error: v.slice(0, 200) });
  };
  add('s3', s.LatestDeliveryError);
  add('cloudwatch_logs', s.LatestCloudWatchLogsDeliveryError);
  add('digest', s.LatestDigestDeliveryError);
  add('sns', s.LatestNotificationError);
  return out;
}

/** Newest log file key time (ms) found by this check, or undefined; updates the bookmarks. */
async function newestLogFile(clients: AwsClients, layout: TrailLayout, region: string, state: LightCheckState, now: number, calls: CallResult[]): Promise<number | undefined> {
  if (!layout.bucket) return undefined;
  const root = logRoot({ prefix: layout.prefix, orgId: layout.orgId, account: layout.account, region });
  const today = `${root}${dayPath(new Date(now))}/`;
  const yesterday = `${root}${dayPath(new Date(now - DAY_MS))}/`;
  for (const k of [...state.lastKey.keys()]) if (k !== today && k !== yesterday) state.lastKey.delete(k);
  const sinceMidnight = now % DAY_MS;
  let budget = S3_CALLS_PER_CHECK;
  let newest: number | undefined;
  const s3 = clients.s3(layout.homeRegion);

  /** Lists `folder` after `startAfter`, page after page within the budget. False when a call failed. */
  const list = async (folder: string, startAfter: string | undefined, maxCalls = S3_CALLS_PER_CHECK): Promise<{ ok: boolean; found: boolean }> => {
    let after = startAfter;
    let found = false;
    for (let n = 0; budget > 0 && n < maxCalls; n++) {
      budget--;
      let r;
      try {
        r = await s3.send(new ListObjectsV2Command({ Bucket: layout.bucket, Prefix: folder, ...(after ? { StartAfter: after } : {}) }));
        calls.push({ service: 's3', operation: 'ListObjectsV2', outcome: 'ok' });
      } catch (e) {
        calls.push({ service: 's3', operation: 'ListObjectsV2', ...outcomeOf(e, ['NoSuchBucket']) });
        return { ok: false, found };
      }
      for (const o of r.Contents ?? []) {
        if (!o.Key) continue;
        after = o.Key;
        const t = parseLogFileKey(o.Key, folder, layout.account, region);
        if (t !== undefined) {
          found = true;
          if (newest === undefined || t > newest) newest = t;
        }
      }
      // Only listed keys become bookmarks: the next check starts where this one stopped.
      if (after !== undefined && after !== startAfter) state.lastKey.set(folder, after);
      if (!r.IsTruncated) break;
    }
    return { ok: true, found };
  };
  if (sinceMidnight < NEAR_MIDNIGHT_MS) {
    // Today's folder is at most an hour old; yesterday's last files may be the newest.
    // Without a bookmark there, a check that already knows a delivery has nothing to find in it.
    const y = state.lastKey.get(yesterday) ?? (state.newest.s3 === undefined ? keyBookmark(yesterday, layout.account, region, now - FIRST_LOOK_BACK_MS) : undefined);
    if (y !== undefined) await list(yesterday, y, 1);
    await list(today, state.lastKey.get(today));
  } else {
    const bookmark = state.lastKey.get(today);
    if (bookmark) await list(today, bookmark);
    else {
      const first = await list(today, keyBookmark(today, layout.account, region, now - FIRST_LOOK_BACK_MS));
      // Nothing in the last hour and no bookmark yet today: from the day's first file (a file
      // delivered while checks were paused must not be missed; a stopped trail is worth the call).
      if (first.ok && !first.found) await list(today, undefined);
    }
  }
  if (newest !== undefined && (state.newest.s3 === undefined || newest > state.newest.s3)) state.newest.s3 = newest;
  return newest;
}

/** Newest event in the trail's log group (ms), or undefined. */
async function newestLogEvent(clients: AwsClients, layout: TrailLayout, state: LightCheckState, calls: CallResult[]): Promise<number | undefined> {
  if (!layout.logGroupName) return undefined;
  try {
    const r = await clients.logs(layout.homeRegion).send(new DescribeLogStreamsCommand({ logGroupName: layout.logGroupName, orderBy: 'LastEventTime', descending: true, limit: 5 }));
    calls.push({ service: 'logs', operation: 'DescribeLogStreams', outcome: 'ok' });
    let newest: number | undefined;
    // Both times update "on an eventual consistency basis" (AWS): the later of the two is the fresher.
    for (const s of r.logStreams ?? []) {
      for (const t of [s.lastEventTimestamp, s.lastIngestionTime]) if (typeof t === 'number' && (newest === undefined || t > newest)) newest = t;
    }
    if (newest !== undefined && (state.newest.cloudwatch_logs === undefined || newest > state.newest.cloudwatch_logs)) state.newest.cloudwatch_logs = newest;
    return newest;
  } catch (e) {
    calls.push({ service: 'logs', operation: 'DescribeLogStreams', ...outcomeOf(e, ['ResourceNotFoundException']) });
    return undefined;
  }
}
