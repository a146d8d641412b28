import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { AwsClients } from '../aws/clients.js';
import { classifyError } from '../aws/call.js';
import { eventIdOf } from '../gaps/deliveries.js';
import { inertLine } from '../util/text.js';

/**
 * Is the event in the trail's log group? FilterLogEvents over the time around the event with a JSON
 * pattern on its eventID; every message returned is re-checked here (a pattern the service ignored
 * or misread must not make a false "found"). CloudTrail stamps each log event with the event's time.
 */
export const CWL_ACTIONS = ['logs:FilterLogEvents'] as const;

export interface CwlAnswer {
  found: boolean;
  logStream?: string;
  /** Messages examined. */
  scanned: number;
  truncated: boolean;
  error?: { code: string; message: string; needs: string; absent: boolean };
}

export async function searchLogGroup(clients: AwsClients, region: string, logGroupName: string, eventId: string, from: number, to: number, maxPages = 50): Promise<CwlAnswer> {
  const logs = clients.logs(region);
  const limiter = clients.limiters.get(`logs:FilterLogEvents@${region}`, 5);
  const out: CwlAnswer = { found: false, scanned: 0, truncated: false };
  // A quote in an id would break the pattern; ids are UUIDs, anything else is matched client-side only.
  const pattern = /^[A-Za-z0-9-]{1,100}$/.test(eventId) ? `{ $.eventID = "${eventId}" }` : undefined;
  let token: string | undefined;
  let pages = 0;
  try {
    do {
      await limiter.acquire();
      const res = await logs.send(new FilterLogEventsCommand({ logGroupName, startTime: from, endTime: to, filterPattern: pattern, nextToken: token }));
      pages++;
      for (const ev of res.events ?? []) {
        out.scanned++;
        if (eventIdOf(ev.message) === eventId) {
          out.found = true;
          out.logStream = ev.logStreamName ? inertLine(ev.logStreamName, 512) : undefined;
          return out;
        }
      }
      token = res.nextToken;
    } while (token && pages < maxPages);
    out.truncated = Boolean(token);
  } catch (e) {
    const c = classifyError(e, ['ResourceNotFoundException']);
    out.error = { code: c.code, message: inertLine(c.message, 300), needs: 'logs:FilterLogEvents', absent: c.kind === 'absent' };
  }
  return out;
}
