import type { ChangeEvent, Evidence } from '../evidence/schema.js';
import { gapWindowsOf, rankedTriggersOf, type GapEvent, type GapWindow } from '../evidence/gaps.js';
import type { Finding, RootCauseId, Trigger } from '../checks/types.js';
import { param } from '../evidence/events.js';
import { resourceNameOf } from '../aws/arn.js';
import { CHECKS } from '../checks/index.js';

/**
 * Runbook diagnosis step 5: "configuration changes within 5 minutes of log delivery stopping".
 * For a finding, pick the successful change event (no errorCode) whose name could have caused it
 * and which touched the finding's resources, in the 5 minutes around `since`; without `since`, the
 * most recent such change in the window. A ranked trigger of the gap measurement (evidence.gaps)
 * is preferred when it names a plausible event.
 */

export const CORRELATION_WINDOW_MS = 5 * 60_000;
/**
 * `since` is "when the fault began" as the evidence shows it, which checks usually take from the last
 * successful delivery: the change that broke delivery then lies between that delivery and the next
 * attempt (CloudTrail delivers about every 5 minutes), i.e. up to 5 minutes *after* `since`.
 * Changes up to 5 minutes before and 5 minutes after `since` are candidates; nearer is better.
 */
export const CORRELATION_AFTER_MS = 5 * 60_000;

/**
 * Event names that can cause each root cause (its `triggerEvents` in src/checks/<id>.ts, all of them
 * in the change-event catalogue step 9 collects), used when a finding does not narrow them itself.
 */
export const DEFAULT_TRIGGER_EVENTS: Partial<Record<RootCauseId, readonly string[]>> = Object.fromEntries(CHECKS.filter((c) => c.triggerEvents.length).map((c) => [c.id, c.triggerEvents]));

/**
 * Causes that describe a configuration state rather than the moment delivery stopped (`state` in
 * their file): their `since` (e.g. a retention cut-off) is not when the change happened, so the most
 * recent matching change in the window is taken instead of one near `since`.
 */
export const STATE_CAUSES: ReadonlySet<RootCauseId> = new Set(CHECKS.filter((c) => c.state).map((c) => c.id));

/** UpdateTrail parameters that can produce each cause; an UpdateTrail touching none of them is not blamed. */
const UPDATE_TRAIL_PARAMS: Partial<Record<RootCauseId, readonly string[]>> = {
  's3-bucket-missing': ['s3BucketName'],
  's3-bucket-policy-denies': ['s3BucketName', 's3KeyPrefix'],
  's3-kms-key-denies': ['kmsKeyId', 's3BucketName'],
  's3-requester-pays': ['s3BucketName'],
  's3-delivery-error': ['s3BucketName', 's3KeyPrefix', 'kmsKeyId'],
  'cloudwatch-log-group-missing': ['cloudWatchLogsLogGroupArn'],
  'cloudwatch-role-invalid': ['cloudWatchLogsRoleArn', 'cloudWatchLogsLogGroupArn'],
  'cloudwatch-delivery-error': ['cloudWatchLogsRoleArn', 'cloudWatchLogsLogGroupArn'],
  'cloudwatch-logs-not-configured': ['cloudWatchLogsLogGroupArn'],
  'single-region-trail': ['isMultiRegionTrail'],
  'global-service-events-excluded': ['includeGlobalServiceEvents'],
  'log-file-validation-disabled': ['enableLogFileValidation'],
  'sns-notification-failing': ['snsTopicName'],
  'sns-topic-policy-denies': ['snsTopicName'],
};

/** For coverage causes, the UpdateTrail must have set the setting to the faulty value. */
const UPDATE_TRAIL_VALUES: Partial<Record<RootCauseId, (p: unknown) => boolean>> = {
  'single-region-trail': (p) => param(p, 'isMultiRegionTrail') === false,
  'global-service-events-excluded': (p) => param(p, 'includeGlobalServiceEvents') === false,
  'log-file-validation-disabled': (p) => param(p, 'enableLogFileValidation') === false,
  'cloudwatch-logs-not-configured': (p) => param(p, 'cloudWatchLogsLogGroupArn') === '',
};

