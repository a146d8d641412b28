import {
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  GetQueryResultsCommand,
  StartQueryCommand,
  type CloudWatchLogsClient,
  type LogStream,
  type ResultField,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Probe } from '../evidence/probe.js';
import type { ChangeEvent, HourlyCount, Step3 } from '../evidence/schema.js';
import { recordToChangeEvent } from '../evidence/events.js';
import { all, mapLimit, send } from './chain.js';
import { defineCollector, type Caller, type CollectContext, type ResolvedTrail } from './types.js';
import { hourFloor, iso, isoOf, logGroupNameFromArn, parseArn, parseJsonObject, probe, probeFromError, skippedProbe, sleep, text } from './util.js';
import { STEP_TITLES } from './progress.js';

/**
 * Step 3: what the trail's log group holds. Freshness from event timestamps (never ingestion times),
 * hourly counts over the window (Logs Insights where the service computes them, else a capped
 * FilterLogEvents scan), and delivery failures (CloudTrail records with an errorCode about delivery),
 * every server-side match re-checked here.
 */

export const NO_CWL = 'no CloudWatch Logs configured';

export interface LogGroupTarget {
  arn: string;
  name: string;
  region: string;
  account: string;
}

/** The trail's log group, or why a step that reads it is skipped / cannot verify. */
export function logGroupTarget(
  trail: ResolvedTrail | undefined,
  caller: Probe<Caller> | undefined,
  skipReason?: string,
): { target?: LogGroupTarget; skip?: string; crossAccount?: string } {
  if (!trail) return { skip: skipReason ?? 'trail not found' };
  const arn = trail.config.cloudWatchLogsLogGroupArn;
  if (!arn) return { skip: NO_CWL };
  const a = parseArn(arn);
  const name = logGroupNameFromArn(arn);
  if (!a || !name) return { skip: `log group ARN ${arn} cannot be parsed` };
  const target = { arn, name, region: a.region || trail.homeRegion, account: a.account };
  const me = caller?.status === 'ok' ? caller.value?.accountId : undefined;
  if (me && a.account && a.account !== me) return { target, crossAccount: a.account };
  return { target };
}

/** A probe for something in another account that this caller cannot read: unverified, naming the account. */
export function crossAccountProbe<T>(what: string, account: string, needs: string): Probe<T> {
  return { status: 'error', errorCode: 'CrossAccount', needs: `${needs} (in account ${account})`, reason: `${what} belongs to account ${account}; it cannot be read from this account` };
}

export const DELIVERY_FAILURE_PATTERN =
  '{ ($.errorCode = "*") && (($.eventSource = "cloudtrail.amazonaws.com") || ($.eventSource = "s3.amazonaws.com") || ($.eventSource = "logs.amazonaws.com") || ($.eventSource = "kms.amazonaws.com")) }';

const CT = 'cloudtrail.amazonaws.com';
const DELIVERY_SOURCES = new Set([CT, 's3.amazonaws.com', 'logs.amazonaws.com', 'kms.amazonaws.com']);
const DELIVERY_OPS: Record<string, readonly string[]> = {
  's3.amazonaws.com': ['PutObject', 'GetBucketAcl'],
  'logs.amazonaws.com': ['CreateLogStream', 'PutLogEvents'],
  'kms.amazonaws.com': ['GenerateDataKey', 'Decrypt', 'DescribeKey'],
};
const CT_DELIVERY_ERROR = /s3|bucket|kms|encryption|cloudwatch|loggroup|role|sns|insufficient/i;

/** Client-side re-check: a CloudTrail record whose errorCode is about CloudTrail, S3, Logs or KMS delivery. */
export function isDeliveryFailure(record: Record<string, unknown>): boolean {
  const errorCode = record.errorCode;
  const source = record.eventSource;
  if (typeof errorCode !== 'string' || !errorCode || typeof source !== 'string' || !DELIVERY_SOURCES.has(source)) return false;
  const ui = (record.userIdentity ?? {}) as Record<string, unknown>;
  const byCloudTrail = [ui.invokedBy, record.sourceIPAddress, record.userAgent].some((v) => v === CT);
  if (source === CT) return CT_DELIVERY_ERROR.test(errorCode) || byCloudTrail;
  return byCloudTrail && (DELIVERY_OPS[source] ?? []).includes(String(record.eventName));
}

/** One FilterLogEvents scan, paginated and capped; `onEvent` sees every returned event. */
export async function scanLogEvents(
  logs: CloudWatchLogsClient,
  input: { logGroupName: string; startTime: number; endTime: number; filterPattern?: string },
  maxPages: number,
  onEvent: (e: { timestamp?: number; message?: string }) => boolean | void,
): Promise<{ pages: number; truncated: boolean }> {
  let token: string | undefined;
  let pages = 0;
  do {
    const r = await send(logs, new FilterLogEventsCommand({ ...input, nextToken: token, limit: 10_000 }));
    pages++;
    for (const e of r.events ?? []) if (onEvent(e) === false) return { pages, truncated: true };
    token = r.nextToken;
  } while (token && pages < maxPages);
  return { pages, truncated: Boolean(token) };
}

