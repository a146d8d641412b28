import type { Evidence, EventSelectors } from '../evidence/schema.js';
import { isUnverified, type Probe } from '../evidence/probe.js';
import { STEP_TITLES, type StepNumber, type StepReport, type StepStatus } from '../model/index.js';
import { inertLine, inertText } from '../util/text.js';
import { ago, bytes, duration, plural, shortTime } from './format.js';
import { deliveryGaps } from './timeline.js';

/** Bounded copy of a value for `details`: strings capped, lists cut to 20 with a note, depth ≤ 5. */
export function bounded(v: unknown, depth = 0): unknown {
  if (v === null || v === undefined) return v;
  if (typeof v === 'string') return inertText(v, 2_000);
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (depth >= 5) return '…';
  if (Array.isArray(v)) {
    const head = v.slice(0, 20).map((x) => bounded(x, depth + 1));
    return v.length > 20 ? [...head, `… ${v.length - 20} more`] : head;
  }
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    const entries = Object.entries(v as Record<string, unknown>);
    for (const [k, x] of entries.slice(0, 50)) out[inertLine(k, 100)] = bounded(x, depth + 1);
    if (entries.length > 50) out['…'] = `${entries.length - 50} more fields`;
    return out;
  }
  return String(v);
}

function probeDetail<T>(p: Probe<T>, value?: (v: T) => unknown): unknown {
  if (p.status === 'ok' && p.value !== undefined) return bounded(value ? value(p.value) : p.value);
  const d: Record<string, unknown> = { status: p.status };
  if (p.reason) d.reason = inertLine(p.reason, 500);
  if (p.errorCode) d.errorCode = inertLine(p.errorCode, 100);
  if (p.needs) d.needs = inertLine(p.needs, 300);
  if (p.value !== undefined) d.value = bounded(p.value);
  return d;
}

const why = (p: Probe<unknown>): string => {
  if (p.status === 'denied') return `denied${p.needs ? `, needs ${inertLine(p.needs, 200)}` : ''}`;
  if (p.status === 'error') return `error${p.errorCode ? ` ${inertLine(p.errorCode, 100)}` : ''}${p.reason ? `: ${inertLine(p.reason, 160)}` : ''}`;
  return inertLine(p.reason ?? p.status, 200);
};

export function selectorSummary(sel: EventSelectors): string {
  const adv = sel.advancedEventSelectors ?? [];
  if (adv.length) return `${plural(adv.length, 'advanced event selector')}`;
  const basic = sel.eventSelectors ?? [];
  if (!basic.length) return 'no event selectors';
  const mgmt = basic.filter((s) => s.includeManagementEvents !== false);
  const rw = [...new Set(mgmt.map((s) => s.readWriteType ?? 'All'))];
  const data = basic.reduce((n, s) => n + (s.dataResources?.length ?? 0), 0);
  const m = mgmt.length ? `management events ${rw.includes('All') ? 'All' : rw.join('+')}` : 'management events off';
  return `${m}, ${plural(data, 'data resource type')}`;
}

interface Built {
  status: StepStatus;
  summary: string;
  details: Record<string, unknown>;
}

type Builder = (e: Evidence) => Built;

