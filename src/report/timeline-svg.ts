import type { Timeline, TimelinePoint } from './model.js';
import { html, num, type SafeHtml } from './html-template.js';
import { actorText, downsample, fmtCount, inWindowPoints, durationBetween, fmtDuration, fmtTime, plural, total } from './common.js';
import { inertLine } from '../util/text.js';
import { accessColumns, accessLaneBars, accessSub, accessTitle, type AccessLogs } from './timeline-access.js';

/**
 * The delivery timeline: one lane per series (S3 log files, CloudWatch Logs events, metrics) with a
 * bar per interval, gap windows shaded in their destination's lane, configuration changes as
 * markers (actor on hover via <title>), the trigger highlighted and labelled, "now" and the trail's
 * Start/StopLogging times. Inline SVG only; text alternative: <title>/<desc> plus a data table.
 */

const W = 1000;
const LEFT = 172;
const RIGHT = 16;
const TOP = 44;
const LANE_H = 64;
const LANE_GAP = 14;
const AXIS_H = 26;
const MAX_BARS = 240;
const MAX_MARKERS = 200;
const MAX_TABLE_ROWS = 200;

interface Lane {
  key: string;
  label: string;
  /** The label uncut, for the tooltip and the data table. */
  full?: string;
  sub: string;
  points: TimelinePoint[];
  cls: string;
  gapDestination?: 's3' | 'cloudwatch-logs';
  /** The S3 server access log lane: attempts with the refusals over them (timeline-access.ts). */
  access?: AccessLogs;
}

export function timelineLanes(t: Timeline): Lane[] {
  const win = (p: TimelinePoint[]) => inWindowPoints(p, t.start, t.end);
  const s3 = win(t.s3);
  const cwl = win(t.cloudwatchLogs);
  const lanes: Lane[] = [
    { key: 's3', label: 'S3 log files', sub: plural(total(s3), 'file'), points: s3, cls: 'bar-s3', gapDestination: 's3' },
    { key: 'cwl', label: 'CloudWatch Logs', sub: plural(total(cwl), 'event'), points: cwl, cls: 'bar-cwl', gapDestination: 'cloudwatch-logs' },
  ];
  // Only when the access logs were read: reports without them draw exactly as before.
  if (t.accessLogs) {
    const a = t.accessLogs;
    lanes.splice(1, 0, { key: 'access', label: 'S3 access logs', full: accessTitle(a), sub: accessSub(a, t), points: win(a.attempted), cls: 'access-lane', access: a });
  }
  t.metrics.slice(0, 4).forEach((m, i) =>
    lanes.push({ key: `m${i}`, label: fitLabel(inertLine(m.label, 200), 18), full: inertLine(m.label, 200), sub: 'metric', points: win(m.points), cls: 'bar-metric' }),
  );
  return lanes;
}

