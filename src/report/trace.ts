import { escapeMarkdown, inertLine } from '../util/text.js';
import type { DestinationResult, TraceReport } from '../trace/model.js';

/**
 * `trail-doctor trace` as text (a terminal), JSON (the README's contract) and Markdown (a ticket).
 * Renders only: every judgement is the engine's. Untrusted strings stay inert.
 */
const STATUS_WORD: Record<TraceReport['status'], string> = {
  delivered: 'DELIVERED',
  missing: 'MISSING',
  pending: 'NOT YET DELIVERED',
  'not-recorded': 'NOT RECORDED BY THIS TRAIL',
  'could-not-check': 'COULD NOT CHECK',
  'not-found': 'EVENT NOT FOUND',
};
const DEST = { s3: 'S3', 'cloudwatch-logs': 'CloudWatch Logs' } as const;
const FOUND = { yes: 'found', no: 'missing', unknown: 'could not check' } as const;

function destinationLines(d: DestinationResult): string[] {
  const head = `${DEST[d.destination]}: ${d.expected ? FOUND[d.found] : d.found === 'yes' ? 'found' : 'not expected'}`;
  const out = [head];
  if (d.destination === 's3') {
    if (d.bucket && d.folder) out.push(`  where    s3://${d.bucket}/${d.folder}`);
    if (d.fileTimeRange) out.push(`  files    delivered ${d.fileTimeRange.from} to ${d.fileTimeRange.to}${d.filesRead !== undefined ? ` (${d.filesRead} read)` : ''}`);
    if (d.key) out.push(`  file     ${d.key}`);
  } else {
    if (d.logGroup) out.push(`  group    ${d.logGroup}${d.logStream ? `, stream ${d.logStream}` : ''}`);
  }
  if (d.reason) out.push(`  reason   ${d.reason}${d.needs ? ` (needs ${d.needs})` : ''}`);
  return out.map((l) => inertLine(l, 1200));
}

export function renderTraceText(r: TraceReport): string {
  const out: string[] = [];
  const e = r.event;
  out.push(`trail-doctor trace: trail ${inertLine(r.trail.name, 128)} (${r.trail.region})`);
  out.push(`${STATUS_WORD[r.status]}: ${inertLine(r.summary, 1000)}`);
  if (e) out.push('', `Event     ${inertLine(`${e.eventName} (${e.eventSource}) ${e.eventID}`, 400)}`, `          ${e.eventTime} in ${e.awsRegion}${e.username ? ` by ${inertLine(e.username, 200)}` : ''}; read from ${e.source === 's3' ? 'an S3 log file' : 'event history'}`);
  if (r.eventHistory.note) out.push(`          ${inertLine(r.eventHistory.note, 600)}`);
  if (r.recorded.chain.length) {
    out.push('', `Recorded by this trail: ${r.recorded.verdict}`);
    for (const c of r.recorded.chain) out.push(`  - ${inertLine(c, 800)}`);
  }
  if (r.destinations.length) {
    out.push('');
    for (const d of r.destinations) out.push(...destinationLines(d));
  }
  if (r.causes.length) {
    out.push('', 'Why');
    for (const c of r.causes) {
      out.push(`  ${c.id} (${c.destination === 'both' ? 'S3 and CloudWatch Logs' : DEST[c.destination]})`);
      for (const l of c.evidence) out.push(`    - ${inertLine(l, 800)}`);
      if (c.fix) out.push(`    fix: ${inertLine(c.fix, 800)}`);
    }
  }
  // The recorded-by-trail chain is shown above; the rest of the evidence here.
  const rest = r.evidence.filter((l) => !l.startsWith('recorded? '));
  if (rest.length) out.push('', 'Evidence');
  for (const l of rest) out.push(`  - ${inertLine(l, 800)}`);
  return out.join('\n') + '\n';
}

export function renderTraceJson(r: TraceReport): string {
  return JSON.stringify(r, null, 2);
}

export function renderTraceMarkdown(r: TraceReport): string {
  const m = (s: string) => escapeMarkdown(inertLine(s, 1000));
  const out: string[] = [`# trail-doctor trace: ${STATUS_WORD[r.status].toLowerCase()}`, '', m(r.summary), ''];
  const e = r.event;
  if (e) out.push(`- **Event**: ${m(`${e.eventName} (${e.eventSource})`)} \`${m(e.eventID)}\` at ${e.eventTime} in ${m(e.awsRegion)}`);
  out.push(`- **Trail**: ${m(r.trail.name)} (${m(r.trail.region)})`);
  if (r.eventHistory.note) out.push(`- **Event history**: ${m(r.eventHistory.note)}`);
  if (r.recorded.chain.length) {
    out.push('', `## Recorded by this trail: ${r.recorded.verdict}`, '');
    for (const c of r.recorded.chain) out.push(`- ${m(c)}`);
  }
  if (r.destinations.length) {
    out.push('', '## Destinations', '', '| Destination | Result | Where |', '| --- | --- | --- |');
    for (const d of r.destinations) {
      const where = d.destination === 's3' ? [d.key ?? (d.bucket && d.folder ? `s3://${d.bucket}/${d.folder}` : ''), d.fileTimeRange ? `files ${d.fileTimeRange.from}–${d.fileTimeRange.to}` : ''] : [d.logGroup ?? '', d.logStream ?? ''];
      out.push(`| ${DEST[d.destination]} | ${d.expected ? FOUND[d.found] : 'not expected'} | ${where.filter(Boolean).map(m).join('<br>').replace(/\|/g, '\\|')}${d.reason ? ` (${m(d.reason)})` : ''} |`);
    }
  }
  if (r.causes.length) {
    out.push('', '## Why', '');
    for (const c of r.causes) {
      out.push(`### \`${c.id}\``, '');
      for (const l of c.evidence) out.push(`- ${m(l)}`);
      if (c.fix) out.push('', `**Fix**: ${m(c.fix)}`, '');
    }
  }
  out.push('', '## Evidence', '');
  for (const l of r.evidence) out.push(`- ${m(l)}`);
  return out.join('\n') + '\n';
}
