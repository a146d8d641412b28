import { createColors } from 'picocolors';
import wrapAnsi from 'wrap-ansi';
import type { Report, RootCause, StepReport, StepStatus, DiagnosisVerdict } from './model.js';
import type { RenderOptions } from './index.js';
import { inertLine, inertText } from '../util/text.js';
import {
  SOURCE_WORD,
  causesTitle,
  STATUS_MARK,
  VERDICT_LABEL,
  VERDICT_MARK,
  actorText,
  boundedJson,
  durationBetween,
  faults,
  fmtCount,
  fmtDuration,
  fmtTime,
  headline,
  inWindowPoints,
  plural,
  sparkline,
  total,
} from './common.js';
import { wrapCommand } from './shell-wrap.js';
import { faultLines } from './faults.js';

/**
 * The terminal report (`--format text`, the default). Fits `width` columns (80 unless the terminal
 * says otherwise, never more than 100): prose wraps with hanging indents, commands sit on their own
 * lines and break only between words with a shell line continuation. Every string from the account
 * is stripped of control and escape sequences before it is laid out; colour is added afterwards and
 * only when `opts.color`.
 */
export function renderText(report: Report, opts: RenderOptions): string {
  const width = Math.max(40, Math.min(opts.width && opts.width > 0 ? opts.width : 80, 100));
  const c = createColors(opts.color);
  const out: string[] = [];

  /** Wrapped prose: `first` before the first line, `indent` before the others. */
  const para = (text: string, indent: string, first = indent, style: (s: string) => string = (s) => s) => {
    const avail = Math.max(20, width - Math.max(visible(first), indent.length));
    const lines = wrapAnsi(text, avail, { hard: true, trim: true }).split('\n');
    lines.forEach((l, i) => out.push((i === 0 ? first : indent) + style(l)));
  };

  const markColor = (s: StepStatus | DiagnosisVerdict) =>
    s === 'ok' || s === 'healthy' ? c.green : s === 'problem' ? c.red : s === 'unknown' || s === 'inconclusive' ? c.yellow : c.dim;

  // Header
  const trailName = inertLine(report.trail.name, 200);
  out.push(c.bold(`trail-doctor ${inertLine(report.tool.version, 40)}`) + c.dim(' · CloudTrail delivery diagnosis'));
  para(`Trail ${trailName} in ${inertLine(report.trail.region, 40)}`, '  ', '', c.dim);
  if (report.trail.arn) para(inertLine(report.trail.arn, 300), '  ', '', c.dim);
  out.push(
    c.dim(`Window ${fmtTime(report.window.start, false)} → ${fmtTime(report.window.end, false)} (${durationBetween(report.window.start, report.window.end)})`),
  );
  out.push('');

  // Verdict
  const v = report.verdict;
  const vMark = VERDICT_MARK[v] ?? '?';
  const vLabel = VERDICT_LABEL[v] ?? inertLine(String(v), 20).toUpperCase();
  const first = `${vMark} ${vLabel}  `;
  para(headline(report), ' '.repeat(first.length), markColor(v)(c.bold(first)), c.bold);
  out.push('');

  // Steps
  out.push(c.bold('Playbook steps'));
  for (const s of report.steps) stepLines(s);
  out.push('');

  // Root causes
  const causes = faults(report);
  if (causes.length > 0) {
    out.push(c.bold(causesTitle(report.verdict, causes.length)));
    causes.forEach((cause, i) => {
      causeLines(cause, i + 1);
      out.push('');
    });
  }

  // Could not verify
  if (report.unverified.length > 0) {
    out.push(c.bold('Could not verify'));
    for (const u of report.unverified) {
      const what = `step ${Number(u.step) || '?'}: ${inertLine(u.what, 300)} — needs ${inertLine(u.needs, 200)}${u.reason ? ` (${inertLine(u.reason, 300)})` : ''}`;
      para(what, '    ', `  ${c.yellow('?')} `);
    }
    out.push('');
  }

  // Delivery at a glance
  const t = report.timeline;
  if (t && (t.s3.length > 0 || t.cloudwatchLogs.length > 0)) {
    out.push(c.bold('Delivery') + c.dim(` per ${fmtDuration(t.intervalMinutes * 60_000)}, ${fmtTime(t.start, false)} → ${fmtTime(t.end, false)}`));
    const spark = Math.max(10, width - 30);
    const row = (label: string, pts: typeof t.s3) =>
      out.push(`  ${label} ${pts.length > 0 ? `${sparkline(pts, spark)} ${c.dim(fmtCount(total(pts)))}` : c.dim('no data')}`);
    row('S3 files  ', inWindowPoints(t.s3, t.start, t.end));
    row('CWL events', inWindowPoints(t.cloudwatchLogs, t.start, t.end));
    for (const g of t.gaps) {
      const dest = g.destination === 'cloudwatch-logs' ? 'CloudWatch Logs' : 'S3';
      para(`gap in ${dest}: ${fmtTime(g.start, false)} → ${fmtTime(g.end, false)} (${durationBetween(g.start, g.end)})`, '    ', '  ', c.red);
    }
    out.push('');
  }

  if (report.stats) {
    const parts = [`${fmtDuration(report.stats.durationMs)}`, plural(report.stats.apiCalls, 'API call')];
    if (report.stats.depth) parts.push(`depth ${report.stats.depth}`);
    out.push(c.dim(`Generated ${fmtTime(report.generatedAt)} · ${parts.join(' · ')}`));
    for (const line of faultLines(report.stats.faults)) para(line, '  ', '', c.yellow);
  } else {
    out.push(c.dim(`Generated ${fmtTime(report.generatedAt)}`));
  }

  return out.join('\n') + '\n';

  function stepLines(s: StepReport): void {
    const mark = STATUS_MARK[s.status] ?? '?';
    const head = `  ${markColor(s.status)(mark)} ${String(Number(s.step) || '?')} `;
    para(inertLine(s.title, 200), '      ', head, s.status === 'problem' ? c.bold : (x) => x);
    if (s.summary) para(inertLine(s.summary, 600), '      ', '      ', c.dim);
  }

  function causeLines(cause: RootCause, n: number): void {
    const head = `  ${n}. `;
    const meta = [cause.confidence, cause.severity].filter(Boolean).map((x) => inertLine(String(x), 20)).join(', ');
    para(`${inertLine(cause.id, 80)} (${meta})`, '     ', head, c.bold);
    para(inertLine(cause.summary, 1_000), '     ');
    if (cause.evidence.length > 0) {
      out.push(c.dim('     Evidence'));
      for (const e of cause.evidence) para(inertLine(e, 600), '         ', '       - ');
    }
    if (cause.trigger) {
      const tr = cause.trigger;
      const lbl = '     Trigger  ';
      para(`${inertLine(tr.eventName, 100)} by ${actorText(tr.actor)}`, ' '.repeat(lbl.length), c.dim(lbl), c.bold);
      const where = [`at ${fmtTime(tr.eventTime)}`, tr.sourceIPAddress ? `from ${inertLine(tr.sourceIPAddress, 100)}` : '', `(seen in ${SOURCE_WORD[tr.source] ?? inertLine(String(tr.source), 40)})`]
        .filter(Boolean)
        .join(' ');
      para(where, ' '.repeat(lbl.length));
      if (tr.requestParameters !== undefined) {
        para(`what: ${inertLine(JSON.stringify(tr.requestParameters) ?? '', 160)}`, ' '.repeat(lbl.length));
      }
    }
    const rem = cause.remediation;
    if (rem && (rem.summary || rem.commands.length > 0 || rem.policy !== undefined)) {
      const lbl = '     Fix      ';
      if (rem.summary) para(inertLine(rem.summary, 1_000), ' '.repeat(lbl.length), c.dim(lbl));
      else out.push(c.dim(lbl.trimEnd()));
      if (rem.policy !== undefined) {
        out.push(c.dim('     Corrected policy document:'));
        for (const l of boundedJson(rem.policy, 8_000).split('\n')) out.push('       ' + l);
        if (rem.commands.length > 0) out.push(c.dim('     Then run:'));
      }
      for (const cmd of rem.commands) {
        for (const l of wrapCommand(inertText(cmd, 8_000), width, '       ')) out.push(c.cyan(l));
      }
    }
  }
}

function visible(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*m/g, '').length;
}