export function timelineSvg(t: Timeline): SafeHtml {
  const start = Date.parse(t.start);
  const end = Date.parse(t.end);
  const span = Math.max(1, end - start);
  const plotW = W - LEFT - RIGHT;
  const x = (ms: number) => LEFT + ((Math.min(Math.max(ms, start), end) - start) / span) * plotW;
  const inWindow = (ms: number) => Number.isFinite(ms) && ms >= start && ms <= end;
  const lanes = timelineLanes(t);
  const H = TOP + lanes.length * (LANE_H + LANE_GAP) + AXIS_H;
  const laneY = (i: number) => TOP + i * (LANE_H + LANE_GAP);
  const bottom = laneY(lanes.length) - LANE_GAP;
  const intervalMs = Math.max(1, t.intervalMinutes) * 60_000;

  const laneParts = lanes.map((lane, i) => {
    const y0 = laneY(i);
    const pts = downsample(lane.points, MAX_BARS);
    const per = lane.points.length > 0 ? Math.ceil(lane.points.length / Math.max(1, pts.length)) : 1;
    const bucketMs = intervalMs * per;
    const access = lane.access ? accessLaneBars(lane.access, t, { x, y0, laneH: LANE_H, left: LEFT, plotW, start, end }, MAX_BARS) : undefined;
    const max = access ? access.max : Math.max(0, ...pts.map((p) => p.count));
    const bars = access ? access.bars : pts
      .filter((p) => p.count > 0 && inWindow(Date.parse(p.t)))
      .map((p) => {
        const t0 = Date.parse(p.t);
        const x0 = x(t0);
        const w = Math.max(1, x(t0 + bucketMs) - x0 - (pts.length > 120 ? 0 : 0.6));
        const h = Math.max(1.5, (p.count / max) * (LANE_H - 8));
        return html`<rect x="${num(x0)}" y="${num(y0 + LANE_H - h)}" width="${num(w)}" height="${num(h)}"><title>${fmtTime(p.t, false)}: ${p.count}</title></rect>`;
      });
    const gaps = lane.gapDestination
      ? t.gaps
          .filter((g) => g.destination === lane.gapDestination)
          .map((g) => {
            const gs = Date.parse(g.start);
            const ge = Date.parse(g.end);
            if (!Number.isFinite(gs) || !Number.isFinite(ge) || ge < start || gs > end) return null;
            const x0 = x(gs);
            const w = Math.max(2, x(ge) - x0);
            const dest = g.destination === 'cloudwatch-logs' ? 'CloudWatch Logs' : 'S3';
            return html`<g class="gap" data-destination="${g.destination}"><title>Gap in ${dest} delivery: ${fmtTime(g.start)} → ${fmtTime(g.end)} (${durationBetween(g.start, g.end)})</title><rect class="gap-fill" x="${num(x0)}" y="${num(y0)}" width="${num(w)}" height="${LANE_H}"/><line class="gap-edge" x1="${num(x0)}" x2="${num(x0)}" y1="${num(y0)}" y2="${num(y0 + LANE_H)}"/>${gapLabel(lane.gapDestination === 's3' ? 'files' : 'events', durationBetween(g.start, g.end), x0, w, y0)}</g>`;
          })
      : [];
    const empty = lane.points.length === 0 ? html`<text class="nodata" x="${num(LEFT + plotW / 2)}" y="${num(y0 + LANE_H / 2 + 4)}" text-anchor="middle">${lane.access ? 'no records' : 'no data'}</text>` : null;
    return html`<g class="lane lane-${lane.key}">
<rect class="lane-bg" x="${LEFT}" y="${num(y0)}" width="${num(plotW)}" height="${LANE_H}"/>
${gaps}
<g class="${lane.cls}">${bars}</g>
${empty}
<line class="baseline" x1="${LEFT}" x2="${num(LEFT + plotW)}" y1="${num(y0 + LANE_H)}" y2="${num(y0 + LANE_H)}"/>
<text class="lane-label" x="${LEFT - 10}" y="${num(y0 + LANE_H / 2 - 2)}" text-anchor="end">${lane.full ? html`<title>${lane.full}</title>` : null}${lane.label}</text>
<text class="lane-sub" x="${LEFT - 10}" y="${num(y0 + LANE_H / 2 + 14)}" text-anchor="end">${lane.sub}${max > 0 && !lane.access ? ` · max ${fmtCount(max)}` : ''}</text>
</g>`;
  });

  // Axis ticks aligned to UTC.
  const ticks = axisTicks(start, end).map(
    (tk) => html`<g class="tick"><line x1="${num(x(tk.ms))}" x2="${num(x(tk.ms))}" y1="${TOP - 4}" y2="${num(bottom + 4)}"/><text x="${num(x(tk.ms))}" y="${num(bottom + 18)}" text-anchor="middle">${tk.label}</text></g>`,
  );

  // Markers: changes (trigger last so it draws on top), logging start/stop, now.
  const anchor = (px: number) => (px > W - 140 ? 'end' : px < LEFT + 60 ? 'start' : 'middle');
  const changes = t.changes
    .filter((c) => inWindow(Date.parse(c.time)))
    .slice(-MAX_MARKERS)
    .sort((a, b) => Number(a.isTrigger) - Number(b.isTrigger));
  const changeMarks = changes.map((c) => {
    const px = x(Date.parse(c.time));
    const tip = `${inertLine(c.eventName, 100)} by ${actorText(c.actor)} at ${fmtTime(c.time)}${c.sourceIPAddress ? ` from ${inertLine(c.sourceIPAddress, 60)}` : ''}${c.isTrigger ? ' (trigger)' : ''}`;
    const cls = c.isTrigger ? 'change trigger' : 'change';
    const d = `M${num(px)} ${TOP - 12} l6 6 l-6 6 l-6 -6 z`;
    return html`<g class="${cls}" data-event="${c.eventName}"><title>${tip}</title><line x1="${num(px)}" x2="${num(px)}" y1="${TOP - 2}" y2="${num(bottom)}"/><path d="${d}"/>${c.isTrigger ? html`<text x="${num(px)}" y="${TOP - 18}" text-anchor="${anchor(px)}">${inertLine(c.eventName, 40)} (trigger)</text>` : null}</g>`;
  });
  const vmark = (iso: string | undefined, cls: string, label: string, row: number, title = cls.includes('stop') ? 'StopLogging' : cls.includes('start') ? 'StartLogging' : label) => {
    if (!iso) return null;
    const ms = Date.parse(iso);
    if (!inWindow(ms)) return null;
    const px = x(ms);
    return html`<g class="${cls}"><title>${title} ${fmtTime(iso)}</title><line x1="${num(px)}" x2="${num(px)}" y1="${TOP - 2}" y2="${num(bottom)}"/>${label ? html`<text x="${num(px)}" y="${row === 0 ? 12 : TOP - 18}" text-anchor="${anchor(px)}">${label}</text>` : null}</g>`;
  };
  // A logging marker that is also the trigger is labelled once, by the trigger.
  const triggerAt = new Set(t.changes.filter((c) => c.isTrigger).map((c) => Date.parse(c.time)));
  const unlessTrigger = (iso: string | undefined, label: string) => (iso && triggerAt.has(Date.parse(iso)) ? '' : label);
  const markers = [
    vmark(t.startLoggingTime, 'logmark start-logging', unlessTrigger(t.startLoggingTime, 'StartLogging'), 0),
    vmark(t.stopLoggingTime, 'logmark stop-logging', unlessTrigger(t.stopLoggingTime, 'StopLogging'), 0),
    vmark(t.now, 'now', 'now', 0),
  ];

  const desc = timelineDescription(t);
  return html`<svg class="timeline" viewBox="0 0 ${W} ${num(H)}" role="img" aria-labelledby="tl-title tl-desc" xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">
<title id="tl-title">Delivery timeline, ${fmtTime(t.start, false)} to ${fmtTime(t.end, false)}</title>
<desc id="tl-desc">${desc}</desc>
<defs><pattern id="hatch" patternUnits="userSpaceOnUse" width="8" height="8" patternTransform="rotate(45)"><rect width="8" height="8" class="hatch-bg"/><line x1="0" y1="0" x2="0" y2="8" class="hatch-line"/></pattern></defs>
${ticks}
${laneParts}
${markers}
${changeMarks}
</svg>`;
}

