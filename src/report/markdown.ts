import type { Report, RootCause } from './model.js';
import { escapeMarkdown, inertLine, markdownFence } from '../util/text.js';
import {
  SOURCE_WORD,
  causesTitle,
  inWindowPoints,
  STATUS_LABEL,
  STATUS_MARK,
  VERDICT_LABEL,
  VERDICT_MARK,
  boundedJson,
  capList,
  durationBetween,
  faults,
  fmtCount,
  fmtDuration,
  fmtTime,
  headline,
  sparkline,
  total,
} from './common.js';

/**
 * `--format markdown`: GitHub-flavoured, for tickets, PRs and chat. The same content as the HTML
 * report with a text sparkline instead of the chart, and long lists capped so it fits in a ticket.
 * Untrusted inline text goes through escapeMarkdown (table and emphasis breakers, raw HTML); commands
 * and policies go in fences the content cannot close (markdownFence).
 */

const MAX_EVIDENCE = 8;
const MAX_COMMANDS = 6;
const MAX_CHANGES = 10;
const MAX_UNVERIFIED = 15;
const MAX_GAPS = 8;
const SPARK_WIDTH = 48;
/** Characters of root-cause text before the rest is summarised: keeps the report within a ticket or PR comment. */
const CAUSES_BUDGET = 30_000;
/** A command longer than this is not pasted into a ticket (it would be a data blob, not a command). */
const MAX_COMMAND_CHARS = 2_000;

/** Inline, escaped; `max` caps the visible length before escaping. */
const md = (s: unknown, max = 500) => escapeMarkdown(inertLine(String(s ?? ''), max));
/** A table cell: escaped, never empty. */
const cell = (s: unknown, max = 300) => md(s, max) || ' ';