export function emptyHours(start: Date, end: Date): Map<number, number> {
  const m = new Map<number, number>();
  for (let h = hourFloor(start.getTime()); h <= hourFloor(end.getTime()); h += 3_600_000) m.set(h, 0);
  return m;
}

const hoursToList = (m: Map<number, number>): HourlyCount[] => [...m.entries()].sort((a, b) => a[0] - b[0]).map(([h, count]) => ({ hour: isoOf(h), count }));

type Counts = NonNullable<Step3['eventCounts']['value']>;

/** Logs Insights `stats count(*) by bin(1h)`; undefined when the service did not compute it (moto). */
async function insightsCounts(logs: CloudWatchLogsClient, name: string, ctx: CollectContext): Promise<{ counts?: Counts; probe?: Probe<Counts>; failed?: Probe<Counts> }> {
  let queryId: string | undefined;
  try {
    queryId = (
      await send(
        logs,
        new StartQueryCommand({
          logGroupName: name,
          startTime: Math.floor(ctx.window.start.getTime() / 1000),
          endTime: Math.ceil(ctx.window.end.getTime() / 1000),
          queryString: 'stats count(*) as eventCount by bin(1h) as hour',
          limit: 10_000,
        }),
      )
    ).queryId;
  } catch (err) {
    // No Insights (denied, unsupported, failing): the scan fallback still counts, and says so.
    return { failed: probeFromError(err, { needs: 'logs:StartQuery' }) };
  }
  if (!queryId) return {};
  const deadline = Date.now() + ctx.limits.insightsMaxWaitMs;
  for (let first = true; ; first = false) {
    if (!first) await sleep(ctx.limits.insightsPollMs);
    let r;
    try {
      r = await send(logs, new GetQueryResultsCommand({ queryId }));
    } catch (err) {
      return { probe: probeFromError(err, { needs: 'logs:GetQueryResults' }) };
    }
    const status = r.status ?? 'Unknown';
    if (status === 'Complete') {
      const rows = r.results ?? [];
      const field = (row: ResultField[], n: string) => row.find((f) => f.field === n)?.value;
      if (rows.some((row) => field(row, 'hour') === undefined || field(row, 'eventCount') === undefined)) return {};
      const hours = emptyHours(ctx.window.start, ctx.window.end);
      let total = 0;
      for (const row of rows) {
        const t = Date.parse(String(field(row, 'hour')).replace(' ', 'T') + 'Z');
        const n = Number(field(row, 'eventCount'));
        if (!Number.isFinite(t) || !Number.isFinite(n)) return {};
        hours.set(hourFloor(t), (hours.get(hourFloor(t)) ?? 0) + n);
        total += n;
      }
      return { counts: { hourly: hoursToList(hours), total, capped: false } };
    }
    if (status !== 'Running' && status !== 'Scheduled') return {};
    if (Date.now() > deadline) {
      return { probe: { status: 'error', errorCode: 'Timeout', needs: 'logs:StartQuery', reason: `Logs Insights query still ${status} after ${Math.round(ctx.limits.insightsMaxWaitMs / 1000)} s` } };
    }
  }
}

async function scanCounts(logs: CloudWatchLogsClient, name: string, ctx: CollectContext): Promise<Probe<Counts>> {
  const hours = emptyHours(ctx.window.start, ctx.window.end);
  let total = 0;
  const max = ctx.limits.maxCountedEvents;
  return probe(
    () =>
      scanLogEvents(logs, { logGroupName: name, startTime: ctx.window.start.getTime(), endTime: ctx.window.end.getTime() }, ctx.limits.maxFilterPages, (e) => {
        if (typeof e.timestamp !== 'number') return;
        const h = hourFloor(e.timestamp);
        if (!hours.has(h)) return;
        hours.set(h, (hours.get(h) ?? 0) + 1);
        total++;
        if (total >= max) return false;
      }),
    (r) => ({ hourly: hoursToList(hours), total, capped: r.truncated }),
    { needs: 'logs:FilterLogEvents' },
  );
}

