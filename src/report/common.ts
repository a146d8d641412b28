import type { Report, RootCause, StepStatus, TimelinePoint, DiagnosisVerdict } from './model.js';
import { inertLine, inertText } from '../util/text.js';

/**
 * Presentation helpers shared by the renderers. Pure formatting: no decisions about the account,
 * only about how to show what the report already says.
 */

export const STATUS_MARK: Record<StepStatus, string> = { ok: '✓', problem: '✗', unknown: '?', skipped: '–' };
export const STATUS_LABEL: Record<StepStatus, string> = { ok: 'ok', problem: 'problem', unknown: 'could not check', skipped: 'skipped' };
export const SOURCE_WORD: Record<string, string> = { 'event-history': 'CloudTrail event history', 'log-group': "the trail's log group", s3: 'log files in S3' };
export const VERDICT_MARK: Record<DiagnosisVerdict, string> = { healthy: '✓', problem: '✗', inconclusive: '?' };
export const VERDICT_LABEL: Record<DiagnosisVerdict, string> = { healthy: 'HEALTHY', problem: 'PROBLEM', inconclusive: 'INCONCLUSIVE' };

/** Causes worth headlining: the report's order, minus the `healthy` pseudo-cause. */
export function faults(report: Report): RootCause[] {
  return report.rootCauses.filter((c) => c.id !== 'healthy');
}

/**
 * The heading over the causes. A healthy verdict can still carry `possible` causes (conditions that
 * explain some missing events without delivery being broken): they are not called root causes then.
 */
export function causesTitle(verdict: DiagnosisVerdict, n: number): string {
  if (verdict === 'healthy') return n === 1 ? 'Worth knowing: a possible reason events are missing' : 'Worth knowing: possible reasons events are missing';
  return n === 1 ? 'Root cause' : 'Root causes, most probable first';
}

/** One sentence for the top of every format. Reads the verdict and the first cause; decides nothing. */
export function headline(report: Report): string {
  const top = faults(report)[0];
  switch (report.verdict) {
    case 'problem':
      return top ? inertLine(top.summary, 400) : 'A problem was found.';
    case 'healthy': {
      const h = report.rootCauses.find((c) => c.id === 'healthy');
      return h ? inertLine(h.summary, 400) : 'No fault found: the trail is logging and delivering on schedule.';
    }
    case 'inconclusive': {
      const n = report.unverified.length;
      return top
        ? inertLine(top.summary, 400)
        : `No root cause found, but ${n} ${n === 1 ? 'thing' : 'things'} could not be verified.`;
    }
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `2026-11-23 10:03:11 UTC`; an unparsable value is shown inert, as given. */
export function fmtTime(iso: string | undefined, withSeconds = true): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return inertLine(iso, 60);
  const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  return (withSeconds ? `${base}:${pad(d.getUTCSeconds())}` : base) + ' UTC';
}

/** `6h 25m`, `3d 4h`, `42s`. */
export function fmtDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

export function durationBetween(start: string, end: string): string {
  return fmtDuration(Date.parse(end) - Date.parse(start));
}

/** Who did it: the actor ARN (inert), or "unknown actor". */
export function actorText(actor: string | undefined): string {
  return actor ? inertLine(actor, 300) : 'unknown actor';
}

/** Pretty JSON of an untrusted value, capped, with a note when cut. */
export function boundedJson(value: unknown, maxChars = 6_000): string {
  let s: string;
  try {
    s = JSON.stringify(value, null, 2) ?? 'null';
  } catch {
    s = '"(not serialisable)"';
  }
  return inertText(s, maxChars);
}

/** True when `details` holds anything worth showing. */
export function hasDetails(details: Record<string, unknown> | undefined): boolean {
  return !!details && Object.keys(details).length > 0;
}

/**
 * Sums consecutive points into at most `max` buckets (a sparkline or a chart cannot show more).
 * Returns the bucketed counts with each bucket's start time.
 */
export function downsample(points: readonly TimelinePoint[], max: number): TimelinePoint[] {
  if (points.length <= max) return points.map((p) => ({ t: p.t, count: p.count }));
  const per = Math.ceil(points.length / max);
  const out: TimelinePoint[] = [];
  for (let i = 0; i < points.length; i += per) {
    const slice = points.slice(i, i + per);
    out.push({ t: slice[0]!.t, count: slice.reduce((a, p) => a + (Number.isFinite(p.count) ? p.count : 0), 0) });
  }
  return out;
}

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/**
 * `▁▂▃█·` — one glyph per bucket, `·` for nothing delivered; scaled to the busiest bucket. A bucket
 * is scaled by its mean per interval, so a short last bucket does not look like a drop.
 */
export function sparkline(points: readonly TimelinePoint[], maxWidth = 56): string {
  const per = Math.max(1, Math.ceil(points.length / Math.max(1, maxWidth)));
  const means: number[] = [];
  for (let i = 0; i < points.length; i += per) {
    const slice = points.slice(i, i + per);
    means.push(slice.reduce((a, p) => a + (Number.isFinite(p.count) && p.count > 0 ? p.count : 0), 0) / slice.length);
  }
  const top = Math.max(0, ...means);
  return means
    .map((m) => {
      if (!(m > 0) || top === 0) return '·';
      const i = Math.floor((m / top) * (BLOCKS.length - 1) + 0.5);
      return BLOCKS[Math.min(BLOCKS.length - 1, Math.max(0, i))];
    })
    .join('');
}

/** The points of intervals that start inside [start, end): an interval starting at the end is not in the window. */
export function inWindowPoints(points: readonly TimelinePoint[], start: string, end: string): TimelinePoint[] {
  const s = Date.parse(start);
  const e = Date.parse(end);
  if (!Number.isFinite(s) || !Number.isFinite(e)) return [...points];
  return points.filter((p) => {
    const t = Date.parse(p.t);
    return Number.isFinite(t) && t >= s && t < e;
  });
}

export function total(points: readonly TimelinePoint[]): number {
  return points.reduce((a, p) => a + (Number.isFinite(p.count) ? p.count : 0), 0);
}

/** "… and N more" helper: the first `max` items and how many were left out. */
export function capList<T>(items: readonly T[], max: number): { shown: T[]; more: number } {
  return { shown: items.slice(0, max), more: Math.max(0, items.length - max) };
}

/** 55,272 — counts with a thousands separator, independent of the machine's locale. */
export const fmtCount = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');

export const plural = (n: number, one: string, many = `${one}s`) => `${fmtCount(n)} ${n === 1 ? one : many}`;
