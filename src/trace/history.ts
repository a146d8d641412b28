import type { AwsClients } from '../aws/clients.js';
import { lookupEvents, LOOKUP_EVENTS_NEEDS } from '../aws/lookup-events.js';
import type { TracedEvent } from './model.js';
import { matchesQuery, nearest, tracedEventOf, type EventQuery } from './event.js';

/**
 * Finds the event in CloudTrail event history: by EventId, or by the most selective attribute given
 * (ResourceName, then Username, then EventName; LookupEvents takes one) around the asked time, every
 * other criterion checked on the record. Event history holds 90 days of management events only.
 */
export const HISTORY_DAYS = 90;
const DAY = 86_400_000;

export interface HistoryAnswer {
  status: 'found' | 'not-found' | 'unavailable';
  event?: TracedEvent;
  /** Other matching events (the nearest one is traced). */
  candidates: number;
  others: string[];
  reason?: string;
  needs?: string;
}

export async function findInHistory(clients: AwsClients, region: string, q: EventQuery, now: Date): Promise<HistoryAnswer> {
  const floor = now.getTime() - HISTORY_DAYS * DAY;
  const start = new Date(Math.max(floor, q.time ? q.time.getTime() - q.withinMs : floor));
  const end = new Date(Math.min(now.getTime(), q.time ? q.time.getTime() + q.withinMs : now.getTime()));
  if (start.getTime() > end.getTime()) return { status: 'not-found', candidates: 0, others: [], reason: `older than the ${HISTORY_DAYS} days event history keeps` };
  const attribute = q.eventId
    ? { key: 'EventId' as const, value: q.eventId }
    : q.resourceName
      ? { key: 'ResourceName' as const, value: q.resourceName }
      : q.username
        ? { key: 'Username' as const, value: q.username }
        : { key: 'EventName' as const, value: q.eventName! };
  const found: TracedEvent[] = [];
  const r = await lookupEvents(clients, {
    region,
    start,
    end,
    attribute,
    maxEvents: 500,
    onRecord: (record, _ev, raw) => {
      if (!record || !matchesQuery(record, q)) return;
      const t = tracedEventOf(record, 'event-history', raw ? Buffer.byteLength(raw) : undefined);
      if (t) found.push(t);
    },
  });
  if (r.status !== 'ok') return { status: 'unavailable', candidates: 0, others: [], reason: `event history answered ${r.errorCode ?? r.status}${r.reason ? `: ${r.reason}` : ''}`, needs: r.needs ?? LOOKUP_EVENTS_NEEDS };
  const best = nearest(found, q.time);
  if (!best) return { status: 'not-found', candidates: 0, others: [], ...(r.value?.truncated ? { reason: 'event history was read only in part (more than 500 events matched the lookup attribute)' } : {}) };
  return { status: 'found', event: best, candidates: found.length, others: found.filter((e) => e !== best).slice(0, 5).map((e) => `${e.eventID} at ${e.eventTime}`) };
}