export function renderMarkdown(report: Report): string {
  const out: string[] = [];
  const v = report.verdict;
  out.push(`## ${VERDICT_MARK[v] ?? '?'} trail-doctor: ${VERDICT_LABEL[v] ?? md(v, 20)} — trail ${md(report.trail.name, 120)}`);
  out.push('');
  out.push(`**${md(headline(report), 500)}**`);
  out.push('');
  const meta = [
    `Region ${md(report.trail.region, 40)}`,
    report.trail.arn ? `ARN ${md(report.trail.arn, 300)}` : '',
    `window ${fmtTime(report.window.start, false)} → ${fmtTime(report.window.end, false)} (${durationBetween(report.window.start, report.window.end)})`,
    `generated ${fmtTime(report.generatedAt)} by trail-doctor ${md(report.tool.version, 40)}`,
  ].filter(Boolean);
  out.push(meta.join(' · '));
  out.push('');

  const causes = faults(report);
  if (causes.length > 0) {
    out.push(`### ${causesTitle(v, causes.length)}`);
    out.push('');
    // A ticket has room for a few causes in full; the JSON report always has all of them.
    let used = 0;
    for (let i = 0; i < causes.length; i++) {
      const block: string[] = [];
      cause(block, causes[i]!, i + 1);
      const size = block.reduce((a, l) => a + l.length + 1, 0);
      if (i > 0 && used + size > CAUSES_BUDGET) {
        out.push(`… and ${causes.length - i} more ${causes.length - i === 1 ? 'cause' : 'causes'} (see the JSON or HTML report).`, '');
        break;
      }
      used += size;
      out.push(...block);
    }
  }

  const t = report.timeline;
  if (t && (t.s3.length > 0 || t.cloudwatchLogs.length > 0 || t.gaps.length > 0 || t.changes.length > 0)) {
    out.push('### Delivery');
    out.push('');
    out.push(`Per ${fmtDuration(t.intervalMinutes * 60_000)}, ${fmtTime(t.start, false)} → ${fmtTime(t.end, false)} (\`·\` = nothing delivered):`);
    out.push('');
    const rows: string[] = [];
    const inWin = (p: typeof t.s3) => inWindowPoints(p, t.start, t.end);
    const series = (label: string, p: typeof t.s3) =>
      rows.push(`| ${label} | ${p.length > 0 ? `\`${sparkline(inWin(p), SPARK_WIDTH)}\`` : 'no data'} | ${p.length > 0 ? fmtCount(total(inWin(p))) : '—'} |`);
    series('S3 log files', t.s3);
    series('CloudWatch Logs events', t.cloudwatchLogs);
    for (const m of t.metrics.slice(0, 3)) series(`${cell(m.label, 60)} (metric)`, m.points);
    if (rows.length > 0) {
      out.push('| Series | Delivery over the window | Total |', '|---|---|---:|', ...rows);
      out.push('');
    }
    if (t.gaps.length > 0) {
      const { shown, more } = capList(t.gaps, MAX_GAPS);
      out.push('| Gap | From | To | Length |', '|---|---|---|---|');
      for (const g of shown) {
        out.push(`| ${g.destination === 'cloudwatch-logs' ? 'CloudWatch Logs' : 'S3'} | ${fmtTime(g.start, false)} | ${fmtTime(g.end, false)} | ${durationBetween(g.start, g.end)} |`);
      }
      if (more) out.push(`| … and ${more} more | | | |`);
      out.push('');
    }
    if (t.changes.length > 0) {
      const { shown, more } = capList(t.changes, MAX_CHANGES);
      out.push('| Configuration change | When | Who | From |', '|---|---|---|---|');
      for (const ch of shown) {
        const name = ch.isTrigger ? `**${cell(ch.eventName, 80)}** (trigger)` : cell(ch.eventName, 80);
        out.push(`| ${name} | ${fmtTime(ch.time)} | ${cell(ch.actor ?? 'unknown', 200)} | ${cell(ch.sourceIPAddress ?? '', 60)} |`);
      }
      if (more) out.push(`| … and ${more} more | | | |`);
      out.push('');
    }
    const marks = [
      t.startLoggingTime ? `StartLogging ${fmtTime(t.startLoggingTime)}` : '',
      t.stopLoggingTime ? `StopLogging ${fmtTime(t.stopLoggingTime)}` : '',
    ].filter(Boolean);
    if (marks.length > 0) {
      out.push(marks.join(' · '));
      out.push('');
    }
  }

  out.push('### Playbook steps');
  out.push('');
  out.push('| Step | Status | Check | Summary |', '|---:|---|---|---|');
  for (const s of report.steps) {
    out.push(`| ${Number(s.step) || '?'} | ${STATUS_MARK[s.status] ?? '?'} ${STATUS_LABEL[s.status] ?? cell(s.status, 20)} | ${cell(s.title, 100)} | ${cell(s.summary, 400)} |`);
  }
  out.push('');

  if (report.unverified.length > 0) {
    const { shown, more } = capList(report.unverified, MAX_UNVERIFIED);
    out.push('### Could not verify');
    out.push('');
    out.push('| Step | What | Needs | Why |', '|---:|---|---|---|');
    for (const u of shown) out.push(`| ${Number(u.step) || '?'} | ${cell(u.what)} | ${cell(u.needs, 120)} | ${cell(u.reason ?? '', 200)} |`);
    if (more) out.push(`| | … and ${more} more | | |`);
    out.push('');
  }

  out.push(`<sub>trail-doctor ${md(report.tool.version, 40)} · schema ${Number(report.schemaVersion) || 1}${report.stats ? ` · ${report.stats.apiCalls} API calls in ${fmtDuration(report.stats.durationMs)}` : ''}</sub>`);
  return out.join('\n') + '\n';
}

function cause(out: string[], c: RootCause, n: number): void {
  out.push(`${n}. **${md(c.id, 80)}** (${md(c.confidence, 20)}${c.severity ? `, ${md(c.severity, 20)}` : ''}): ${md(c.summary, 600)}`);
  const ind = '   ';
  if (c.evidence.length > 0) {
    const { shown, more } = capList(c.evidence, MAX_EVIDENCE);
    out.push('');
    out.push(`${ind}Evidence:`);
    for (const e of shown) out.push(`${ind}- ${md(e, 400)}`);
    if (more) out.push(`${ind}- … and ${more} more`);
  }
  if (c.trigger) {
    const tr = c.trigger;
    out.push('');
    out.push(
      `${ind}**Trigger:** ${md(tr.eventName, 100)} by ${md(tr.actor ?? 'unknown actor', 300)} at ${fmtTime(tr.eventTime)}` +
        `${tr.sourceIPAddress ? ` from ${md(tr.sourceIPAddress, 100)}` : ''} (seen in ${SOURCE_WORD[tr.source] ?? md(tr.source, 40)})`,
    );
  }
  const rem = c.remediation;
  if (rem && (rem.summary || rem.commands.length > 0 || rem.policy !== undefined)) {
    out.push('');
    out.push(`${ind}**Fix:** ${md(rem.summary, 800)}`);
    if (rem.policy !== undefined) {
      out.push('');
      out.push(`${ind}<details><summary>Corrected policy document</summary>`);
      out.push('');
      out.push(indent(markdownFence(boundedJson(rem.policy, 6_000), 'json'), ind));
      out.push('');
      out.push(`${ind}</details>`);
    }
    if (rem.commands.length > 0) {
      const { shown, more } = capList(rem.commands, MAX_COMMANDS);
      const lines = shown.map((cmd) => (cmd.length > MAX_COMMAND_CHARS ? `# (a ${cmd.length}-character command: see the JSON report)` : cmd));
      out.push('');
      out.push(indent(markdownFence(lines.join('\n'), 'sh'), ind));
      if (more) out.push(`${ind}… and ${more} more commands (see the JSON report).`);
    }
  }
  out.push('');
}

function indent(block: string, ind: string): string {
  return block
    .split('\n')
    .map((l) => (l ? ind + l : l))
    .join('\n');
}
