import type { AwsClients } from '../aws/clients.js';
import { runNodes, targetContext } from '../collect/plan.js';
import { isOk } from '../evidence/probe.js';
import { DEFAULT_DELIVERY_DELAY_MS, DEFAULT_LATE_DELIVERY_MS } from '../gaps/model.js';
import { GLOBAL_REGION } from '../gaps/scope.js';
import type { S3Target } from '../gaps/deliveries.js';
import { inertLine } from '../util/text.js';
import { TRACE_MISSING_NODES, TRACE_NODES } from './actions.js';
import { matchesQuery, tracedEventOf, type EventQuery } from './event.js';
import { findInHistory, HISTORY_DAYS, type HistoryAnswer } from './history.js';
import type { TraceReport, TracedEvent } from './model.js';
import type { Step4, Step7 } from '../evidence/schema.js';
import { recordedByTrail } from './recorded.js';
import { searchS3, type S3Answer } from './s3.js';
import { searchLogGroup, type CwlAnswer } from './cwl.js';
import { judge, type TraceFacts } from './verdict.js';
import { summaryOf } from './summary.js';

export { TRACE_ACTIONS } from './actions.js';
export { traceExitCode, type TraceReport } from './model.js';

/** The trail could not be found or the input is wrong: the CLI exits 2. */
export class TraceInputError extends Error {
  override name = 'TraceInputError';
}