const S: Record<StepNumber, Builder> = {
  1: (e) => {
    const { trail, trailsInRegion, health, caller } = e.steps.s1;
    const details: Record<string, unknown> = { caller: probeDetail(caller), trail: probeDetail(trail), trailsInRegion: probeDetail(trailsInRegion), health: probeDetail(health) };
    if (e.steps.s1.isShadowTrail !== undefined) details.isShadowTrail = e.steps.s1.isShadowTrail;
    let healthText: string;
    if (health.status === 'ok') {
      const open = (health.value ?? []).filter((h) => (h.statusCode ?? 'open') !== 'closed');
      healthText = open.length ? `AWS Health: ${plural(open.length, 'open CloudTrail issue')}` : 'AWS Health: no open CloudTrail issue';
    } else if (health.optional || health.status === 'skipped') {
      healthText = `AWS Health unavailable (${health.errorCode === 'SubscriptionRequiredException' ? 'no support plan' : inertLine(health.reason ?? health.status, 120)})`;
    } else healthText = `AWS Health not readable (${why(health)})`;
    if (trail.status === 'ok' && trail.value) {
      const t = trail.value;
      const kind = [e.steps.s1.isShadowTrail ? 'shadow of a multi-region trail' : '', t.isOrganizationTrail ? 'organization trail' : ''].filter(Boolean).join(', ');
      return { status: 'ok', summary: `Trail ${inertLine(t.name, 200)} found, home region ${inertLine(t.homeRegion, 50)}${kind ? ` (${kind})` : ''}; ${healthText}`, details };
    }
    if (trail.status === 'absent') {
      const others = trailsInRegion.status === 'ok' ? trailsInRegion.value ?? [] : [];
      const list = others.length ? `; ${plural(others.length, 'trail')} visible: ${others.slice(0, 5).map((t) => inertLine(t.name, 100)).join(', ')}${others.length > 5 ? ', …' : ''}` : '; no trails visible in the region';
      return { status: 'ok', summary: `No trail "${inertLine(e.target.trail, 200)}" in ${inertLine(e.target.region, 50)}${list}; ${healthText}`, details };
    }
    if (isUnverified(trail)) return { status: 'unknown', summary: `Could not read the trail (${why(trail)}); ${healthText}`, details };
    return { status: 'skipped', summary: `Trail not looked up: ${why(trail)}`, details };
  },

  2: (e) => {
    const { status, selectors } = e.steps.s2;
    const details: Record<string, unknown> = { status: probeDetail(status), selectors: probeDetail(selectors) };
    const t = e.steps.s1.trail.value;
    if (t) details.configuration = bounded({ isMultiRegionTrail: t.isMultiRegionTrail, includeGlobalServiceEvents: t.includeGlobalServiceEvents, isOrganizationTrail: t.isOrganizationTrail, logFileValidationEnabled: t.logFileValidationEnabled, s3BucketName: t.s3BucketName, s3KeyPrefix: t.s3KeyPrefix, kmsKeyId: t.kmsKeyId, cloudWatchLogsLogGroupArn: t.cloudWatchLogsLogGroupArn, cloudWatchLogsRoleArn: t.cloudWatchLogsRoleArn });
    const sel = selectors.status === 'ok' && selectors.value ? selectorSummary(selectors.value) : `selectors ${why(selectors)}`;
    if (status.status === 'ok' && status.value) {
      const s = status.value;
      const parts = [`IsLogging ${s.isLogging}`];
      if (!s.isLogging) parts.push(s.stopLoggingTime ? `stopped ${shortTime(s.stopLoggingTime)}` : s.startLoggingTime ? 'no StopLoggingTime' : 'never started');
      parts.push(`last delivery ${ago(s.latestDeliveryTime, e.collectedAt)}`);
      parts.push(s.latestDeliveryError ? `delivery error ${inertLine(s.latestDeliveryError, 120)}` : 'no delivery error');
      if (s.latestCloudWatchLogsDeliveryError) parts.push(`CloudWatch Logs error ${inertLine(s.latestCloudWatchLogsDeliveryError, 120)}`);
      parts.push(sel);
      return { status: 'ok', summary: parts.join('; '), details };
    }
    if (isUnverified(status)) return { status: 'unknown', summary: `Could not read the trail status (${why(status)}); ${sel}`, details };
    return { status: 'skipped', summary: `Skipped: ${why(status)}`, details };
  },

  3: (e) => {
    const { streams, eventCounts, deliveryFailures, newestEventTime } = e.steps.s3;
    const details: Record<string, unknown> = {
      streams: probeDetail(streams),
      eventCounts: probeDetail(eventCounts, (v) => ({ total: v.total, capped: v.capped, hours: v.hourly.length, hoursWithEvents: v.hourly.filter((h) => h.count > 0).length })),
      newestEventTime,
      deliveryFailures: probeDetail(deliveryFailures, (v) => v.map((f) => ({ eventName: f.eventName, eventTime: f.eventTime, errorCode: f.errorCode, errorMessage: f.errorMessage }))),
    };
    if (eventCounts.status === 'skipped' && streams.status === 'skipped') return { status: 'skipped', summary: `Skipped: ${why(eventCounts)}`, details };
    if (isUnverified(eventCounts) && isUnverified(streams)) return { status: 'unknown', summary: `Could not read the log group (${why(eventCounts)})`, details };
    const parts: string[] = [];
    if (eventCounts.status === 'ok' && eventCounts.value) parts.push(`${eventCounts.value.total}${eventCounts.value.capped ? '+' : ''} events in the window`);
    else parts.push(`event counts ${why(eventCounts)}`);
    parts.push(newestEventTime ? `newest ${shortTime(newestEventTime)} (${ago(newestEventTime, e.collectedAt)})` : 'no event in the log group');
    if (streams.status === 'ok' && streams.value) parts.push(plural(streams.value.streams.length, 'stream'));
    if (deliveryFailures.status === 'ok') parts.push(plural(deliveryFailures.value?.length ?? 0, 'delivery failure event'));
    return { status: 'ok', summary: parts.join('; '), details };
  },

  4: (e) => {
    const s = e.steps.s4;
    const details: Record<string, unknown> = {
      bucket: s.bucket,
      head: probeDetail(s.head),
      location: probeDetail(s.location),
      policy: probeDetail(s.policy),
      encryption: probeDetail(s.encryption),
      kmsKeySource: s.kmsKeySource,
      kmsKey: probeDetail(s.kmsKey),
      kmsKeyPolicy: probeDetail(s.kmsKeyPolicy),
      ownership: probeDetail(s.ownership),
      objectLock: probeDetail(s.objectLock),
      lifecycle: probeDetail(s.lifecycle),
      requestPayment: probeDetail(s.requestPayment),
    };
    const name = s.bucket ? inertLine(s.bucket, 100) : 'the bucket';
    if (s.head.status === 'skipped' && !s.bucket) return { status: 'skipped', summary: `Skipped: ${why(s.head)}`, details };
    if (s.head.status === 'absent') return { status: 'ok', summary: `Bucket ${name} does not exist (HeadBucket ${inertLine(s.head.errorCode ?? 'NotFound', 50)})`, details };
    const parts: string[] = [];
    if (s.head.status === 'ok') parts.push(`Bucket ${name} exists${s.location.value?.region ?? s.head.value?.region ? ` in ${inertLine(s.location.value?.region ?? s.head.value?.region ?? '', 50)}` : ''}`);
    else parts.push(`Bucket ${name}: existence ${why(s.head)}`);
    parts.push(s.policy.status === 'ok' ? 'bucket policy present' : s.policy.status === 'absent' ? 'no bucket policy' : `policy ${why(s.policy)}`);
    if (s.encryption.status === 'ok' && s.encryption.value) {
      const k = s.kmsKey.value;
      parts.push(`encryption ${inertLine(s.encryption.value.algorithm, 30)}${k ? ` (key ${inertLine(k.keyState, 30)})` : ''}`);
    } else if (s.kmsKey.status === 'ok' && s.kmsKey.value) parts.push(`KMS key ${inertLine(s.kmsKey.value.keyState, 30)}`);
    if (s.lifecycle.status === 'ok') parts.push(plural(s.lifecycle.value?.length ?? 0, 'lifecycle rule'));
    else if (s.lifecycle.status === 'absent') parts.push('no lifecycle rules');
    if (s.requestPayment.status === 'ok' && s.requestPayment.value) parts.push(`payer ${inertLine(s.requestPayment.value.payer, 30)}`);
    const unknown = isUnverified(s.head) && (isUnverified(s.policy) || s.policy.status === 'skipped');
    return { status: unknown ? 'unknown' : 'ok', summary: parts.join('; '), details };
  },

  5: (e) => {
    const s = e.steps.s5;
    const details: Record<string, unknown> = { roleArn: s.roleArn, role: probeDetail(s.role), inlinePolicies: probeDetail(s.inlinePolicies), attachedPolicies: probeDetail(s.attachedPolicies) };
    if (s.role.status === 'skipped') return { status: 'skipped', summary: `Skipped: ${why(s.role)}`, details };
    const name = s.role.value?.name ?? s.roleArn ?? 'the role';
    if (s.role.status === 'absent') return { status: 'ok', summary: `Role ${inertLine(name, 200)} does not exist`, details };
    if (isUnverified(s.role)) return { status: 'unknown', summary: `Could not read role ${inertLine(name, 200)} (${why(s.role)})`, details };
    const inline = s.inlinePolicies.status === 'ok' ? plural(s.inlinePolicies.value?.length ?? 0, 'inline policy', 'inline policies') : `inline policies ${why(s.inlinePolicies)}`;
    const attached = s.attachedPolicies.status === 'ok' ? plural(s.attachedPolicies.value?.length ?? 0, 'attached policy', 'attached policies') : `attached policies ${why(s.attachedPolicies)}`;
    const unknown = isUnverified(s.inlinePolicies) && isUnverified(s.attachedPolicies);
    return { status: unknown ? 'unknown' : 'ok', summary: `Role ${inertLine(name, 200)}: trust policy read; ${inline}; ${attached}`, details };
  },

  6: (e) => {
    const { listing, prefixes, organizationId } = e.steps.s6;
    const details: Record<string, unknown> = {
      prefixes: bounded(prefixes),
      listing: probeDetail(listing, (v) => ({ fileCount: v.fileCount, totalBytes: v.totalBytes, newest: v.newest, oldest: v.oldest, recent: v.recent, gaps: v.gaps, lastModifiedMismatches: v.lastModifiedMismatches, truncated: v.truncated, regions: v.regions })),
      organizationId: probeDetail(organizationId),
    };
    if (listing.status === 'skipped') return { status: 'skipped', summary: `Skipped: ${why(listing)}`, details };
    if (isUnverified(listing)) return { status: 'unknown', summary: `Could not list the log files (${why(listing)})`, details };
    const v = listing.value;
    if (!v) return { status: 'ok', summary: `No log files under ${plural(prefixes.length, 'day prefix', 'day prefixes')} (${why(listing)})`, details };
    const parts = [`${v.fileCount}${v.truncated ? '+' : ''} log files (${bytes(v.totalBytes)})`];
    parts.push(v.newest ? `newest ${shortTime(v.newest.deliveryTime)} (${ago(v.newest.deliveryTime, e.collectedAt)})` : 'none in the window');
    // The timeline's gaps (between files, a trailing silence, audit-gap windows): one source of "gap".
    const gaps = deliveryGaps(e).filter((g) => g.destination === 's3');
    if (gaps.length) {
      const minutes = (g: { start: string; end: string }) => (Date.parse(g.end) - Date.parse(g.start)) / 60_000;
      const longest = gaps.reduce((a, b) => (minutes(b) > minutes(a) ? b : a));
      const open = longest.end === e.collectedAt ? ', still open' : '';
      parts.push(gaps.length === 1 ? `1 gap of ${duration(minutes(longest))}${open}` : `${gaps.length} gaps, longest ${duration(minutes(longest))}${open}`);
    } else parts.push('no gap');
    if (v.lastModifiedMismatches) parts.push(`${v.lastModifiedMismatches} LastModified mismatches`);
    return { status: 'ok', summary: parts.join(', '), details };
  },

  7: (e) => {
    const s = e.steps.s7;
    const details: Record<string, unknown> = { logGroupArn: s.logGroupArn, logGroupName: s.logGroupName, logGroup: probeDetail(s.logGroup) };
    const name = inertLine(s.logGroupName ?? s.logGroup.value?.name ?? 'the log group', 200);
    if (s.logGroup.status === 'skipped') return { status: 'skipped', summary: `Skipped: ${why(s.logGroup)}`, details };
    if (s.logGroup.status === 'absent') return { status: 'ok', summary: `Log group ${name} does not exist`, details };
    if (isUnverified(s.logGroup)) return { status: 'unknown', summary: `Could not read log group ${name} (${why(s.logGroup)})`, details };
    const g = s.logGroup.value!;
    const parts = [`Log group ${inertLine(g.name, 200)} exists`, g.retentionInDays ? `retention ${g.retentionInDays} days` : 'never expires'];
    if (g.kmsKeyId) parts.push('KMS-encrypted');
    if (g.storedBytes !== undefined) parts.push(`${bytes(g.storedBytes)} stored`);
    return { status: 'ok', summary: parts.join('; '), details };
  },

  8: (e) => {
    const { metrics } = e.steps.s8;
    const details: Record<string, unknown> = {
      metrics: probeDetail(metrics, (v) =>
        v.map((m) => {
          const sum = m.values.reduce((a, b) => a + b, 0);
          let last: string | undefined;
          for (let i = m.values.length - 1; i >= 0; i--) if (m.values[i]! > 0) { last = m.timestamps[i]; break; }
          return { label: m.label, metricName: m.metricName, stat: m.stat, periodSeconds: m.periodSeconds, datapoints: m.values.length, sum, lastNonZero: last };
        }),
      ),
    };
    if (metrics.status === 'skipped') return { status: 'skipped', summary: `Skipped: ${why(metrics)}`, details };
    if (isUnverified(metrics)) return { status: metrics.optional ? 'skipped' : 'unknown', summary: `Could not read metrics (${why(metrics)})`, details };
    const list = metrics.value ?? [];
    if (!list.length || list.every((m) => !m.values.length)) return { status: 'ok', summary: 'No datapoints in the window', details };
    const parts = list.slice(0, 3).map((m) => {
      const sum = m.values.reduce((a, b) => a + b, 0);
      let last: string | undefined;
      for (let i = m.values.length - 1; i >= 0; i--) if (m.values[i]! > 0) { last = m.timestamps[i]; break; }
      return `${inertLine(m.metricName, 60)} ${Math.round(sum)} over ${plural(m.values.length, 'datapoint')}, last non-zero ${last ? shortTime(last) : 'never'}`;
    });
    return { status: 'ok', summary: parts.join('; '), details };
  },

  9: (e) => {
    const s = e.steps.s9;
    const count = (p: Probe<unknown[]>) => (p.status === 'ok' ? String(p.value?.length ?? 0) : p.status);
    const details: Record<string, unknown> = {
      fromLogGroup: probeDetail(s.fromLogGroup, (v) => ({ count: v.length })),
      fromEventHistory: probeDetail(s.fromEventHistory, (v) => ({ count: v.length })),
      fromEventHistoryGlobal: probeDetail(s.fromEventHistoryGlobal, (v) => ({ count: v.length })),
      changes: bounded(
        [...s.changes].reverse().map((c) => ({ eventTime: c.eventTime, eventName: c.eventName, actor: c.actor, sourceIPAddress: c.sourceIPAddress, errorCode: c.errorCode, resources: c.resources, sources: c.sources })),
      ),
    };
    const sources = [s.fromLogGroup, s.fromEventHistory, s.fromEventHistoryGlobal];
    if (sources.every((p) => p.status === 'skipped')) return { status: 'skipped', summary: `Skipped: ${why(s.fromEventHistory)}`, details };
    if (!sources.some((p) => p.status === 'ok')) return { status: 'unknown', summary: `Could not read configuration changes (log group ${why(s.fromLogGroup)}; event history ${why(s.fromEventHistory)})`, details };
    const failed = s.changes.filter((c) => c.errorCode).length;
    const parts = [`${plural(s.changes.length, 'configuration change')} in the window${failed ? ` (${failed} failed)` : ''}`];
    parts.push(`log group ${count(s.fromLogGroup)}, event history ${count(s.fromEventHistory)}, us-east-1 ${count(s.fromEventHistoryGlobal)}`);
    const latest = [...s.changes].reverse().find((c) => !c.errorCode);
    if (latest) parts.push(`latest ${inertLine(latest.eventName, 80)} ${shortTime(latest.eventTime)}${latest.actor ? ` by ${inertLine(latest.actor, 160)}` : ''}`);
    return { status: 'ok', summary: parts.join('; '), details };
  },
};

/**
 * The nine step reports in order. `problemSteps` are the steps a confirmed/likely cause is based
 * on: they become `problem` unless the step could not be observed at all.
 */
export function buildSteps(evidence: Evidence, problemSteps: ReadonlySet<StepNumber>): StepReport[] {
  const out: StepReport[] = [];
  for (let n = 1 as StepNumber; n <= 9; n = (n + 1) as StepNumber) {
    let built: Built;
    try {
      built = S[n](evidence);
    } catch (err) {
      built = { status: 'unknown', summary: `Could not summarise this step: ${inertLine(err instanceof Error ? err.message : String(err), 200)}`, details: {} };
    }
    const status: StepStatus = problemSteps.has(n) ? 'problem' : built.status;
    out.push({ step: n, title: STEP_TITLES[n], status, summary: built.summary, details: built.details });
  }
  return out;
}