/** Settings whose CreateTrail default produces the cause: CreateTrail is blamed only when it left them so. */
const CREATE_TRAIL_DEFAULTS: Partial<Record<RootCauseId, (p: unknown) => boolean>> = {
  'single-region-trail': (p) => param(p, 'isMultiRegionTrail') !== true,
  'global-service-events-excluded': (p) => param(p, 'includeGlobalServiceEvents') === false,
  'log-file-validation-disabled': (p) => param(p, 'enableLogFileValidation') !== true,
  'cloudwatch-logs-not-configured': (p) => !param(p, 'cloudWatchLogsLogGroupArn'),
};

/** Whether a change of this name could have produced this cause, judged on its request parameters. */
export function relevantChange(id: RootCauseId, c: ChangeEvent): boolean {
  const p = c.requestParameters;
  if (c.eventName === 'UpdateTrail') {
    const value = UPDATE_TRAIL_VALUES[id];
    if (value && p !== undefined) return value(p);
    const names = UPDATE_TRAIL_PARAMS[id];
    if (!names || p === undefined) return true;
    return names.some((n) => param(p, n) !== undefined);
  }
  if (c.eventName === 'CreateTrail') {
    const pred = CREATE_TRAIL_DEFAULTS[id];
    return !pred || p === undefined || pred(p);
  }
  return true;
}

/** The resources of the evidence a root cause is about, used when a check does not name them. */
export function defaultResources(id: RootCauseId, evidence: Evidence): string[] {
  const s = evidence.steps;
  const trail = s.s1.trail.value;
  const trailNames = [trail?.name ?? evidence.target.trail, trail?.arn].filter((x): x is string => !!x);
  const bucket = [s.s4.bucket ?? trail?.s3BucketName].filter((x): x is string => !!x);
  const key = [s.s4.kmsKey.value?.arn, s.s4.kmsKey.value?.keyId, trail?.kmsKeyId, s.s4.encryption.value?.kmsKeyId].filter((x): x is string => !!x);
  const role = [s.s5.roleArn ?? trail?.cloudWatchLogsRoleArn, s.s5.role.value?.name].filter((x): x is string => !!x);
  const logGroup = [s.s7.logGroupName, s.s7.logGroupArn ?? trail?.cloudWatchLogsLogGroupArn].filter((x): x is string => !!x);
  switch (id) {
    case 's3-bucket-missing':
    case 's3-bucket-policy-denies':
    case 's3-requester-pays':
    case 'logs-expired-by-lifecycle':
      return [...bucket, ...trailNames];
    case 's3-kms-key-denies':
      return [...key, ...bucket, ...trailNames];
    case 's3-delivery-error':
      return [...bucket, ...key, ...trailNames];
    case 'cloudwatch-role-invalid':
      return [...role, ...trailNames];
    case 'cloudwatch-log-group-missing':
    case 'logs-expired-by-retention':
      return [...logGroup, ...trailNames];
    case 'cloudwatch-delivery-error':
      return [...role, ...logGroup, ...trailNames];
    case 'delivery-stopped':
    case 'delivery-gaps':
      return [...trailNames, ...bucket, ...key, ...role, ...logGroup];
    case 'organization-policy-denies':
      return [];
    default:
      return trailNames;
  }
}

/** A name and, for an ARN, its resource part (trail/role/key/log-group name), lower-cased. */
function names(v: string): string[] {
  const out = new Set<string>([v.toLowerCase()]);
  const short = resourceNameOf(v);
  if (short) out.add(short.toLowerCase());
  return [...out];
}

type Match = 'resource' | 'parameters' | 'unscoped';

function resourceMatch(change: ChangeEvent, resources: readonly string[]): Match | undefined {
  if (!resources.length) return 'unscoped';
  const wanted = new Set(resources.flatMap(names));
  if (change.resources?.length) {
    return change.resources.some((r) => names(r).some((n) => wanted.has(n))) ? 'resource' : undefined;
  }
  // No resource names extracted: fall back to the request parameters' text (whole-word match).
  if (change.requestParameters === undefined) return undefined;
  const text = JSON.stringify(change.requestParameters).toLowerCase();
  for (const n of wanted) {
    if (n.length < 3) continue;
    const i = text.indexOf(n);
    if (i < 0) continue;
    const before = text[i - 1] ?? '"';
    const after = text[i + n.length] ?? '"';
    if (!/[a-z0-9_.-]/.test(before) && !/[a-z0-9_.-]/.test(after)) return 'parameters';
  }
  return undefined;
}