/** Label a gap inside its shading when it fits: "no files · 6h", else just "6h", else nothing. */
function gapLabel(what: string, dur: string, x0: number, w: number, y0: number): SafeHtml | null {
  const fits = (s: string) => s.length * 7 + 12 <= w;
  const text = fits(`no ${what} · ${dur}`) ? `no ${what} · ${dur}` : fits(dur) ? dur : '';
  return text ? html`<text class="gap-label" x="${num(x0 + w / 2)}" y="${num(y0 + 16)}" text-anchor="middle">${text}</text>` : null;
}

function fitLabel(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max - 1) + '…';
}

/** The chart in words, for screen readers and as the <desc>. */
export function timelineDescription(t: Timeline): string {
  const parts = [
    `${plural(total(t.s3), 'S3 log file')} and ${plural(total(t.cloudwatchLogs), 'CloudWatch Logs event')} per ${fmtDuration(t.intervalMinutes * 60_000)} interval.`,
  ];
  for (const g of t.gaps.slice(0, 10)) {
    parts.push(`Gap in ${g.destination === 'cloudwatch-logs' ? 'CloudWatch Logs' : 'S3'} delivery from ${fmtTime(g.start, false)} to ${fmtTime(g.end, false)} (${durationBetween(g.start, g.end)}).`);
  }
  if (t.gaps.length > 10) parts.push(`… and ${t.gaps.length - 10} more gaps.`);
  if (t.accessLogs) {
    const refused = total(t.accessLogs.refused);
    parts.push(
      `S3 server access logs: ${plural(total(t.accessLogs.attempted), 'CloudTrail write attempt')}, ${fmtCount(refused)} refused${refused > 0 && t.accessLogs.firstRefused ? ` from ${fmtTime(t.accessLogs.firstRefused, false)}${t.accessLogs.lastRefused ? ` to ${fmtTime(t.accessLogs.lastRefused, false)}` : ''}` : ''}.`,
    );
  }
  const trig = t.changes.find((c) => c.isTrigger);
  if (trig) parts.push(`Trigger: ${inertLine(trig.eventName, 100)} by ${actorText(trig.actor)} at ${fmtTime(trig.time)}.`);
  const others = t.changes.length - (trig ? 1 : 0);
  if (others > 0) parts.push(`${plural(others, 'other configuration change')} marked.`);
  return parts.join(' ');
}

