import { inertLine } from '../util/text.js';
import type { GapEvent, GapReport } from '../gaps/model.js';
import type { GapProgress } from '../gaps/engine.js';

/** The gap report as text for a terminal (80 columns by default). Untrusted strings stay inert. */
export function renderGapsText(r: GapReport, opts: { width?: number } = {}): string {
  const width = Math.max(60, Math.min(opts.width ?? 80, 120));
  const out: string[] = [];
  const line = (s = '') => out.push(...wrap(s, width));
  const kv = (k: string, v: string) => out.push(...wrap(v, width - 11).map((x, i) => `${i === 0 ? k.padEnd(10) : ''.padEnd(10)} ${x}`));
  const t = r.trail;
  line(`trail-doctor gaps: trail ${t ? inertLine(t.name, 128) : '?'}${t ? ` (${t.region})` : ''}`);
  kv('Window', `${r.window.start} to ${r.window.end}`);
  if (r.status === 'could-not-check') {
    line();
    line(`Could not check: ${inertLine(r.reason ?? 'unknown reason', 600)}`);
    if (r.needs) line(`Needs the permission ${r.needs}.`);
    return out.join('\n') + '\n';
  }
  const dest = (r.destinations ?? ['s3']).map((d) => (d === 's3' ? 'S3' : 'CloudWatch Logs')).join(' and ');
  kv('Compared', `${r.totals.recorded} events from CloudTrail event history with what the trail delivered to ${dest}${r.totals.sampled ? ' (a sample: see Sampling)' : ' (every event in the window)'}`);
  kv('Result', `${r.totals.delivered} delivered, ${r.totals.missing} missing`);
  for (const [d, v] of Object.entries(r.byDestination ?? {})) kv('', `${d === 's3' ? 'S3' : 'CloudWatch Logs'}: ${v.delivered} delivered, ${v.missing} missing`);
  if (r.sampling) {
    const e = r.sampling.estimate;
    kv('Estimate', `about ${e.missing.value} events missing (95% bounds ${e.missing.low} to ${e.missing.high}) of about ${e.recorded} recorded in the window`);
  }
  kv('Ignored', `${r.excluded ?? 0} excluded by the trail's selectors or regions; ${r.pending ?? 0} newer than the ${r.deliveryDelayMinutes ?? 15} min delivery delay`);
  line();
  if (!r.gaps.length) line('No gap: every event compared was delivered.');
  else line(`Gaps (${r.gaps.length}, oldest first)`);
  r.gaps.forEach((g, i) => {
    const d = g.destination === 's3' ? 'S3' : 'CloudWatch Logs';
    const est = g.estimatedMissing && !g.exact ? ` (estimated ${g.estimatedMissing.value}, bounds ${g.estimatedMissing.low} to ${g.estimatedMissing.high})` : '';
    out.push(...wrap(`${i + 1}. ${d}: ${g.start} to ${g.end}${g.open ? ' (still open)' : ''}`, width - 1).map((x, j) => (j ? `    ${x}` : ` ${x}`)));
    out.push(...wrap(`${g.eventsMissing} events missing${est}`, width - 4).map((x) => `    ${x}`));
    out.push(...describe('opened by', g.trigger, width));
    if (g.trigger === null) out.push('    opened by: no configuration change found in the minutes before');
    if (g.closedBy) out.push(...describe('closed by', g.closedBy, width));
  });
  if (r.tooLargeForCloudWatch?.length) {
    line();
    line(`${r.tooLargeForCloudWatch.length} events larger than 256 KB are in S3 but were never sent to CloudWatch Logs (CloudWatch Logs' limit, not a delivery fault):`);
    for (const e of r.tooLargeForCloudWatch.slice(0, 5)) out.push(...wrap(`- ${inertLine(e.eventName, 100)} at ${e.eventTime}, ${Math.round(e.sizeBytes / 1024)} KB, ${inertLine(e.eventId, 100)}`, width - 2).map((x, j) => (j ? `  ${x}` : x)));
  }
  if (r.skippedFiles?.length) {
    line();
    line(`${r.skippedFiles.length} log files could not be read in full (their events may show as missing):`);
    for (const f of r.skippedFiles.slice(0, 5)) out.push(...wrap(`- ${inertLine(f.key, 400)}: ${inertLine(f.reason, 200)}`, width - 2).map((x, j) => (j ? `  ${x}` : x)));
  }
  if (r.exported) {
    line();
    line(`Exported ${r.exported.events} missing events to ${inertLine(r.exported.path, 400)}.`);
    line(r.exported.note);
  }
  if (r.sampling) {
    line();
    line(`Sampling: ${r.sampling.hoursFull} of ${r.sampling.hours} hours compared in full, ${r.sampling.hoursSampled} sampled, ${r.sampling.hoursUnsampled} not probed; ${r.sampling.budget.used} of ${r.sampling.budget.maxLookupCalls} LookupEvents calls; seed ${r.sampling.seed}.`);
    line(r.sampling.method);
  }
  if (r.notes?.length) {
    line();
    for (const n of r.notes) out.push(...wrap(`note: ${inertLine(n, 600)}`, width - 2).map((x, j) => (j ? `  ${x}` : x)));
  }
  if (r.stats) {
    line();
    line(`${r.stats.lookupEventsCalls} LookupEvents calls, ${r.stats.filesRead} log files read, ${(r.stats.durationMs / 1000).toFixed(1)} s.`);
  }
  return out.join('\n') + '\n';
}

function describe(label: string, e: GapEvent | null, width: number): string[] {
  if (!e) return [];
  const who = [e.actor ? `by ${inertLine(e.actor, 300)}` : '', e.sourceIPAddress ? `from ${inertLine(e.sourceIPAddress, 100)}` : ''].filter(Boolean).join(' ');
  return wrap(`${label}: ${inertLine(e.eventName, 100)} at ${e.eventTime}${who ? ` ${who}` : ''}`, width - 4).map((x) => `    ${x}`);
}

/** Word wrap; words longer than the width (ARNs, keys) are cut. */
export function wrap(text: string, width: number): string[] {
  if (!text) return [''];
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let cur = '';
  for (let w of words) {
    while (w.length > width) {
      if (cur) {
        lines.push(cur);
        cur = '';
      }
      lines.push(w.slice(0, width));
      w = w.slice(width);
    }
    if (!cur) cur = w;
    else if (cur.length + 1 + w.length <= width) cur += ` ${w}`;
    else {
      lines.push(cur);
      cur = w;
    }
  }
  if (cur) lines.push(cur);
  return lines;
}

/** One progress line, with the time left for the rate-limited part. */
export function progressLine(p: GapProgress): string {
  const eta = p.etaSeconds !== undefined && p.etaSeconds > 0 ? `, about ${p.etaSeconds >= 60 ? `${Math.floor(p.etaSeconds / 60)}m${String(p.etaSeconds % 60).padStart(2, '0')}s` : `${p.etaSeconds}s`} left` : '';
  const count = p.phase === 's3' ? `${p.done}/${p.total} files` : p.total ? `${p.done}/${p.total} calls` : '';
  return `${p.message}${count ? ` (${count}${eta})` : eta}`;
}
