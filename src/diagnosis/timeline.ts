import type { Evidence, HourlyCount, MetricSeries } from '../evidence/schema.js';
import type { Timeline, TimelineAccessLogs, TimelinePoint, Trigger } from '../model/index.js';
import { inertLine } from '../util/text.js';
import { gapWindowsOf } from '../evidence/gaps.js';

const HOUR = 3_600_000;
/** A trailing silence longer than this (newest delivery → now) is drawn as an open gap. */
export const TRAILING_SILENCE_MINUTES = 60;
/** At most this many change markers (triggers always kept). */
export const MAX_TIMELINE_CHANGES = 200;

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const hourFloor = (ms: number) => ms - (((ms % HOUR) + HOUR) % HOUR);

/** Hourly points over [start, end]; missing hours are 0 when `fill` (the listing was complete). */
function hourly(counts: readonly HourlyCount[], start: number, end: number, fill: boolean): TimelinePoint[] {
  const byHour = new Map<number, number>();
  for (const c of counts) {
    const t = Date.parse(c.hour);
    if (Number.isNaN(t)) continue;
    const h = hourFloor(t);
    byHour.set(h, (byHour.get(h) ?? 0) + c.count);
  }
  if (!fill) return [...byHour.entries()].sort((a, b) => a[0] - b[0]).map(([t, count]) => ({ t: iso(t), count }));
  const out: TimelinePoint[] = [];
  // also keep hours outside the window the collector reported
  const first = Math.min(hourFloor(start), ...byHour.keys());
  const last = Math.max(hourFloor(end), ...byHour.keys());
  for (let h = first; h <= last && out.length < 24 * 400; h += HOUR) out.push({ t: iso(h), count: byHour.get(h) ?? 0 });
  return out;
}

function metricPoints(m: MetricSeries): TimelinePoint[] {
  const byHour = new Map<number, number>();
  m.timestamps.forEach((ts, i) => {
    const t = Date.parse(ts);
    const v = m.values[i];
    if (Number.isNaN(t) || typeof v !== 'number') return;
    const h = hourFloor(t);
    byHour.set(h, (byHour.get(h) ?? 0) + v);
  });
  return [...byHour.entries()].sort((a, b) => a[0] - b[0]).map(([t, count]) => ({ t: iso(t), count }));
}

const sameTrigger = (t: Trigger, c: { eventId: string; eventName: string; eventTime: string }) =>
  t.eventId ? t.eventId === c.eventId : t.eventName === c.eventName && Date.parse(t.eventTime) === Date.parse(c.eventTime);

/**
 * The delivery gaps of a report: gaps between log files of the listing, a trailing silence
 * (newest delivery → now) longer than TRAILING_SILENCE_MINUTES, and the audit-gap windows. The one
 * source of "gap" for the timeline and the step summaries, so they never disagree.
 */
export function deliveryGaps(evidence: Evidence): Timeline['gaps'] {
  const s = evidence.steps;
  const now = evidence.collectedAt;
  const nowMs = Date.parse(now);
  const listing = s.s6.listing.status === 'ok' ? s.s6.listing.value : undefined;
  const counts = s.s3.eventCounts.status === 'ok' ? s.s3.eventCounts.value : undefined;
  const gaps: Timeline['gaps'] = [];
  const addGap = (g: Timeline['gaps'][number]) => {
    const a = Date.parse(g.start);
    const b = Date.parse(g.end);
    if (Number.isNaN(a) || Number.isNaN(b) || b <= a) return;
    // drop a window another one of the same destination already covers
    if (gaps.some((x) => x.destination === g.destination && Date.parse(x.start) <= a && Date.parse(x.end) >= b)) return;
    for (let i = gaps.length - 1; i >= 0; i--) {
      const x = gaps[i]!;
      if (x.destination === g.destination && a <= Date.parse(x.start) && b >= Date.parse(x.end)) gaps.splice(i, 1);
    }
    gaps.push(g);
  };
  if (listing) {
    for (const g of listing.gaps) addGap({ start: g.start, end: g.end, destination: 's3' });
    const newest = listing.newest?.deliveryTime;
    if (newest && nowMs - Date.parse(newest) > TRAILING_SILENCE_MINUTES * 60_000) addGap({ start: newest, end: now, destination: 's3' });
  }
  if (counts && s.s3.newestEventTime) {
    const newest = s.s3.newestEventTime;
    if (nowMs - Date.parse(newest) > TRAILING_SILENCE_MINUTES * 60_000) addGap({ start: newest, end: now, destination: 'cloudwatch-logs' });
  }
  for (const w of gapWindowsOf(evidence.gaps)) addGap({ start: w.start, end: w.end, destination: w.destination });
  gaps.sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  return gaps;
}

