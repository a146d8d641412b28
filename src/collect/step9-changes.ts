import type { AwsClients } from '../aws/clients.js';
import { lookupEvents, LOOKUP_EVENTS_NEEDS } from '../aws/lookup-events.js';
import { inBucketRegion } from './bucket-region.js';
import type { Probe } from '../evidence/probe.js';
import type { ChangeEvent, Step3, Step9 } from '../evidence/schema.js';
import { mergeChangeEvents, param, recordToChangeEvent } from '../evidence/events.js';
import { CHANGE_EVENTS_BY_SOURCE, isCatalogued, LOOKUP_NAMES_BY_SOURCE } from '../evidence/change-events.js';
import { all, branch, recordCalls, currentDepth } from './chain.js';
import { defineCollector, type CollectContext, type HistoryResult, type ResolvedTrail } from './types.js';
import { logGroupTarget, scanLogEvents, crossAccountProbe } from './step3-log-events.js';
import { parseArn, parseJsonObject, probe, roleNameFromArn, skippedProbe } from './util.js';
import { STEP_TITLES } from './progress.js';

/**
 * Step 9: configuration changes in the window that can break or degrade delivery. Two sources: the
 * trail's own log group (a filter pattern, as the runbook says) and CloudTrail event history
 * (LookupEvents), which still works when delivery is broken. Event history allows 2 requests/s per
 * region and one lookup attribute per call, so the plan asks few, targeted questions: the trail's
 * CloudTrail calls in its home region, and the bucket, log group, KMS key each in its own region, and
 * the role in us-east-1 (IAM is global). Every match is re-checked here: known change event, no
 * errorCode (a failed call changed nothing), in the window, about this trail's resources.
 */

/** The catalogue's event names per event source (src/evidence/change-events.ts): what step 9 collects. */
export const CHANGE_EVENTS: Readonly<Record<string, readonly string[]>> = CHANGE_EVENTS_BY_SOURCE;

const isChangeEvent = isCatalogued;

/** CloudWatch Logs filter patterns (≤ 1024 characters each) matching every change event name. */
export function changeFilterPatterns(max = 1000): string[] {
  const names = [...new Set(Object.values(CHANGE_EVENTS).flat())];
  const out: string[] = [];
  let terms: string[] = [];
  const build = (t: string[]) => `{ ${t.join(' || ')} }`;
  for (const n of names) {
    const term = `($.eventName = "${n}")`;
    if (terms.length && build([...terms, term]).length > max) {
      out.push(build(terms));
      terms = [];
    }
    terms.push(term);
  }
  if (terms.length) out.push(build(terms));
  return out;
}

/** First pass, per source: a known change event, that succeeded, inside the window. */
export function isCandidate(ev: ChangeEvent, window: { start: Date; end: Date }): boolean {
  if (ev.errorCode) return false;
  if (!isChangeEvent(ev.eventSource, ev.eventName)) return false;
  const t = Date.parse(ev.eventTime);
  return t >= window.start.getTime() && t <= window.end.getTime();
}

export interface Resources {
  trailName?: string;
  trailArn?: string;
  bucket?: string;
  logGroup?: string;
  roleName?: string;
  policyArns: string[];
  keys: string[];
  topicArn?: string;
  account?: string;
  organizationTrail?: boolean;
}