const SOURCE_PREFERENCE: Trigger['source'][] = ['event-history', 'log-group', 's3'];

export function triggerFromChange(c: ChangeEvent): Trigger {
  const source = SOURCE_PREFERENCE.find((s) => c.sources.includes(s)) ?? 'event-history';
  const t: Trigger = { eventName: c.eventName, eventTime: c.eventTime, source };
  if (c.actor) t.actor = c.actor;
  if (c.sourceIPAddress) t.sourceIPAddress = c.sourceIPAddress;
  if (c.requestParameters !== undefined) t.requestParameters = c.requestParameters;
  t.eventId = c.eventId;
  return t;
}

export interface CorrelateInput {
  /** The cause being explained: its request-parameter relevance rules apply (see relevantChange). */
  id?: RootCauseId;
  triggerEvents: readonly string[];
  resources: readonly string[];
  since?: string;
  /** The diagnosis clock (evidence.collectedAt). */
  now: string;
  windowStart: string;
}

export interface Candidate {
  change: ChangeEvent;
  score: number;
}

/** Every plausible change for a finding, best first. */
export function rankCandidates(changes: readonly ChangeEvent[], input: CorrelateInput): Candidate[] {
  const names = new Set(input.triggerEvents);
  if (!names.size) return [];
  const now = Date.parse(input.now);
  const windowStart = Date.parse(input.windowStart);
  const since = input.since !== undefined ? Date.parse(input.since) : NaN;
  const out: Candidate[] = [];
  for (const c of changes) {
    if (c.errorCode) continue; // a failed call changed nothing
    if (!names.has(c.eventName)) continue;
    if (input.id && !relevantChange(input.id, c)) continue;
    const t = Date.parse(c.eventTime);
    if (Number.isNaN(t)) continue;
    if (!Number.isNaN(since)) {
      if (t < since - CORRELATION_WINDOW_MS || t > since + CORRELATION_AFTER_MS) continue;
    } else if ((!Number.isNaN(windowStart) && t < windowStart) || t > now) {
      continue;
    }
    const match = resourceMatch(c, input.resources);
    if (!match) continue;
    let score = match === 'resource' ? 1000 : match === 'parameters' ? 600 : 300;
    // earlier-listed trigger names are the more specific causes
    score += 50 - Math.min(50, input.triggerEvents.indexOf(c.eventName) * 5);
    if (!Number.isNaN(since)) {
      const d = t - since;
      // before `since` is the runbook's reading; after it by a delivery cadence is still plausible
      score += d <= 0 ? 200 - Math.abs(d) / 3000 : 150 - d / 3000;
    } else {
      // the most recent change wins
      score += 200 * Math.max(0, 1 - (now - t) / Math.max(1, now - windowStart));
    }
    out.push({ change: c, score });
  }
  return out.sort((a, b) => b.score - a.score || Date.parse(b.change.eventTime) - Date.parse(a.change.eventTime) || a.change.eventId.localeCompare(b.change.eventId));
}

// ---- evidence.gaps: the gap measurement's ranked triggers ------------------------------------

interface GapTriggerLike {
  eventName: string;
  eventTime: string;
  actor?: string;
  sourceIPAddress?: string;
  eventId?: string;
}

function asTrigger(e: GapEvent): GapTriggerLike | undefined {
  if (Number.isNaN(Date.parse(e.eventTime))) return undefined;
  const t: GapTriggerLike = { eventName: e.eventName, eventTime: e.eventTime };
  if (e.actor) t.actor = e.actor;
  if (e.sourceIPAddress) t.sourceIPAddress = e.sourceIPAddress;
  if (e.eventId) t.eventId = e.eventId;
  return t;
}