export function buildTimeline(evidence: Evidence, triggers: readonly Trigger[]): Timeline {
  const s = evidence.steps;
  const start = Date.parse(evidence.window.start);
  const end = Date.parse(evidence.window.end);
  const now = evidence.collectedAt;
  const nowMs = Date.parse(now);

  const listing = s.s6.listing.status === 'ok' ? s.s6.listing.value : undefined;
  const counts = s.s3.eventCounts.status === 'ok' ? s.s3.eventCounts.value : undefined;
  const s3Points = listing ? hourly(listing.hourly, start, end, !listing.truncated) : [];
  const cwlPoints = counts ? hourly(counts.hourly, start, end, !counts.capped) : [];
  const metrics = s.s8.metrics.status === 'ok' ? (s.s8.metrics.value ?? []).map((m) => ({ label: inertLine(m.label, 200), points: metricPoints(m) })) : [];

  const gaps = deliveryGaps(evidence);

  let changes = s.s9.changes.map((c) => {
    const ch: Timeline['changes'][number] = { time: c.eventTime, eventName: c.eventName, isTrigger: triggers.some((t) => sameTrigger(t, c)) };
    if (c.actor) ch.actor = c.actor;
    if (c.sourceIPAddress) ch.sourceIPAddress = c.sourceIPAddress;
    return ch;
  });
  // a trigger from the gap report that step 9 did not list still gets its marker
  for (const t of triggers) {
    if (!changes.some((c) => c.isTrigger && c.eventName === t.eventName && Date.parse(c.time) === Date.parse(t.eventTime))) {
      const ch: Timeline['changes'][number] = { time: t.eventTime, eventName: t.eventName, isTrigger: true };
      if (t.actor) ch.actor = t.actor;
      if (t.sourceIPAddress) ch.sourceIPAddress = t.sourceIPAddress;
      changes.push(ch);
    }
  }
  if (changes.length > MAX_TIMELINE_CHANGES) {
    const keep = changes.filter((c) => c.isTrigger);
    const rest = changes.filter((c) => !c.isTrigger).slice(-(MAX_TIMELINE_CHANGES - keep.length));
    changes = [...keep, ...rest];
  }
  changes.sort((a, b) => Date.parse(a.time) - Date.parse(b.time));

  const tl: Timeline = {
    start: evidence.window.start,
    end: evidence.window.end,
    now,
    intervalMinutes: 60,
    s3: s3Points,
    cloudwatchLogs: cwlPoints,
    metrics,
    gaps,
    changes,
  };
  const status = s.s2.status.status === 'ok' ? s.s2.status.value : undefined;
  if (status?.startLoggingTime) tl.startLoggingTime = status.startLoggingTime;
  if (status?.stopLoggingTime) tl.stopLoggingTime = status.stopLoggingTime;
  const access = accessLogLane(evidence);
  if (access) tl.accessLogs = access;
  return tl;
}

/** CloudTrail's attempts and refusals per hour from the S3 server access logs; none when they were not read. */
function accessLogLane(evidence: Evidence): TimelineAccessLogs | undefined {
  const probe = evidence.steps.s4.accessLogs;
  const summary = probe?.status === 'ok' ? probe.value?.summary : undefined;
  if (!summary) return undefined;
  // Hours without records are unknown (best-effort, late delivery): never filled with zeros.
  const hours = summary.hourly;
  const points = (pick: (h: (typeof hours)[number]) => number) => hourly(hours.map((h) => ({ hour: h.hour, count: pick(h) })), 0, 0, false);
  const lane: TimelineAccessLogs = { attempted: points((h) => h.attempted), refused: points((h) => h.refused).filter((p) => p.count > 0), capped: summary.capped };
  if (summary.newestRecordTime) lane.newestRecordTime = summary.newestRecordTime;
  if (summary.firstRefused) lane.firstRefused = summary.firstRefused.time;
  if (summary.lastRefused) lane.lastRefused = summary.lastRefused.time;
  return lane;
}