const keyIdOf = (ref: string) => ref.replace(/^arn:[^:]+:kms:[^:]*:\d*:/, '').replace(/^key\//, '');

/** Second pass: the event is about this trail's trail, bucket, role, log group, key or topic. */
export function isRelevant(ev: ChangeEvent, r: Resources): boolean {
  const p = ev.requestParameters;
  const s = (...names: string[]) => {
    const v = param(p, ...names);
    return typeof v === 'string' ? v : undefined;
  };
  switch (ev.eventSource) {
    case 'cloudtrail.amazonaws.com': {
      const n = s('name', 'trailName');
      if (!n) return false;
      return n === r.trailArn || n === r.trailName || (!!r.trailName && n.startsWith('arn:') && n.endsWith(`:trail/${r.trailName}`));
    }
    case 's3.amazonaws.com':
      return !!r.bucket && s('bucketName') === r.bucket;
    case 'iam.amazonaws.com': {
      const role = s('roleName');
      if (role !== undefined) return !!r.roleName && role === r.roleName;
      const pol = s('policyArn');
      return !!pol && r.policyArns.includes(pol);
    }
    case 'logs.amazonaws.com':
      return !!r.logGroup && s('logGroupName') === r.logGroup;
    case 'kms.amazonaws.com': {
      const k = s('keyId');
      if (!k) return false;
      return r.keys.some((ref) => ref === k || keyIdOf(ref) === keyIdOf(k));
    }
    case 'sns.amazonaws.com':
      return !!r.topicArn && s('topicArn') === r.topicArn;
    case 'organizations.amazonaws.com':
      if (!r.organizationTrail) return false;
      if (ev.eventName === 'DisableAWSServiceAccess') return s('servicePrincipal') === 'cloudtrail.amazonaws.com';
      if (ev.eventName === 'RemoveAccountFromOrganization') return !r.account || s('accountId') === r.account;
      return true;
    default:
      return false;
  }
}

export const changesLogGroupCollector = defineCollector({
  name: 'changesLogGroup',
  step: 9,
  title: STEP_TITLES[9],
  needs: ['trail', 'caller'],
  apis: ['logs:FilterLogEvents'],
  async run(clients, { trail, caller, ctx }): Promise<Probe<ChangeEvent[]>> {
    const { target, skip, crossAccount } = logGroupTarget(trail.resolved, caller, trail.skipReason);
    if (!target || skip) return skippedProbe(skip!);
    if (crossAccount) return crossAccountProbe(`log group ${target.name}`, crossAccount, 'logs:FilterLogEvents');
    const logs = clients.logs(target.region);
    const found: ChangeEvent[] = [];
    const patterns = changeFilterPatterns();
    const results = await all(
      patterns.map(
        (filterPattern) => () =>
          probe(
            () =>
              scanLogEvents(logs, { logGroupName: target.name, startTime: ctx.window.start.getTime(), endTime: ctx.window.end.getTime(), filterPattern }, ctx.limits.maxFilterPages, (e) => {
                // Never trust the server-side filter (moto ignores JSON patterns and returns everything).
                const ev = recordToChangeEvent(parseJsonObject(e.message), 'log-group');
                if (ev && isCandidate(ev, ctx.window)) found.push(ev);
                if (found.length >= 2_000) return false;
              }),
            (r) => r,
            { needs: 'logs:FilterLogEvents', absentCodes: ['ResourceNotFoundException'] },
          ),
      ),
    );
    const bad = results.find((r) => r.status !== 'ok');
    if (bad) return { ...(bad as Probe<unknown>), value: undefined } as Probe<ChangeEvent[]>;
    const truncated = results.some((r) => r.value?.truncated);
    return { status: 'ok', value: mergeChangeEvents(found), ...(truncated ? { reason: `scan stopped early (${ctx.limits.maxFilterPages} pages or 2000 events per pattern)` } : {}) };
  },
});

type LookupKey = 'EventSource' | 'ResourceName' | 'EventName';

async function lookup(clients: AwsClients, ctx: CollectContext, region: string, key: LookupKey, value: string, maxPages?: number): Promise<{ probe: Probe<ChangeEvent[]>; truncated: boolean }> {
  const start = currentDepth();
  const r = await lookupEvents(clients, { region, start: ctx.window.start, end: ctx.window.end, attribute: { key, value }, maxEvents: ctx.limits.maxHistoryEvents, maxPages });
  recordCalls('cloudtrail:LookupEvents', r.status === 'ok' ? Math.max(1, r.value?.pages ?? 1) : 1, start);
  if (r.status !== 'ok' || !r.value) return { probe: r as unknown as Probe<ChangeEvent[]>, truncated: false };
  const events = r.value.events.filter((e) => isCandidate(e, ctx.window));
  const reason = r.value.truncated ? (r.reason ?? `stopped after ${r.value.pages} pages`) : undefined;
  return { probe: { status: 'ok', value: events, ...(reason ? { reason } : {}) }, truncated: r.value.truncated };
}

/** One LookupEvents query (one attribute), accounted in the plan's call log. */
async function history(clients: AwsClients, ctx: CollectContext, region: string, key: LookupKey, value: string): Promise<Probe<ChangeEvent[]>> {
  return (await lookup(clients, ctx, region, key, value)).probe;
}

/** Pages of one lookup read before switching to one lookup per change event. */
export const FOCUSED_PAGES = 4;

/**
 * One focused question to event history, e.g. EventSource=cloudtrail.amazonaws.com in the trail's home
 * region, or ResourceName=<bucket> in the bucket's region. Usually one page answers it. Where the history
 * is long and mostly reads by services (Config and Security Hub reading the trail, CloudTrail's own
 * GetBucketAcl and GenerateDataKey every few minutes), it stops after a few pages and asks for each
 * change event of that service by name instead — so a StopLogging or PutBucketPolicy is never lost
 * behind the reads.
 */
async function focusedHistory(clients: AwsClients, ctx: CollectContext, region: string, key: LookupKey, value: string, eventSource: string): Promise<Probe<ChangeEvent[]>> {
  const first = await lookup(clients, ctx, region, key, value, FOCUSED_PAGES);
  if (first.probe.status !== 'ok' || !first.truncated) return first.probe;
  const names = LOOKUP_NAMES_BY_SOURCE[eventSource] ?? [];
  const byName = await all(names.map((n) => () => history(clients, ctx, region, 'EventName', n)));
  return combine([{ status: 'ok', value: first.probe.value ?? [] }, ...byName]);
}

/** Several probes of one kind as one: ok when all are, else the first failure, keeping what was seen. */
export function combine(probes: Probe<ChangeEvent[]>[], skipReason = 'nothing to look up'): Probe<ChangeEvent[]> {
  const live = probes.filter((p) => p.status !== 'skipped');
  if (!live.length) return probes[0] ?? skippedProbe(skipReason);
  const events = mergeChangeEvents(...live.map((p) => (p.status === 'ok' ? p.value : undefined)));
  const bad = live.find((p) => p.status === 'denied') ?? live.find((p) => p.status !== 'ok');
  if (bad) return { ...bad, value: events };
  const reasons = live.map((p) => p.reason).filter(Boolean);
  return { status: 'ok', value: events, ...(reasons.length ? { reason: reasons.join('; ') } : {}) };
}

function logGroupRegion(t: ResolvedTrail): string | undefined {
  const a = parseArn(t.config.cloudWatchLogsLogGroupArn);
  return a?.region || undefined;
}

export const historyCollector = defineCollector({
  name: 'history',
  step: 9,
  title: STEP_TITLES[9],
  needs: [],
  later: ['trail'],
  apis: ['cloudtrail:LookupEvents'],
  async run(clients, { trail: trailOf, ctx }): Promise<HistoryResult> {
    // The trail's own changes are asked in the region diagnosed while GetTrail is on the wire: its
    // home region unless it is another region's trail seen here (then asked again there).
    const cloudtrailChanges = (region: string) => focusedHistory(clients, ctx, region, 'EventSource', 'cloudtrail.amazonaws.com', 'cloudtrail.amazonaws.com');
    const early = branch(() => cloudtrailChanges(ctx.region));
    early.catch(() => undefined);
    const trail = await trailOf();
    const t = trail.resolved;
    if (!t) {
      await early.catch(() => undefined);
      const why = trail.skipReason ?? 'trail not found';
      return { regional: skippedProbe(why), global: skippedProbe(why) };
    }
    const lg = logGroupTarget(t, undefined).target;
    const roleName = roleNameFromArn(t.config.cloudWatchLogsRoleArn);
    const [ct, logs, role] = await all([
      () => (t.homeRegion === ctx.region ? early : early.catch(() => undefined).then(() => cloudtrailChanges(t.homeRegion))),
      () =>
        lg
          ? focusedHistory(clients, ctx, logGroupRegion(t) ?? t.homeRegion, 'ResourceName', lg.name, 'logs.amazonaws.com')
          : Promise.resolve(skippedProbe<ChangeEvent[]>('no CloudWatch Logs configured')),
      () => (roleName ? focusedHistory(clients, ctx, 'us-east-1', 'ResourceName', roleName, 'iam.amazonaws.com') : Promise.resolve(skippedProbe<ChangeEvent[]>('no CloudWatch Logs role'))),
    ]);
    return { regional: combine([ct, logs]), global: roleName ? role : skippedProbe('no CloudWatch Logs role: nothing global to look up') };
  },
});

export const historyResourcesCollector = defineCollector({
  name: 'historyResources',
  step: 9,
  title: STEP_TITLES[9],
  needs: ['trail'],
  later: ['bucketLocation'],
  apis: ['cloudtrail:LookupEvents'],
  async run(clients, { trail, bucketLocation, ctx }): Promise<Probe<ChangeEvent[]>> {
    const t = trail.resolved;
    if (!t) return skippedProbe(trail.skipReason ?? 'trail not found');
    const key = t.config.kmsKeyId;
    const configured = t.config.s3BucketName;
    const [bucket, kms] = await all([
      // The bucket's changes are recorded in the bucket's region: asked in the trail's while HeadBucket learns it.
      async (): Promise<Probe<ChangeEvent[]>> =>
        (await inBucketRegion(configured ? t.homeRegion : undefined, bucketLocation, (region) => focusedHistory(clients, ctx, region, 'ResourceName', configured!, 's3.amazonaws.com'), { evenIfAbsent: true })).value ??
        skippedProbe<ChangeEvent[]>('no bucket'),
      () => (key ? focusedHistory(clients, ctx, parseArn(key)?.region || t.homeRegion, 'ResourceName', key, 'kms.amazonaws.com') : Promise.resolve(skippedProbe<ChangeEvent[]>('no trail KMS key'))),
    ]);
    return combine([bucket, kms], 'no bucket or key to look up');
  },
});

export const historyKeyCollector = defineCollector({
  name: 'historyKey',
  step: 9,
  title: STEP_TITLES[9],
  needs: ['s4'],
  apis: ['cloudtrail:LookupEvents'],
  async run(clients, { s4, ctx }): Promise<Probe<ChangeEvent[]>> {
    // Only the bucket's default key is new here; the trail's own key was looked up without waiting.
    const key = s4.kmsKeySource === 'bucket-default' && s4.kmsKey.status === 'ok' ? s4.kmsKey.value?.arn : undefined;
    if (!key) return skippedProbe('no bucket default KMS key');
    return focusedHistory(clients, ctx, parseArn(key)?.region || clients.region, 'ResourceName', key, 'kms.amazonaws.com');
  },
});

/** Can the log group alone answer step 9 for the window? Then event history is a corroboration (optional). */
function logGroupCoversWindow(s3: Step3, fromLogGroup: Probe<ChangeEvent[]>, ctx: CollectContext): boolean {
  if (fromLogGroup.status !== 'ok' || fromLogGroup.reason) return false;
  const end = Math.min(ctx.window.end.getTime(), ctx.now.getTime());
  const newest = s3.newestEventTime ? Date.parse(s3.newestEventTime) : NaN;
  if (!(newest >= end - 30 * 60_000)) return false;
  const firsts = (s3.streams.value?.streams ?? []).map((s) => (s.firstEventTimestamp ? Date.parse(s.firstEventTimestamp) : Infinity));
  return firsts.length > 0 && Math.min(...firsts) <= ctx.window.start.getTime() + 3_600_000;
}

export const step9 = defineCollector({
  name: 's9',
  step: 9,
  title: STEP_TITLES[9],
  needs: ['trail', 'caller', 's3', 's4', 's5', 'changesLogGroup', 'history', 'historyResources', 'historyKey'],
  apis: [],
  async run(_clients, { trail, caller, s3, s4, s5, changesLogGroup, history: h, historyResources, historyKey, ctx }): Promise<Step9> {
    const t = trail.resolved;
    const keys = [t?.config.kmsKeyId, s4.kmsKey.value?.arn, s4.kmsKey.value?.keyId].filter((k): k is string => !!k);
    const resources: Resources = {
      trailName: t?.name,
      trailArn: t?.arn,
      bucket: t?.config.s3BucketName,
      logGroup: logGroupTarget(t, undefined).target?.name,
      roleName: roleNameFromArn(t?.config.cloudWatchLogsRoleArn),
      policyArns: (s5.attachedPolicies.value ?? []).map((p) => p.arn).filter((a): a is string => !!a),
      keys,
      topicArn: t?.config.snsTopicArn,
      account: caller.value?.accountId,
      organizationTrail: t?.config.isOrganizationTrail,
    };
    const keep = (p: Probe<ChangeEvent[]>): Probe<ChangeEvent[]> => (p.value ? { ...p, value: mergeChangeEvents(p.value.filter((e) => isRelevant(e, resources))) } : p);
    const fromLogGroup = keep(changesLogGroup);
    let fromEventHistory = keep(combine([h.regional, historyResources, historyKey]));
    let fromEventHistoryGlobal = keep(h.global);
    if (t && logGroupCoversWindow(s3, fromLogGroup, ctx)) {
      fromEventHistory = { ...fromEventHistory, optional: true };
      const globalInLogGroup = t.config.includeGlobalServiceEvents && (t.config.isMultiRegionTrail || t.homeRegion === 'us-east-1');
      if (globalInLogGroup) fromEventHistoryGlobal = { ...fromEventHistoryGlobal, optional: true };
    }
    const changes = mergeChangeEvents(fromLogGroup.value, fromEventHistory.value, fromEventHistoryGlobal.value);
    return { fromLogGroup, fromEventHistory, fromEventHistoryGlobal, changes };
  },
});

export const collectors = [changesLogGroupCollector, historyCollector, historyResourcesCollector, historyKeyCollector, step9] as const;

export { LOOKUP_EVENTS_NEEDS };