/** The engine ranks at most 5 triggers per gap; a hand-edited file may hold any number. */
const MAX_RANKED_TRIGGERS = 50;

/** A gap's ranked triggers whose time parses, most plausible first, each (name, time) once. */
function gapTriggers(g: GapWindow): GapTriggerLike[] {
  const out: GapTriggerLike[] = [];
  for (const e of rankedTriggersOf(g).slice(0, MAX_RANKED_TRIGGERS)) {
    const t = asTrigger(e);
    if (t && !out.some((x) => x.eventName === t.eventName && x.eventTime === t.eventTime)) out.push(t);
  }
  return out;
}

function findChange(changes: readonly ChangeEvent[], t: GapTriggerLike): ChangeEvent | undefined {
  if (t.eventId) {
    const byId = changes.find((c) => c.eventId === t.eventId);
    if (byId) return byId;
  }
  const at = Date.parse(t.eventTime);
  return changes.find((c) => c.eventName === t.eventName && Math.abs(Date.parse(c.eventTime) - at) < 1000);
}

/** The gap report's ranked trigger for a finding, when one names a plausible event near `since`. */
function triggerFromGaps(evidence: Evidence, input: CorrelateInput): Trigger | undefined {
  const windows = gapWindowsOf(evidence.gaps);
  if (!windows.length) return undefined;
  const names = new Set(input.triggerEvents);
  const since = input.since !== undefined ? Date.parse(input.since) : NaN;
  // the gap that opened nearest `since` (or the latest one without `since`)
  const ordered = [...windows].sort((a, b) =>
    Number.isNaN(since)
      ? Date.parse(b.start) - Date.parse(a.start)
      : Math.abs(Date.parse(a.start) - since) - Math.abs(Date.parse(b.start) - since),
  );
  for (const w of ordered) {
    if (!Number.isNaN(since) && Math.abs(Date.parse(w.start) - since) > 60 * 60_000) continue;
    for (const t of gapTriggers(w)) {
      if (!names.has(t.eventName)) continue;
      const change = findChange(evidence.steps.s9.changes, t);
      if (change?.errorCode) continue; // never blame a call that failed
      if (change && !resourceMatch(change, input.resources)) continue;
      if (change && input.id && !relevantChange(input.id, change)) continue;
      if (change) return triggerFromChange(change);
      const trig: Trigger = { eventName: t.eventName, eventTime: t.eventTime, source: 'event-history' };
      if (t.actor) trig.actor = t.actor;
      if (t.sourceIPAddress) trig.sourceIPAddress = t.sourceIPAddress;
      if (t.eventId) trig.eventId = t.eventId;
      return trig;
    }
  }
  return undefined;
}

/** The trigger of one finding, or undefined when no change explains it. */
export function correlateFinding(evidence: Evidence, finding: Finding): Trigger | undefined {
  if (finding.trigger) return finding.trigger;
  const triggerEvents = finding.triggerEvents ?? DEFAULT_TRIGGER_EVENTS[finding.id] ?? [];
  if (!triggerEvents.length) return undefined;
  const input: CorrelateInput = {
    id: finding.id,
    triggerEvents,
    resources: finding.resources ?? defaultResources(finding.id, evidence),
    now: evidence.collectedAt,
    windowStart: evidence.window.start,
  };
  if (finding.since !== undefined && !Number.isNaN(Date.parse(finding.since)) && !STATE_CAUSES.has(finding.id)) input.since = finding.since;
  const fromGaps = triggerFromGaps(evidence, input);
  if (fromGaps) return fromGaps;
  const best = rankCandidates(evidence.steps.s9.changes, input)[0];
  return best ? triggerFromChange(best.change) : undefined;
}

/** Sets `trigger` on every finding a change explains (a copy; the input is not modified). */
export function correlate(evidence: Evidence, findings: readonly Finding[]): Finding[] {
  return findings.map((f) => {
    let trigger: Trigger | undefined;
    try {
      trigger = correlateFinding(evidence, f);
    } catch {
      trigger = undefined; // correlation is a bonus: never lose the finding over it
    }
    return trigger ? { ...f, trigger } : { ...f };
  });
}
