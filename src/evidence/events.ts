import type { ChangeEvent } from './schema.js';
import { inertLine } from '../util/text.js';
import { resourceNameOf } from '../aws/arn.js';

/**
 * CloudTrail records (from S3 log files, CloudWatch Logs messages or LookupEvents' CloudTrailEvent)
 * to ChangeEvents, the one shape diagnosis and forensics reason over.
 */
export type ChangeSource = ChangeEvent['sources'][number];

/** Largest requestParameters kept per event (CloudTrail itself truncates above 100 KB). */
export const MAX_REQUEST_PARAMETERS_CHARS = 16_000;

interface UserIdentity {
  type?: string;
  arn?: string;
  invokedBy?: string;
  userName?: string;
  principalId?: string;
  accountId?: string;
  sessionContext?: { sessionIssuer?: { arn?: string } };
}

/** Who did it: the identity ARN; for an assumed role its session ARN (the issuer role is inside it). */
export function actorOf(identity: unknown): string | undefined {
  if (!identity || typeof identity !== 'object') return undefined;
  const u = identity as UserIdentity;
  const a = u.arn ?? u.sessionContext?.sessionIssuer?.arn ?? u.invokedBy ?? (u.type === 'Root' && u.accountId ? `arn:aws:iam::${u.accountId}:root` : undefined) ?? u.userName ?? u.principalId;
  return a ? inertLine(a, 300) : undefined;
}

function capParameters(p: unknown): unknown {
  if (p === null || p === undefined) return undefined;
  const text = JSON.stringify(p);
  if (text === undefined) return undefined;
  if (text.length <= MAX_REQUEST_PARAMETERS_CHARS) return p;
  return { truncated: true, preview: text.slice(0, MAX_REQUEST_PARAMETERS_CHARS) };
}

/** Case-insensitive lookup of a requestParameters field (CloudTrail's casing is not uniform). */
export function param(params: unknown, ...names: string[]): unknown {
  if (!params || typeof params !== 'object') return undefined;
  const entries = Object.entries(params as Record<string, unknown>);
  for (const n of names) {
    const hit = entries.find(([k]) => k.toLowerCase() === n.toLowerCase());
    if (hit) return hit[1];
  }
  return undefined;
}

/** Resource names the event touches, for correlating it with a finding's resources. */
export function resourcesOf(eventSource: string, params: unknown): string[] {
  const out = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === 'string' && v) {
      out.add(v);
      // trail, role, user, key and log-group ARNs also match by their short name
      const short = resourceNameOf(v);
      if (short) out.add(short);
    }
  };
  for (const n of ['name', 'trailName', 'bucketName', 'roleName', 'policyArn', 'keyId', 'logGroupName', 'topicArn', 's3BucketName', 'cloudWatchLogsLogGroupArn', 'cloudWatchLogsRoleArn', 'kmsKeyId']) {
    add(param(params, n));
  }
  void eventSource;
  return [...out];
}

/** A CloudTrail record object to a ChangeEvent, or undefined when it is not a record. */
export function recordToChangeEvent(record: unknown, source: ChangeSource): ChangeEvent | undefined {
  if (!record || typeof record !== 'object') return undefined;
  const r = record as Record<string, unknown>;
  const eventId = typeof r.eventID === 'string' ? r.eventID : undefined;
  const eventName = typeof r.eventName === 'string' ? r.eventName : undefined;
  const eventTime = typeof r.eventTime === 'string' ? r.eventTime : undefined;
  if (!eventId || !eventName || !eventTime || Number.isNaN(Date.parse(eventTime))) return undefined;
  const eventSource = typeof r.eventSource === 'string' ? r.eventSource : 'unknown';
  const params = capParameters(r.requestParameters);
  const ev: ChangeEvent = {
    eventId: inertLine(eventId, 100),
    eventName: inertLine(eventName, 200),
    eventSource: inertLine(eventSource, 200),
    eventTime: new Date(Date.parse(eventTime)).toISOString().replace(/\.000Z$/, 'Z'),
    sources: [source],
  };
  if (typeof r.awsRegion === 'string') ev.awsRegion = inertLine(r.awsRegion, 50);
  const actor = actorOf(r.userIdentity);
  if (actor) ev.actor = actor;
  if (typeof r.sourceIPAddress === 'string') ev.sourceIPAddress = inertLine(r.sourceIPAddress, 200);
  if (typeof r.userAgent === 'string') ev.userAgent = inertLine(r.userAgent, 300);
  if (typeof r.errorCode === 'string') ev.errorCode = inertLine(r.errorCode, 200);
  if (typeof r.errorMessage === 'string') ev.errorMessage = inertLine(r.errorMessage, 1000);
  if (params !== undefined) ev.requestParameters = params;
  const resources = resourcesOf(eventSource, r.requestParameters);
  if (resources.length) ev.resources = resources;
  return ev;
}

/** Merges lists from several sources, de-duplicated by eventID (sources united), oldest first. */
export function mergeChangeEvents(...lists: (ChangeEvent[] | undefined)[]): ChangeEvent[] {
  const byId = new Map<string, ChangeEvent>();
  for (const list of lists) {
    for (const e of list ?? []) {
      const seen = byId.get(e.eventId);
      if (!seen) {
        byId.set(e.eventId, { ...e, sources: [...e.sources] });
      } else {
        for (const s of e.sources) if (!seen.sources.includes(s)) seen.sources.push(s);
        seen.requestParameters ??= e.requestParameters;
        seen.actor ??= e.actor;
        seen.sourceIPAddress ??= e.sourceIPAddress;
      }
    }
  }
  return [...byId.values()].sort((a, b) => Date.parse(a.eventTime) - Date.parse(b.eventTime) || a.eventId.localeCompare(b.eventId));
}