export interface TraceOptions extends Omit<EventQuery, 'withinMs'> {
  trail: string;
  region: string;
  withinMs?: number;
  now?: Date;
  deliveryDelayMs?: number;
  lateDeliveryMs?: number;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const DEFAULT_WITHIN_MS = 10 * 60_000;

/**
 * Where is my event? Finds it (event history, else the S3 files of the asked time), judges whether
 * this trail records it, looks for it where it must be (the S3 files of its time, the log group
 * around its time) and says why it is missing where it is not.
 */
export async function traceEvent(clients: AwsClients, opts: TraceOptions): Promise<TraceReport> {
  const now = opts.now ?? new Date();
  const q: EventQuery = { ...opts, withinMs: opts.withinMs ?? DEFAULT_WITHIN_MS };
  const late = opts.lateDeliveryMs ?? DEFAULT_LATE_DELIVERY_MS;
  const delay = opts.deliveryDelayMs ?? DEFAULT_DELIVERY_DELAY_MS;
  const around = q.time ?? now;
  const ctx = targetContext(opts.trail, opts.region, { start: new Date(around.getTime() - HOUR), end: new Date(Math.min(now.getTime(), around.getTime() + HOUR)) }, now);
  const nodes = await runNodes(clients, ctx, TRACE_NODES);
  const query = { eventId: q.eventId, eventName: q.eventName, time: q.time?.toISOString(), username: q.username, resourceName: q.resourceName };
  const base = (over: Partial<TraceReport>): TraceReport => ({
    status: 'could-not-check',
    trail: { name: opts.trail, region: opts.region },
    query,
    eventHistory: { found: false },
    recorded: { verdict: 'unknown', chain: [] },
    destinations: [],
    causes: [],
    evidence: [],
    summary: '',
    ...over,
  });
  const resolved = nodes.trail.resolved;
  if (!resolved) {
    const p = nodes.trail.trail;
    if (p.status === 'absent') throw new TraceInputError(`trail ${JSON.stringify(inertLine(opts.trail, 300))} not found in ${opts.region} (pass the trail ARN for a trail of another region or account)`);
    const r = base({ evidence: [`could not read the trail: ${p.errorCode ?? p.status}${p.reason ? `: ${p.reason}` : ''}${p.needs ? ` (needs ${p.needs})` : ''}`] });
    return { ...r, summary: summaryOf(r) };
  }
  const trail = resolved.config;
  const trailInfo = { name: trail.name, arn: trail.arn, region: opts.region, homeRegion: trail.homeRegion };
  const evidence: string[] = [];
  const status = isOk(nodes.s2.status) ? nodes.s2.status.value : undefined;
  if (!status) evidence.push(`trail status unreadable (${nodes.s2.status.errorCode ?? nodes.s2.status.status}; needs cloudtrail:GetTrailStatus): logging and delivery errors not judged`);
  const selectors = isOk(nodes.s2.selectors) ? nodes.s2.selectors.value : undefined;
  const orgId = isOk(nodes.organization) && nodes.organization.value ? nodes.organization.value : undefined;
  if (trail.isOrganizationTrail && !orgId) evidence.push(`organization id unreadable (${nodes.organization.errorCode ?? nodes.organization.status}; needs organizations:DescribeOrganization): log files looked for under AWSLogs/<account>/ without it`);
  const me = isOk(nodes.caller) ? nodes.caller.value.accountId : undefined;
  const target = (e: TracedEvent | undefined, region: string): S3Target | undefined =>
    trail.s3BucketName
      ? {
          bucket: trail.s3BucketName,
          bucketRegion: nodes.bucketLocation.region ?? trail.homeRegion,
          prefix: trail.s3KeyPrefix,
          accountId: e?.recipientAccountId ?? (trail.isOrganizationTrail ? me : undefined) ?? resolved.ownerAccount,
          orgId: trail.isOrganizationTrail ? orgId : undefined,
          region,
        }
      : undefined;

  // 1. The event: event history first (90 days of management events), here and, for global-service events, in us-east-1.
  const reach = now.getTime() - HISTORY_DAYS * DAY;
  let history: HistoryAnswer = { status: 'not-found', candidates: 0, others: [], reason: `the asked time is older than the ${HISTORY_DAYS} days event history keeps` };
  if (!q.time || q.time.getTime() + q.withinMs > reach) {
    history = await findInHistory(clients, opts.region, q, now);
    if (history.status === 'not-found' && opts.region !== GLOBAL_REGION) {
      const global = await findInHistory(clients, GLOBAL_REGION, q, now);
      if (global.status === 'found') history = global;
    }
  }
  let event = history.event;
  const eventHistory: TraceReport['eventHistory'] = { found: history.status === 'found', ...(history.candidates > 1 ? { candidates: history.candidates } : {}) };
  if (history.status === 'found') {
    evidence.push(`event history: ${event!.eventName} ${event!.eventID} at ${event!.eventTime} in ${event!.awsRegion}`);
    if (history.candidates > 1) evidence.push(`event history: ${history.candidates} events match; the one nearest the asked time is traced (others: ${history.others.join(', ')}); pass --event-id to pick one`);
  } else {
    eventHistory.note = history.status === 'unavailable' ? `event history could not be read: ${history.reason}${history.needs ? ` (needs ${history.needs})` : ''}` : `event history could not confirm it: ${history.reason ?? 'no matching event in the last 90 days (data events, and events older than 90 days, are never in event history)'}`;
    evidence.push(eventHistory.note);
  }

  // 2. Without event history, the S3 files of the asked time are searched directly.
  let s3First: S3Answer | undefined;
  if (!event && q.time && (q.eventId || q.eventName)) {
    const t0 = q.time.getTime();
    const tg = target(undefined, opts.region);
    if (tg) {
      s3First = await searchS3(clients, { target: tg, from: t0 - q.withinMs - 60_000, to: t0 + q.withinMs + late, contextFrom: t0 - q.withinMs - 2 * HOUR, contextTo: t0 + q.withinMs + late + 2 * HOUR, needle: q.eventId ?? `"${q.eventName}"`, match: (r) => matchesQuery(r, q) });
      if (s3First.found) {
        event = tracedEventOf(s3First.found.record, 's3', s3First.found.size);
        evidence.push(`S3: the event found directly in the log files of ${q.time.toISOString().replace(/\.\d{3}Z$/, 'Z')}: ${s3First.found.key}`);
      } else {
        evidence.push(`S3: no matching event in the ${s3First.filesRead} log file(s) of s3://${tg.bucket}/${s3First.folder} delivered within ${Math.round((q.withinMs + late) / 60_000)} min of the asked time${s3First.error ? ` (${s3First.error.code}; needs ${s3First.error.needs})` : ''}`);
      }
    }
  }
  if (!event) {
    const r = base({ status: history.status === 'unavailable' || s3First?.error ? 'could-not-check' : 'not-found', trail: trailInfo, eventHistory, evidence });
    return { ...r, summary: summaryOf(r) };
  }

  // 3. Recorded by this trail?
  const recorded = recordedByTrail(trail, selectors, event);
  const t = Date.parse(event.eventTime);
  // File names carry the delivery minute: from the event's minute to the late-delivery margin.
  const range = { from: t - (t % 60_000), to: t + late };
  const tg = target(event, recorded.folderRegion);
  let s3Answer: S3Answer | undefined = s3First?.found ? s3First : undefined;
  const lookInS3 = !s3Answer && tg && recorded.verdict !== 'no';
  const groupArn = trail.cloudWatchLogsLogGroupArn;
  const groupName = groupArn ? /:log-group:([^:]+)/.exec(groupArn)?.[1] : undefined;
  const groupRegion = groupArn ? (groupArn.split(':')[3] ?? trail.homeRegion) : trail.homeRegion;
  const lookInCwl = groupName && recorded.verdict !== 'no';
  // 4. Both destinations at once.
  const [s3Read, cwl] = await Promise.all([
    lookInS3 ? searchS3(clients, { target: tg, from: range.from, to: range.to, contextFrom: t - 2 * HOUR, contextTo: t + late + 2 * HOUR, needle: event.eventID, match: (r) => r.eventID === event!.eventID }) : Promise.resolve(undefined),
    lookInCwl ? searchLogGroup(clients, groupRegion, groupName, event.eventID, t - 5 * 60_000, t + late) : Promise.resolve<CwlAnswer | undefined>(undefined),
  ]);
  s3Answer ??= s3Read;
  if (s3Answer?.found && event.source === 'event-history') event = { ...event, sizeBytes: s3Answer.found.size };
  // 5. Only when missing: the bucket's lifecycle and the log group's existence and retention.
  const needS3Config = recorded.verdict !== 'no' && tg && !s3Answer?.found;
  const needGroup = lookInCwl && !cwl?.found;
  const more = needS3Config || needGroup ? await runNodes(clients, ctx, TRACE_MISSING_NODES.filter((n) => (n === 's4' ? needS3Config : needGroup)), nodes) : {};
  const s4 = (more as { s4?: Step4 }).s4;
  const s7 = (more as { s7?: Step7 }).s7;
  const group = s7 ? (isOk(s7.logGroup) ? 'ok' : s7.logGroup.status === 'absent' ? 'absent' : 'unknown') : 'unknown';
  const facts: TraceFacts = {
    now: now.getTime(),
    event,
    trail,
    status,
    recorded,
    deliveryDelayMs: delay,
    lateMs: late,
    s3: { bucket: trail.s3BucketName, range, answer: s3Answer, ...(recorded.verdict === 'no' ? { skipped: 'not looked for: the trail does not record it' } : {}) },
    lifecycle: s4 && isOk(s4.lifecycle) ? s4.lifecycle.value : undefined,
    cwl: { logGroupName: groupName, group, retentionInDays: s7 && isOk(s7.logGroup) ? s7.logGroup.value.retentionInDays : undefined, answer: cwl ?? undefined, ...(recorded.verdict === 'no' ? { skipped: 'not looked for: the trail does not record it' } : {}) },
  };
  const j = judge(facts);
  const r: TraceReport = {
    status: j.status,
    trail: trailInfo,
    query,
    eventHistory,
    event,
    recorded: { verdict: recorded.verdict, chain: recorded.chain },
    destinations: j.destinations,
    causes: j.causes,
    evidence: [...evidence, ...recorded.chain.map((c) => `recorded? ${c}`), ...j.evidence],
    summary: '',
  };
  return { ...r, summary: summaryOf(r) };
}
