import { LookupEventsCommand, type LookupAttributeKey } from '@aws-sdk/client-cloudtrail';
import type { AwsClients } from './clients.js';
import { probeFromError } from './call.js';
import type { Probe } from '../evidence/probe.js';
import type { ChangeEvent } from '../evidence/schema.js';
import { recordToChangeEvent } from '../evidence/events.js';

/**
 * CloudTrail event history (LookupEvents): 90 days of management events, independent of any trail's
 * delivery. One attribute per call (the API's own rule), 50 events per page, and a shared limiter
 * per region so every caller together stays within 2 requests per second.
 */
export interface LookupQuery {
  region: string;
  start: Date;
  end: Date;
  attribute?: { key: LookupAttributeKey | `${LookupAttributeKey}`; value: string };
  /** Stop after this many events (the result says `truncated`). */
  maxEvents?: number;
  /** Stop after this many pages. */
  maxPages?: number;
  /** Called after each page: progress displays and ETA. */
  onPage?: (info: { pages: number; events: number }) => void;
  /** Resume from a NextToken of an earlier call over the same query (additive). */
  nextToken?: string;
  /** Called for each event kept, with the raw CloudTrailEvent record when it parsed (additive). */
  onRecord?: (record: Record<string, unknown> | undefined, event: ChangeEvent, rawJson: string | undefined) => void;
}

export interface LookupResult {
  events: ChangeEvent[];
  pages: number;
  truncated: boolean;
  /** Where a later call can resume (when `truncated`). */
  nextToken?: string;
}

export const LOOKUP_EVENTS_NEEDS = 'cloudtrail:LookupEvents';

export async function lookupEvents(clients: AwsClients, q: LookupQuery): Promise<Probe<LookupResult>> {
  const client = clients.cloudtrail(q.region);
  const limiter = clients.limiters.get(`cloudtrail:LookupEvents@${q.region}`);
  const events: ChangeEvent[] = [];
  let token: string | undefined = q.nextToken;
  let pages = 0;
  const maxEvents = q.maxEvents ?? 10_000;
  const maxPages = q.maxPages ?? Math.ceil(maxEvents / 50) + 1;
  try {
    do {
      await limiter.acquire();
      const res = await client.send(
        new LookupEventsCommand({
          StartTime: q.start,
          EndTime: q.end,
          MaxResults: 50,
          NextToken: token,
          LookupAttributes: q.attribute ? [{ AttributeKey: q.attribute.key as LookupAttributeKey, AttributeValue: q.attribute.value }] : undefined,
        }),
      );
      pages++;
      for (const e of res.Events ?? []) {
        const record = parseCloudTrailEvent(e.CloudTrailEvent);
        const ev =
          recordToChangeEvent(record, 'event-history') ??
          recordToChangeEvent(
            {
              eventID: e.EventId,
              eventName: e.EventName,
              eventSource: e.EventSource,
              eventTime: e.EventTime instanceof Date ? e.EventTime.toISOString() : undefined,
              userIdentity: e.Username ? { userName: e.Username } : undefined,
            },
            'event-history',
          );
        if (!ev) continue;
        // Never trust a server-side filter blindly: keep only what really lies in the window.
        const t = Date.parse(ev.eventTime);
        if (t < q.start.getTime() || t > q.end.getTime()) continue;
        events.push(ev);
        q.onRecord?.(record && typeof record === 'object' ? (record as Record<string, unknown>) : undefined, ev, e.CloudTrailEvent);
      }
      q.onPage?.({ pages, events: events.length });
      token = res.NextToken;
    } while (token && events.length < maxEvents && pages < maxPages);
  } catch (err) {
    if (pages === 0) return probeFromError<LookupResult>(err, { needs: LOOKUP_EVENTS_NEEDS });
    // Partial history is still evidence; say it stopped early and why.
    const p = probeFromError<LookupResult>(err, { needs: LOOKUP_EVENTS_NEEDS });
    return { status: 'ok', value: { events, pages, truncated: true, nextToken: token }, reason: `stopped after ${pages} pages: ${p.reason}`, errorCode: p.errorCode };
  }
  return { status: 'ok', value: { events, pages, truncated: Boolean(token), nextToken: token } };
}

function parseCloudTrailEvent(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
