import type { Report } from './model.js';
import type { ScanResult } from '../scan/model.js';
import { escapeMarkdown, inertLine, markdownFence } from '../util/text.js';
import { coverageCell, summaryRows } from './scan-text.js';

/**
 * `scan --format markdown`: the coverage matrix (accounts × regions), the summary table, every
 * problem with its fix, then one section per trail that is not healthy with its diagnosis; the
 * problems link to those sections. Untrusted text is escaped; commands sit in fences they cannot close.
 */
const md = (s: unknown, max = 300) => escapeMarkdown(inertLine(String(s ?? ''), max));
const cell = (s: unknown, max = 200) => md(s, max) || ' ';
/** GitHub's heading anchors are unpredictable for ARNs: explicit anchors, stable per trail. */
export const anchorOf = (accountId: string, trailArn: string) => `trail-${accountId}-${trailArn.replace(/[^A-Za-z0-9]+/g, '-')}`.toLowerCase();

const MARK = { covered: '✓', 'not-covered': '✗', unknown: '?' } as const;

function detail(report: Report): string[] {
  const out: string[] = [`Verdict **${md(report.verdict, 20)}** · window ${md(report.window.start, 30)} → ${md(report.window.end, 30)}`, ''];
  for (const c of report.rootCauses.filter((x) => x.id !== 'healthy')) {
    out.push(`- **${md(c.id, 60)}** (${md(c.confidence, 20)}): ${md(c.summary, 600)}`);
    for (const e of c.evidence.slice(0, 8)) out.push(`  - ${md(e, 400)}`);
    if (c.trigger) out.push(`  - trigger: ${md(c.trigger.eventName, 60)} at ${md(c.trigger.eventTime, 40)}${c.trigger.actor ? ` by ${md(c.trigger.actor, 200)}` : ''}`);
    if (c.remediation.commands.length) out.push('', markdownFence(c.remediation.commands.slice(0, 6).map((x) => inertLine(x, 2_000)).join('\n'), 'sh').split('\n').map((l) => `  ${l}`).join('\n'));
  }
  if (report.unverified.length) {
    out.push('', 'Could not verify:');
    for (const u of report.unverified.slice(0, 15)) out.push(`- step ${u.step}: ${md(u.what, 200)} (needs ${md(u.needs, 200)})`);
  }
  return out;
}

export function renderScanMarkdown(r: ScanResult): string {
  const s = r.summary;
  const out: string[] = [];
  out.push(`## trail-doctor scan — ${s.accounts} accounts, ${s.trails} trails, ${s.uncoveredRegions} uncovered regions`, '');
  out.push(`Window ${md(r.window.start, 30)} → ${md(r.window.end, 30)} · generated ${md(r.generatedAt, 30)} · ${s.reachable}/${s.accounts} accounts reachable · trails: ${s.healthy} healthy, ${s.problem} problem, ${s.inconclusive} inconclusive`, '');

  const regions = [...new Set(r.accounts.flatMap((a) => a.regions.map((x) => x.region)))].sort();
  out.push('### Coverage', '');
  out.push(`| Account | ${regions.map((x) => md(x, 30)).join(' | ')} |`, `|---|${regions.map(() => ':-:').join('|')}|`);
  for (const a of r.accounts) {
    const cells = regions.map((reg) => {
      if (a.status === 'unreachable') return '—';
      const c = a.regions.find((x) => x.region === reg);
      return c ? MARK[c.status] : ' ';
    });
    out.push(`| ${cell(a.name ? `${a.accountId} (${a.name})` : a.accountId)}${a.status === 'unreachable' ? ' (unreachable)' : ''} | ${cells.join(' | ')} |`);
  }
  out.push('', '✓ covered · ✗ no logging trail records management events · ? could not be decided · blank: not an enabled region', '');

  out.push('### Trails', '', '| Account | Regions | Trail | Verdict | Top root cause | Trigger |', '|---|---|---|---|---|---|');
  for (const row of summaryRows(r)) out.push(`| ${cell(row.account)} | ${cell(row.coverage)} | ${cell(row.trail)} | ${cell(row.verdict)} | ${cell(row.cause)} | ${cell(row.trigger)} |`);
  out.push('');

  if (r.findings.length) {
    out.push(`### Problems (${r.findings.length})`, '');
    for (const f of r.findings) {
      const link = f.trailArn && r.details.some((d) => d.trailArn === f.trailArn) ? ` — [diagnosis](#${anchorOf(f.accountId, f.trailArn)})` : '';
      out.push(`- **${md(f.id, 60)}** (${md(f.confidence, 20)}) · ${md(f.accountId, 20)}${f.region ? ` · ${md(f.region, 30)}` : ''}: ${md(f.summary, 600)}${link}`);
      if (f.remediation?.commands.length && !f.trailArn) out.push('', markdownFence(f.remediation.commands.map((x) => inertLine(x, 2_000)).join('\n'), 'sh').split('\n').map((l) => `  ${l}`).join('\n'), '');
    }
    out.push('');
  }
  const notes = r.accounts.filter((a) => a.unverified.length || a.regions.some((x) => x.status === 'unknown'));
  if (notes.length) {
    out.push('### Could not verify', '');
    for (const a of notes) {
      for (const u of a.unverified) out.push(`- ${md(a.accountId, 20)}: ${md(u, 400)}`);
      for (const x of a.regions.filter((y) => y.status === 'unknown')) out.push(`- ${md(a.accountId, 20)} ${md(x.region, 30)}: ${md(x.reason, 400)}`);
    }
    out.push('');
  }
  if (r.details.length) {
    out.push('### Diagnoses', '');
    for (const d of r.details) {
      const acct = r.accounts.find((a) => a.accountId === d.accountId);
      out.push(`<a id="${anchorOf(d.accountId, d.trailArn)}"></a>`, `#### ${md(d.report.trail.name, 120)} — ${md(d.accountId, 20)} (${md(acct ? coverageCell(acct) : '', 40)})`, '', `ARN ${md(d.trailArn, 300)}`, '');
      out.push(...detail(d.report), '');
    }
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n') + '\n';
}
