import { logGroupNameOf, resourceNameOf, roleNameOf } from '../aws/arn.js';
import type { ChangeEvent, TrailConfig } from '../evidence/schema.js';
import type { Destination, GapEvent } from './model.js';
import { BREAKING_EVENT_NAMES, HEALING_EVENT_NAMES } from '../evidence/change-events.js';

/**
 * Who broke delivery, and who mended it: configuration changes around a gap, ranked by how
 * plausibly each explains it. Pure. Only successful calls count (a record with errorCode changed
 * nothing). Ranking: the same resource as the trail's bucket / key / role / log group / trail name
 * beats anything else; then an event type that can break this destination; then closeness in time.
 */

/** Changes that can break delivery (the catalogue of src/evidence/change-events.ts). */
export const BREAKING_EVENTS: ReadonlySet<string> = BREAKING_EVENT_NAMES;

/** Changes that can restore delivery. */
export const HEALING_EVENTS: ReadonlySet<string> = HEALING_EVENT_NAMES;

/** Every event name the trigger search asks event history for. */
export const CHANGE_EVENT_NAMES: readonly string[] = [...new Set([...BREAKING_EVENTS, ...HEALING_EVENTS])].sort();

export interface TrailResources {
  trail: string[];
  s3: string[];
  kms: string[];
  role: string[];
  logGroup: string[];
}


/** Names (and ARNs) of everything the trail's delivery depends on, lower-cased. */
export function trailResources(t: TrailConfig, bucketKmsKeyId?: string): TrailResources {
  const lc = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => !!x).map((x) => x.toLowerCase()))];
  const key = t.kmsKeyId ?? bucketKmsKeyId;
  const role = t.cloudWatchLogsRoleArn;
  const group = t.cloudWatchLogsLogGroupArn;
  return {
    trail: lc([t.name, t.arn]),
    s3: lc([t.s3BucketName]),
    kms: lc([key, key ? resourceNameOf(key) : undefined]),
    role: lc([role, roleNameOf(role)]),
    logGroup: lc([group, logGroupNameOf(group)]),
  };
}

function serviceOf(e: ChangeEvent): string {
  return e.eventSource.replace(/\.amazonaws\.com$/, '');
}

/** The resource kinds an event's service acts on. */
function kindOf(e: ChangeEvent): keyof TrailResources | undefined {
  switch (serviceOf(e)) {
    case 'cloudtrail':
      return 'trail';
    case 's3':
      return 's3';
    case 'kms':
      return 'kms';
    case 'iam':
      return 'role';
    case 'logs':
      return 'logGroup';
    default:
      return undefined;
  }
}

/** Kinds whose breakage stops this destination. */
const RELEVANT: Record<Destination, (keyof TrailResources)[]> = {
  s3: ['trail', 's3', 'kms'],
  'cloudwatch-logs': ['trail', 'logGroup', 'role'],
};

function resourceMatch(e: ChangeEvent, res: TrailResources): 'same' | 'other' | 'unknown' {
  const kind = kindOf(e);
  const mine = kind ? res[kind] : [];
  const touched = (e.resources ?? []).map((r) => r.toLowerCase());
  if (!touched.length) return 'unknown';
  if (!mine.length) return 'other';
  // IAM policy events name the role; KMS events name the key by id or ARN; compare every form.
  return touched.some((t) => mine.includes(t) || mine.some((m) => m.endsWith(`/${t}`) || t.endsWith(`/${m}`))) ? 'same' : 'other';
}

export interface RankInput {
  destination: Destination;
  /** When the gap opened (first missing event), or closed (last missing event), epoch ms. */
  at: number;
  /** How far before (opening) or around (closing) `at` to look. */
  windowMs: number;
  /** Allowed slack after `at` for an opening change (the first missing event may precede the call slightly). */
  slackMs: number;
}

function toGapEvent(e: ChangeEvent, score: number, reasons: string[]): GapEvent {
  return {
    eventName: e.eventName,
    eventTime: e.eventTime,
    actor: e.actor ?? null,
    sourceIPAddress: e.sourceIPAddress ?? null,
    eventSource: e.eventSource,
    eventId: e.eventId,
    ...(e.awsRegion ? { awsRegion: e.awsRegion } : {}),
    ...(e.requestParameters !== undefined ? { requestParameters: e.requestParameters } : {}),
    score: Math.round(score),
    reasons,
    source: e.sources[0] ?? 'event-history',
  };
}

function rank(events: readonly ChangeEvent[], names: ReadonlySet<string>, res: TrailResources, q: RankInput, lo: number, hi: number, what: 'opened' | 'closed'): GapEvent[] {
  const out: { ev: GapEvent; score: number; t: number }[] = [];
  for (const e of events) {
    if (!names.has(e.eventName) || e.errorCode) continue;
    const t = Date.parse(e.eventTime);
    if (!(t >= lo && t <= hi)) continue;
    const reasons: string[] = [];
    let score = 0;
    const kind = kindOf(e);
    const match = resourceMatch(e, res);
    if (match === 'same') {
      score += 50;
      reasons.push(`touches the trail's ${kind === 'trail' ? 'trail' : kind === 's3' ? 'bucket' : kind === 'kms' ? 'KMS key' : kind === 'role' ? 'CloudWatch Logs role' : 'log group'}`);
    } else if (match === 'unknown') {
      score += 10;
      reasons.push('resource not recorded');
    } else {
      score -= 30;
      reasons.push('touches another resource');
    }
    if (kind && RELEVANT[q.destination].includes(kind)) {
      score += 20;
      reasons.push(`${serviceOf(e)} change can ${what === 'opened' ? 'break' : 'restore'} ${q.destination} delivery`);
    }
    const dt = Math.abs(q.at - t);
    const closeness = Math.max(0, 1 - dt / q.windowMs);
    score += 30 * closeness;
    reasons.push(`${Math.round(dt / 60_000)} min ${t <= q.at ? 'before' : 'after'} the gap ${what}`);
    out.push({ ev: toGapEvent(e, score, reasons), score, t });
  }
  out.sort((a, b) => b.score - a.score || Math.abs(q.at - a.t) - Math.abs(q.at - b.t) || a.ev.eventId!.localeCompare(b.ev.eventId!));
  return out.filter((x) => x.score > 0).map((x) => x.ev);
}

/** Changes in the minutes before a gap opened, most plausible first. */
export function rankTriggers(events: readonly ChangeEvent[], res: TrailResources, q: RankInput): GapEvent[] {
  return rank(events, BREAKING_EVENTS, res, q, q.at - q.windowMs, q.at + q.slackMs, 'opened');
}

/** Changes around the end of a gap that may have closed it, most plausible first. */
export function rankClosers(events: readonly ChangeEvent[], res: TrailResources, q: RankInput & { until: number }): GapEvent[] {
  return rank(events, HEALING_EVENTS, res, q, q.at - q.slackMs, Math.max(q.until, q.at) + q.slackMs, 'closed');
}