export const step3 = defineCollector({
  name: 's3',
  step: 3,
  title: STEP_TITLES[3],
  needs: ['trail', 'caller'],
  apis: ['logs:DescribeLogStreams', 'logs:GetLogEvents', 'logs:StartQuery', 'logs:GetQueryResults', 'logs:FilterLogEvents'],
  async run(clients, { trail, caller, ctx }): Promise<Step3> {
    const { target, skip, crossAccount } = logGroupTarget(trail.resolved, caller, trail.skipReason);
    if (!target || skip) return { streams: skippedProbe(skip!), eventCounts: skippedProbe(skip!), deliveryFailures: skippedProbe(skip!) };
    if (crossAccount) {
      return {
        streams: crossAccountProbe(`log group ${target.name}`, crossAccount, 'logs:DescribeLogStreams'),
        eventCounts: crossAccountProbe(`log group ${target.name}`, crossAccount, 'logs:FilterLogEvents'),
        deliveryFailures: crossAccountProbe(`log group ${target.name}`, crossAccount, 'logs:FilterLogEvents'),
      };
    }
    const logs = clients.logs(target.region);
    const absentCodes = ['ResourceNotFoundException'];
    const [streams, insights, deliveryFailures] = await all([
      async (): Promise<Step3['streams']> => {
        const p = await probe(
          () => send(logs, new DescribeLogStreamsCommand({ logGroupName: target.name, orderBy: 'LastEventTime', descending: true, limit: 50 })),
          (r) => ({ list: r.logStreams ?? [], truncated: Boolean(r.nextToken) }),
          { needs: 'logs:DescribeLogStreams', absentCodes },
        );
        if (p.status !== 'ok' || !p.value) return p as unknown as Step3['streams'];
        // lastEventTimestamp is updated eventually (up to an hour late): read the newest event itself.
        const top = p.value.list.filter((s) => s.logStreamName).slice(0, 3);
        let newestFailed: Probe<unknown> | undefined;
        const newest = await mapLimit(top, 3, async (s: LogStream) => {
          try {
            const r = await send(logs, new GetLogEventsCommand({ logGroupName: target.name, logStreamName: s.logStreamName, startFromHead: false, limit: 1 }));
            return r.events?.[r.events.length - 1]?.timestamp;
          } catch (err) {
            newestFailed ??= probeFromError(err, { needs: 'logs:GetLogEvents' });
            return undefined;
          }
        });
        const nf = newestFailed as Probe<unknown> | undefined;
        return {
          status: 'ok',
          ...(nf ? { substitute: { failed: 'logs:GetLogEvents', reason: [nf.errorCode, nf.reason].filter(Boolean).join(': '), answeredBy: "DescribeLogStreams' lastEventTimestamp (updated up to an hour late)" } } : {}),
          value: {
            streams: p.value.list.map((s, i) => {
              const last = Math.max(s.lastEventTimestamp ?? -Infinity, (i < newest.length ? newest[i] : undefined) ?? -Infinity);
              return { name: text(s.logStreamName, 600) ?? '', ...(Number.isFinite(last) ? { lastEventTimestamp: iso(last) } : {}), ...(s.firstEventTimestamp !== undefined ? { firstEventTimestamp: iso(s.firstEventTimestamp) } : {}) };
            }),
            truncated: p.value.truncated,
          },
        };
      },
      () => insightsCounts(logs, target.name, ctx),
      async (): Promise<Probe<ChangeEvent[]>> => {
        const found: ChangeEvent[] = [];
        return probe(
          () =>
            scanLogEvents(
              logs,
              { logGroupName: target.name, startTime: ctx.window.start.getTime(), endTime: ctx.window.end.getTime(), filterPattern: DELIVERY_FAILURE_PATTERN },
              ctx.limits.maxFilterPages,
              (e) => {
                const rec = parseJsonObject(e.message);
                if (!rec || !isDeliveryFailure(rec)) return;
                const ev = recordToChangeEvent(rec, 'log-group');
                if (ev) found.push(ev);
                if (found.length >= 200) return false;
              },
            ),
          () => found.sort((a, b) => Date.parse(a.eventTime) - Date.parse(b.eventTime)),
          { needs: 'logs:FilterLogEvents', absentCodes },
        );
      },
    ]);

    const windowStart = ctx.window.start.getTime();
    const eventsInWindow =
      streams.status === 'ok' && (streams.value?.streams ?? []).some((s) => s.lastEventTimestamp && Date.parse(s.lastEventTimestamp) >= windowStart);
    let eventCounts: Probe<Counts>;
    if (streams.status === 'absent') eventCounts = { status: 'absent', reason: streams.reason, errorCode: streams.errorCode };
    else if (insights.probe) eventCounts = insights.probe;
    else if (insights.counts && !(insights.counts.total === 0 && eventsInWindow)) eventCounts = { status: 'ok', value: insights.counts };
    else {
      eventCounts = await scanCounts(logs, target.name, ctx);
      const f = insights.failed;
      if (f && eventCounts.status === 'ok') eventCounts.substitute = { failed: 'logs:StartQuery', reason: [f.errorCode, f.reason].filter(Boolean).join(': '), answeredBy: 'logs:FilterLogEvents' };
    }

    const newest = streams.status === 'ok' ? Math.max(...(streams.value?.streams ?? []).map((s) => (s.lastEventTimestamp ? Date.parse(s.lastEventTimestamp) : -Infinity))) : -Infinity;
    return {
      streams,
      eventCounts,
      ...(Number.isFinite(newest) ? { newestEventTime: iso(newest) } : {}),
      deliveryFailures: streams.status === 'absent' && deliveryFailures.status !== 'ok' ? { status: 'absent', reason: streams.reason, errorCode: streams.errorCode } : deliveryFailures,
    };
  },
});

export const collectors = [step3] as const;
