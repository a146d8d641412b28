import type { Timeline, TimelinePoint } from './model.js';
import { html, num, type SafeHtml } from './html-template.js';
import { fmtCount, fmtTime, inWindowPoints, total } from './common.js';

/**
 * The S3 server access log lane of the delivery timeline: CloudTrail's write attempts per interval
 * (neutral bars) with the refused ones over them in the problem colour, on one scale. The logs list
 * only hours that have records, so the points are bucketed by time, never by index; and after the
 * newest record the lane is marked "not logged yet" (AWS delivers these logs best effort, hours late).
 */
export type AccessLogs = NonNullable<Timeline['accessLogs']>;

export interface AccessBuckets {
  bucketMs: number;
  attempted: TimelinePoint[];
  refused: TimelinePoint[];
}

/** Sums each series into buckets of whole intervals from `start`, at most `maxBars` over the window. */
export function accessBuckets(a: AccessLogs, t: Pick<Timeline, 'start' | 'end' | 'intervalMinutes'>, maxBars: number): AccessBuckets {
  const start = Date.parse(t.start);
  const end = Date.parse(t.end);
  const intervalMs = Math.max(1, t.intervalMinutes) * 60_000;
  const bucketMs = intervalMs * Math.max(1, Math.ceil((end - start) / intervalMs / Math.max(1, maxBars)));
  const bucket = (points: TimelinePoint[]) => {
    const sums = new Map<number, number>();
    for (const p of inWindowPoints(points, t.start, t.end)) {
      const k = start + Math.floor((Date.parse(p.t) - start) / bucketMs) * bucketMs;
      sums.set(k, (sums.get(k) ?? 0) + (Number.isFinite(p.count) ? p.count : 0));
    }
    return [...sums.entries()].sort((x, y) => x[0] - y[0]).map(([k, count]) => ({ t: new Date(k).toISOString().replace(/\.\d{3}Z$/, 'Z'), count }));
  };
  return { bucketMs, attempted: bucket(a.attempted), refused: bucket(a.refused) };
}

/** "10 of 48 refused": short enough for the lane's left column on a phone. */
export function accessSub(a: AccessLogs, t: Pick<Timeline, 'start' | 'end'>): string {
  const attempted = total(inWindowPoints(a.attempted, t.start, t.end));
  const refused = total(inWindowPoints(a.refused, t.start, t.end));
  return `${fmtCount(refused)} of ${fmtCount(attempted)} refused${a.capped ? '+' : ''}`;
}

export function accessTitle(a: AccessLogs): string {
  const reach = a.newestRecordTime ? `; records reach ${fmtTime(a.newestRecordTime)}` : '';
  return `S3 server access logs: CloudTrail's write attempts, refused ones in red${reach}${a.capped ? ' (reading stopped at a cap: counts are a lower bound)' : ''}`;
}

export interface LaneGeometry {
  x: (ms: number) => number;
  y0: number;
  laneH: number;
  left: number;
  plotW: number;
  start: number;
  end: number;
}

export function accessLaneBars(a: AccessLogs, t: Timeline, g: LaneGeometry, maxBars: number): { bars: SafeHtml; max: number } {
  const b = accessBuckets(a, t, maxBars);
  const max = Math.max(0, ...b.attempted.map((p) => p.count), ...b.refused.map((p) => p.count));
  const rect = (p: TimelinePoint, what: string) => {
    const t0 = Date.parse(p.t);
    const x0 = g.x(t0);
    const w = Math.max(1, g.x(t0 + b.bucketMs) - x0 - 0.6);
    const h = Math.max(1.5, (p.count / Math.max(1, max)) * (g.laneH - 8));
    return html`<rect x="${num(x0)}" y="${num(g.y0 + g.laneH - h)}" width="${num(w)}" height="${num(h)}"><title>${fmtTime(p.t, false)}: ${p.count} ${what}</title></rect>`;
  };
  const newest = a.newestRecordTime ? Date.parse(a.newestRecordTime) : NaN;
  const unknown =
    Number.isFinite(newest) && newest >= g.start && newest < g.end
      ? html`<g class="access-unknown"><title>No access log records after ${fmtTime(a.newestRecordTime!)} yet: AWS delivers them best effort, hours late</title><rect x="${num(g.x(newest))}" y="${num(g.y0)}" width="${num(Math.max(0, g.left + g.plotW - g.x(newest)))}" height="${g.laneH}"/></g>`
      : null;
  const bars = html`${unknown}<g class="bar-access">${b.attempted.filter((p) => p.count > 0).map((p) => rect(p, 'write attempts'))}</g><g class="bar-refused">${b.refused.filter((p) => p.count > 0).map((p) => rect(p, 'refused'))}</g>`;
  return { bars, max };
}

/** The lane's two columns of the data table, summed over each row's interval. */
export function accessColumns(a: AccessLogs, t: Timeline, rows: readonly TimelinePoint[], rowMs: number): { attempted: (number | undefined)[]; refused: (number | undefined)[] } {
  const sum = (points: TimelinePoint[], from: number) => {
    let n = 0;
    let seen = false;
    for (const p of inWindowPoints(points, t.start, t.end)) {
      const ms = Date.parse(p.t);
      if (ms >= from && ms < from + rowMs) {
        n += p.count;
        seen = true;
      }
    }
    return seen ? n : undefined;
  };
  return { attempted: rows.map((r) => sum(a.attempted, Date.parse(r.t))), refused: rows.map((r) => sum(a.refused, Date.parse(r.t)) ?? (sum(a.attempted, Date.parse(r.t)) !== undefined ? 0 : undefined)) };
}
