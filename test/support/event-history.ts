import type { Override } from './standin.js';
import { awsJsonError } from './standin.js';

/**
 * A CloudTrail event-history stand-in (moto has no LookupEvents): serves the given CloudTrail
 * records as LookupEvents would — time window, one lookup attribute, newest first, 50 per page with
 * NextToken — and optionally enforces the API's 2 requests/second with ThrottlingException.
 */
export interface EventHistoryOptions {
  ratePerSecond?: number;
  pageSize?: number;
}

function matches(r: Record<string, unknown>, key: string, value: string): boolean {
  switch (key) {
    case 'EventName':
      return r.eventName === value;
    case 'EventSource':
      return r.eventSource === value;
    case 'EventId':
      return r.eventID === value;
    case 'ReadOnly':
      return String(r.readOnly) === value;
    case 'Username': {
      const u = r.userIdentity as { userName?: string; arn?: string } | undefined;
      return u?.userName === value || (u?.arn ?? '').endsWith(`/${value}`);
    }
    case 'ResourceName':
    case 'ResourceType': {
      // AWS matches the event's resources; the request parameters hold the same names.
      const text = JSON.stringify(r.requestParameters ?? {}) + JSON.stringify(r.resources ?? []);
      return text.includes(JSON.stringify(value).slice(1, -1));
    }
    case 'AccessKeyId':
      return (r.userIdentity as { accessKeyId?: string } | undefined)?.accessKeyId === value;
    default:
      return false;
  }
}

export function eventHistory(records: Record<string, unknown>[], opts: EventHistoryOptions = {}): Override & { calls: number } {
  const pageSize = opts.pageSize ?? 50;
  const stamps: number[] = [];
  const handler = ((body: Record<string, unknown>) => {
    handler.calls++;
    const now = Date.now();
    if (opts.ratePerSecond) {
      while (stamps.length && now - stamps[0]! >= 1000) stamps.shift();
      if (stamps.length >= opts.ratePerSecond) return awsJsonError('ThrottlingException', 'Rate exceeded');
      stamps.push(now);
    }
    const toMs = (v: unknown) => (typeof v === 'number' ? v * 1000 : typeof v === 'string' ? Date.parse(v) : undefined);
    const start = toMs(body.StartTime) ?? 0;
    const end = toMs(body.EndTime) ?? Number.MAX_SAFE_INTEGER;
    const attrs = (body.LookupAttributes as { AttributeKey: string; AttributeValue: string }[] | undefined) ?? [];
    if (attrs.length > 1) return awsJsonError('InvalidLookupAttributesException', 'You cannot specify more than one lookup attribute.');
    const selected = records
      .filter((r) => {
        const t = Date.parse(String(r.eventTime));
        return t >= start && t <= end && attrs.every((a) => matches(r, a.AttributeKey, a.AttributeValue));
      })
      .sort((a, b) => Date.parse(String(b.eventTime)) - Date.parse(String(a.eventTime)));
    const max = Math.min(Number(body.MaxResults ?? pageSize), pageSize);
    const offset = body.NextToken ? Number(body.NextToken) : 0;
    const page = selected.slice(offset, offset + max);
    const next = offset + max < selected.length ? String(offset + max) : undefined;
    return {
      body: {
        Events: page.map((r) => ({
          EventId: r.eventID,
          EventName: r.eventName,
          EventSource: r.eventSource,
          EventTime: Date.parse(String(r.eventTime)) / 1000,
          ReadOnly: String(r.readOnly ?? false),
          Username: (r.userIdentity as { userName?: string } | undefined)?.userName,
          CloudTrailEvent: JSON.stringify(r),
        })),
        ...(next ? { NextToken: next } : {}),
      },
    };
  }) as unknown as Override & { calls: number };
  handler.calls = 0;
  return handler;
}
