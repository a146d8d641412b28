import { inertLine } from '../util/text.js';
import type { TracedEvent } from './model.js';

/**
 * A CloudTrail record (event history's CloudTrailEvent, or a record of a log file) as the traced
 * event: the fields the trail's selectors, regions and destinations are judged on. Untrusted text
 * is made inert here, once. Pure.
 */
const str = (v: unknown, max = 300): string | undefined => (typeof v === 'string' && v ? inertLine(v, max) : undefined);

export function tracedEventOf(r: Record<string, unknown>, source: TracedEvent['source'], sizeBytes?: number): TracedEvent | undefined {
  const eventID = str(r.eventID, 100);
  const eventTime = str(r.eventTime, 40);
  if (!eventID || !eventTime || Number.isNaN(Date.parse(eventTime))) return undefined;
  const ui = (r.userIdentity && typeof r.userIdentity === 'object' ? r.userIdentity : {}) as Record<string, unknown>;
  const issuer = ((ui.sessionContext as Record<string, unknown> | undefined)?.sessionIssuer ?? {}) as Record<string, unknown>;
  const category = str(r.eventCategory, 40) ?? (r.managementEvent === false ? 'Data' : 'Management');
  const resources = Array.isArray(r.resources)
    ? (r.resources as unknown[]).slice(0, 50).flatMap((x) => {
        if (!x || typeof x !== 'object') return [];
        const o = x as Record<string, unknown>;
        return [{ type: str(o.type, 100), arn: str(o.ARN ?? o.arn, 1024) }];
      })
    : [];
  return {
    eventID,
    eventTime,
    eventName: str(r.eventName, 200) ?? '?',
    eventSource: str(r.eventSource, 200) ?? '?',
    awsRegion: str(r.awsRegion, 40) ?? '?',
    eventCategory: category,
    readOnly: typeof r.readOnly === 'boolean' ? r.readOnly : r.readOnly === 'true' ? true : r.readOnly === 'false' ? false : undefined,
    eventType: str(r.eventType, 60),
    username: str(ui.userName, 200) ?? str(issuer.userName, 200),
    userIdentityArn: str(ui.arn, 1024),
    recipientAccountId: str(r.recipientAccountId, 12),
    errorCode: str(r.errorCode, 200),
    resources,
    ...(sizeBytes !== undefined ? { sizeBytes } : {}),
    source,
  };
}

export interface EventQuery {
  eventId?: string;
  eventName?: string;
  time?: Date;
  /** Half-width of the time window around `time`. */
  withinMs: number;
  username?: string;
  resourceName?: string;
}

/** Does a record match the query? Applied to every candidate, whatever LookupEvents already filtered. */
export function matchesQuery(r: Record<string, unknown>, q: EventQuery): boolean {
  if (q.eventId && r.eventID !== q.eventId) return false;
  if (q.eventName && r.eventName !== q.eventName) return false;
  if (q.time) {
    const t = Date.parse(String(r.eventTime));
    if (!(Math.abs(t - q.time.getTime()) <= q.withinMs)) return false;
  }
  if (q.username) {
    const ui = (r.userIdentity ?? {}) as { userName?: string; arn?: string; sessionContext?: { sessionIssuer?: { userName?: string } } };
    const arn = ui.arn ?? '';
    if (ui.userName !== q.username && ui.sessionContext?.sessionIssuer?.userName !== q.username && !arn.endsWith(`/${q.username}`)) return false;
  }
  if (q.resourceName) {
    const text = JSON.stringify(r.requestParameters ?? {}) + JSON.stringify(r.resources ?? []);
    if (!text.includes(JSON.stringify(q.resourceName).slice(1, -1))) return false;
  }
  return true;
}

/** The candidate nearest the asked time (or the only one); ties by id, so the answer is stable. */
export function nearest<T extends { eventTime: string; eventID: string }>(xs: readonly T[], time?: Date): T | undefined {
  const at = time?.getTime();
  return [...xs].sort((a, b) => (at === undefined ? 0 : Math.abs(Date.parse(a.eventTime) - at) - Math.abs(Date.parse(b.eventTime) - at)) || a.eventID.localeCompare(b.eventID))[0];
}
