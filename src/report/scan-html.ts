import type { Report } from './model.js';
import type { ScanResult } from '../scan/model.js';
import { html, trusted, type SafeHtml } from './html-template.js';
import { anchorOf } from './scan-markdown.js';
import { coverageCell, summaryRows } from './scan-text.js';
import { inertLine } from '../util/text.js';

/**
 * `scan --format html`: one self-contained page (no script, no external resource, a CSP that
 * forbids both): the coverage matrix of accounts × regions, the trails table, the problems, each
 * linking to the full diagnosis section of its trail. Every value goes through the escaping
 * `html` template.
 */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";
const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#1b1f24}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.c{text-align:center}.covered{background:#dafbe1}.not-covered{background:#ffebe9}.unknown{background:#fff8c5}
.problem{color:#cf222e}.healthy{color:#1a7f37}.inconclusive{color:#9a6700}code,pre{font:12px ui-monospace,monospace}
pre{background:#f6f8fa;padding:.5rem;overflow-x:auto;white-space:pre-wrap}section.trail{border-top:1px solid #d0d7de;margin-top:1.5rem}`;
const MARK = { covered: '✓', 'not-covered': '✗', unknown: '?' } as const;
const t = (s: unknown, max = 300) => inertLine(String(s ?? ''), max);

function diagnosis(report: Report): SafeHtml {
  return html`<p>Verdict <strong class="${report.verdict}">${report.verdict}</strong> · window ${report.window.start} → ${report.window.end}</p>
<ul>${report.rootCauses
    .filter((c) => c.id !== 'healthy')
    .map(
      (c) => html`<li><strong>${c.id}</strong> (${c.confidence}): ${t(c.summary, 600)}
<ul>${c.evidence.slice(0, 10).map((e) => html`<li>${t(e, 400)}</li>`)}${c.trigger ? html`<li>trigger: ${t(c.trigger.eventName, 60)} at ${t(c.trigger.eventTime, 40)}${c.trigger.actor ? html` by ${t(c.trigger.actor, 200)}` : null}</li>` : null}</ul>
<p>${t(c.remediation.summary, 600)}</p>${c.remediation.commands.length ? html`<pre>${c.remediation.commands.slice(0, 8).map((x) => t(x, 2_000)).join('\n')}</pre>` : null}</li>`,
    )}</ul>
${report.unverified.length ? html`<p>Could not verify:</p><ul>${report.unverified.slice(0, 20).map((u) => html`<li>step ${u.step}: ${t(u.what, 200)} (needs ${t(u.needs, 200)})</li>`)}</ul>` : null}
<table><tr><th>Step</th><th>Status</th><th>Summary</th></tr>${report.steps.map((s) => html`<tr><td>${s.step}. ${t(s.title, 100)}</td><td>${s.status}</td><td>${t(s.summary, 500)}</td></tr>`)}</table>`;
}

export function renderScanHtml(r: ScanResult): string {
  const s = r.summary;
  const regions = [...new Set(r.accounts.flatMap((a) => a.regions.map((x) => x.region)))].sort();
  const page = html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${CSP}"><meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>trail-doctor scan: ${s.accounts} accounts, ${s.uncoveredRegions} uncovered regions</title><style>${trusted(CSS)}</style></head>
<body>
<h1>trail-doctor scan</h1>
<p id="summary">${s.accounts} accounts (${s.reachable} reachable) · ${s.trails} trails: ${s.healthy} healthy, ${s.problem} with a problem, ${s.inconclusive} inconclusive · <strong>${s.uncoveredRegions} uncovered regions</strong> · window ${r.window.start} → ${r.window.end} · generated ${r.generatedAt}</p>
<h2>Coverage</h2>
<table id="coverage"><tr><th>Account</th>${regions.map((x) => html`<th>${x}</th>`)}</tr>
${r.accounts.map(
  (a) => html`<tr><th>${a.accountId}${a.name ? html` (${t(a.name, 60)})` : null}${a.status === 'unreachable' ? html` <span class="problem">unreachable</span>` : null}</th>${regions.map((reg) => {
    const c = a.regions.find((x) => x.region === reg);
    if (a.status === 'unreachable') return html`<td class="c">—</td>`;
    if (!c) return html`<td class="c" title="not an enabled region"></td>`;
    return html`<td class="c ${c.status}" title="${c.status === 'covered' ? c.coveredBy.join(', ') : c.reason ?? 'no logging trail records management events'}">${MARK[c.status]}</td>`;
  })}</tr>`,
)}</table>
<h2>Trails</h2>
<table id="trails"><tr><th>Account</th><th>Regions</th><th>Trail</th><th>Verdict</th><th>Top root cause</th><th>Trigger</th></tr>
${summaryRows(r).map((row) => html`<tr><td>${row.account}</td><td>${row.coverage}</td><td>${row.trail}</td><td class="${row.verdict}">${row.verdict}</td><td>${row.cause}</td><td>${row.trigger}</td></tr>`)}</table>
${r.findings.length
    ? html`<h2>Problems (${r.findings.length})</h2><ul id="problems">${r.findings.map(
        (f) => html`<li><strong>${f.id}</strong> (${f.confidence}) · ${f.accountId}${f.region ? html` · ${f.region}` : null}: ${t(f.summary, 600)}${
          f.trailArn && r.details.some((d) => d.trailArn === f.trailArn) ? html` — <a href="#${anchorOf(f.accountId, f.trailArn)}">diagnosis</a>` : null
        }${!f.trailArn && f.remediation?.commands.length ? html`<pre>${f.remediation.commands.map((x) => t(x, 2_000)).join('\n')}</pre>` : null}</li>`,
      )}</ul>`
    : html`<p class="healthy">No problem found.</p>`}
${r.details.map((d) => {
  const acct = r.accounts.find((a) => a.accountId === d.accountId);
  return html`<section class="trail" id="${anchorOf(d.accountId, d.trailArn)}"><h3>${t(d.report.trail.name, 120)} — ${d.accountId}${acct ? html` (${coverageCell(acct)})` : null}</h3><p><code>${d.trailArn}</code></p>${diagnosis(d.report)}</section>`;
})}
</body></html>
`;
  return page.value;
}