/** Visually hidden per-interval table: the chart's data as text. */
export function timelineTable(t: Timeline): SafeHtml {
  const lanes = timelineLanes(t);
  const n = Math.max(...lanes.map((l) => l.points.length), 0);
  const buckets = Math.min(n, MAX_TABLE_ROWS);
  const cols = lanes.map((l) => downsample(l.points, buckets));
  const base = cols.filter((_, j) => !lanes[j]!.access).reduce((a, c) => (c.length > a.length ? c : a), [] as TimelinePoint[]);
  const per = n > 0 ? Math.ceil(n / Math.max(1, base.length)) : 1;
  // The access lane lists only hours with records: its cells are summed by time over each row.
  const access = t.accessLogs ? accessColumns(t.accessLogs, t, base, t.intervalMinutes * 60_000 * per) : undefined;
  const cell = (l: Lane, c: TimelinePoint[], i: number) =>
    l.access && access ? html`<td>${access.attempted[i] ?? '—'}</td><td>${access.refused[i] ?? '—'}</td>` : html`<td>${c[i] ? c[i]!.count : '—'}</td>`;
  const rows = base.map((p, i) => html`<tr><th scope="row">${fmtTime(p.t, false)}</th>${lanes.map((l, j) => cell(l, cols[j]!, i))}</tr>`);
  const head = (l: Lane) => (l.access ? html`<th scope="col">S3 access logs: CloudTrail write attempts</th><th scope="col">S3 access logs: refused</th>` : html`<th scope="col">${l.full ?? l.label}</th>`);
  return html`<div class="visually-hidden"><table><caption>Delivery per ${fmtDuration(t.intervalMinutes * 60_000 * per)} interval</caption>
<thead><tr><th scope="col">Interval start</th>${lanes.map(head)}</tr></thead>
<tbody>${rows}</tbody></table></div>`;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function axisTicks(start: number, end: number): { ms: number; label: string }[] {
  const span = end - start;
  if (!(span > 0)) return [];
  const steps = [5 * 60_000, 15 * 60_000, 30 * 60_000, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY];
  const step = steps.find((s) => span / s <= 9) ?? 30 * DAY;
  const out: { ms: number; label: string }[] = [];
  for (let ms = Math.ceil(start / step) * step; ms <= end && out.length < 20; ms += step) {
    const d = new Date(ms);
    const hh = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
    const day = `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
    out.push({ ms, label: step >= DAY || hh === '00:00' ? day : hh });
  }
  return out;
}
