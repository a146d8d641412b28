import { createHash } from 'node:crypto';
import type { Report, RootCause, StepReport } from './model.js';
import { html, trusted, type SafeHtml } from './html-template.js';
import { timelineSvg, timelineTable } from './timeline-svg.js';
import {
  SOURCE_WORD,
  causesTitle,
  STATUS_LABEL,
  STATUS_MARK,
  VERDICT_MARK,
  actorText,
  boundedJson,
  durationBetween,
  faults,
  fmtDuration,
  fmtTime,
  hasDetails,
  headline,
  plural,
} from './common.js';
import { inertLine } from '../util/text.js';

/**
 * `--format html`: one self-contained file. No external request of any kind (inline CSS and SVG, no
 * fonts, no images), a strict Content-Security-Policy that allows only the inline styles and the
 * one inline script below (by hash), and every value from the account escaped by the `html`
 * template (html-template.ts). Top: verdict, root cause, trigger, remediation with copy buttons.
 * Middle: the delivery timeline. Bottom: the nine steps and what could not be verified.
 */

const STEP_DETAILS_MAX = 6_000;
const POLICY_MAX = 12_000;
const MAX_CHANGES_LISTED = 50;

// Copy buttons (shown only when this script runs) and open <details> when printing.
const SCRIPT = `(function(){
var bs=document.querySelectorAll('button[data-copy]');
function pick(el){var r=document.createRange();r.selectNodeContents(el);var s=window.getSelection();s.removeAllRanges();s.addRange(r);try{document.execCommand('copy')}catch(e){}}
function done(b){b.textContent='Copied';setTimeout(function(){b.textContent='Copy'},1500)}
for(var i=0;i<bs.length;i++){bs[i].hidden=false;bs[i].addEventListener('click',function(ev){var b=ev.currentTarget;var el=document.getElementById(b.getAttribute('data-copy'));if(!el)return;var t=el.textContent;if(navigator.clipboard&&navigator.clipboard.writeText){navigator.clipboard.writeText(t).then(function(){done(b)},function(){pick(el);done(b)})}else{pick(el);done(b)}})}
window.addEventListener('beforeprint',function(){var d=document.querySelectorAll('details');for(var i=0;i<d.length;i++)d[i].open=true})
})();`;
const SCRIPT_HASH = createHash('sha256').update(SCRIPT, 'utf8').digest('base64');
export const CSP = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${SCRIPT_HASH}'; base-uri 'none'; form-action 'none'`;

export function renderHtml(report: Report): string {
  const v = report.verdict;
  const causes = faults(report);
  const healthy = report.rootCauses.find((c) => c.id === 'healthy');
  let ids = 0;
  const nextId = (p: string) => `${p}-${++ids}`;

  const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="trail-doctor ${report.tool.version}">
<title>trail-doctor: ${VERDICT_WORD[v] ?? 'report'} — trail ${inertLine(report.trail.name, 120)}</title>
<style>${trusted(CSS)}</style>
</head>
<body>
<a class="skip" href="#steps">Skip to the playbook steps</a>
<header class="top verdict-${v}">
<p class="eyebrow">trail-doctor · CloudTrail delivery diagnosis</p>
<h1><span class="verdict-badge" data-verdict="${v}">${VERDICT_MARK[v] ?? '?'} ${VERDICT_WORD[v] ?? inertLine(String(v), 20)}</span> <span class="trail-name">Trail ${capped(report.trail.name, 120)}</span></h1>
<p class="headline" id="headline">${headline(report)}</p>
<dl class="meta">
<div><dt>Region</dt><dd>${report.trail.region}${report.trail.homeRegion && report.trail.homeRegion !== report.trail.region ? ` (home ${report.trail.homeRegion})` : ''}</dd></div>
${report.trail.arn ? html`<div class="wide"><dt>ARN</dt><dd><code>${report.trail.arn}</code></dd></div>` : null}
<div><dt>Window</dt><dd>${fmtTime(report.window.start, false)} → ${fmtTime(report.window.end, false)} (${durationBetween(report.window.start, report.window.end)})</dd></div>
<div><dt>Generated</dt><dd>${fmtTime(report.generatedAt)}</dd></div>
</dl>
</header>
<main>
${
  causes.length > 0
    ? html`<section class="causes" aria-labelledby="h-causes">
<h2 id="h-causes">${v === 'healthy' ? causesTitle(v, causes.length) : causes.length > 1 ? `Root cause (most probable of ${causes.length})` : 'Root cause'}</h2>
${(v === 'healthy' ? causes : causes.slice(0, 1)).map((c, i) => causeHtml(c, i, nextId))}
</section>`
    : html`<section class="causes" aria-labelledby="h-causes">
<h2 id="h-causes">${v === 'healthy' ? 'No fault found' : 'No root cause found'}</h2>
<p>${healthy ? healthy.summary : v === 'inconclusive' ? 'Nothing wrong was found in what could be checked, but some steps could not be checked: see "Could not verify" below.' : 'No root cause in the report.'}</p>
${healthy && healthy.evidence.length > 0 ? html`<ul class="evidence">${healthy.evidence.map((e) => html`<li>${e}</li>`)}</ul>` : null}
</section>`
}
${timelineSection(report)}
${
  v !== 'healthy' && causes.length > 1
    ? html`<section class="causes more" aria-labelledby="h-more">
<h2 id="h-more">Other causes, most probable first (${causes.length - 1})</h2>
${causes.slice(1).map((c, i) => causeHtml(c, i + 1, nextId))}
</section>`
    : null
}
<section class="steps" id="steps" aria-labelledby="h-steps">
<h2 id="h-steps">The nine playbook steps</h2>
<ol class="step-list">${report.steps.map((s) => stepHtml(s))}</ol>
</section>
${unverifiedSection(report)}
</main>
<footer>
<p>Generated ${fmtTime(report.generatedAt)} by ${report.tool.name} ${report.tool.version} · report schema ${Number(report.schemaVersion) || 1}${report.stats ? ` · ${plural(report.stats.apiCalls, 'API call')} in ${fmtDuration(report.stats.durationMs)}` : ''}. Read-only: trail-doctor changes nothing in the account.</p>
</footer>
<script>${trusted(SCRIPT)}</script>
</body>
</html>
`;
  return page.value;
}

/** Display cap for a name in a heading; the full value is in the ARN line and the JSON report. */
function capped(s: string, max: number): string {
  const line = inertLine(s, 100_000);
  return line.length <= max ? line : line.slice(0, max - 1) + '…';
}

const VERDICT_WORD: Record<string, string> = { healthy: 'Healthy', problem: 'Problem', inconclusive: 'Inconclusive' };

function causeHtml(c: RootCause, i: number, nextId: (p: string) => string): SafeHtml {
  const tr = c.trigger;
  const rem = c.remediation;
  return html`<article class="cause cause-${c.confidence}${i === 0 ? ' primary' : ''}" aria-labelledby="cause-${i}">
<h3 id="cause-${i}"><code class="cause-id">${c.id}</code> <span class="chip conf-${c.confidence}">${c.confidence}</span>${c.severity ? html` <span class="chip sev-${c.severity}">${c.severity}</span>` : null}</h3>
<p class="summary">${c.summary}</p>
${
  tr
    ? html`<div class="trigger">
<h4>Trigger</h4>
<dl>
<div><dt>What</dt><dd><strong class="trigger-event">${tr.eventName}</strong></dd></div>
<div><dt>Who</dt><dd><code>${breakable(actorText(tr.actor))}</code></dd></div>
<div><dt>When</dt><dd>${fmtTime(tr.eventTime)}</dd></div>
${tr.sourceIPAddress ? html`<div><dt>From</dt><dd><code>${tr.sourceIPAddress}</code></dd></div>` : null}
<div><dt>Seen in</dt><dd>${SOURCE_WORD[tr.source] ?? tr.source}</dd></div>
</dl>
${tr.requestParameters !== undefined ? html`<details><summary>Request parameters</summary><pre>${boundedJson(tr.requestParameters, 4_000)}</pre></details>` : null}
</div>`
    : null
}
${
  rem && (rem.summary || rem.commands.length > 0 || rem.policy !== undefined)
    ? html`<div class="fix">
<h4>Fix</h4>
${rem.summary ? html`<p>${rem.summary}</p>` : null}
${
  rem.policy !== undefined
    ? (() => {
        const id = nextId('policy');
        return html`<details class="policy"><summary>Corrected policy document</summary><div class="cmd"><pre><code id="${id}">${boundedJson(rem.policy, POLICY_MAX)}</code></pre><button type="button" class="copy" data-copy="${id}" hidden aria-label="Copy policy document">Copy</button></div></details>`;
      })()
    : null
}
${rem.commands.map((cmd) => {
  const id = nextId('cmd');
  return html`<div class="cmd"><pre><code id="${id}">${cmd}</code></pre><button type="button" class="copy" data-copy="${id}" hidden aria-label="Copy command">Copy</button></div>`;
})}
</div>`
    : null
}
${
  c.evidence.length > 0
    ? html`<details class="chain"${i === 0 ? trusted(' open') : null}><summary>Evidence chain (${c.evidence.length})</summary><ol class="evidence">${c.evidence.map((e) => html`<li>${e}</li>`)}</ol></details>`
    : null
}
</article>`;
}


function timelineSection(report: Report): SafeHtml | null {
  const t = report.timeline;
  if (!t) return null;
  const changes = [...t.changes].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  const listed = changes.slice(-MAX_CHANGES_LISTED);
  // One chronological list: gap windows, logging start/stop, configuration changes.
  const rows: { at: number; row: SafeHtml }[] = [
    ...t.gaps.map((g) => ({
      at: Date.parse(g.start),
      row: html`<tr class="row-gap"><td>${fmtTime(g.start, false)} → ${fmtTime(g.end, false)}</td><td>Gap in ${g.destination === 'cloudwatch-logs' ? 'CloudWatch Logs' : 'S3'} delivery</td><td>${durationBetween(g.start, g.end)}</td></tr>`,
    })),
    ...(t.startLoggingTime ? [{ at: Date.parse(t.startLoggingTime), row: html`<tr><td>${fmtTime(t.startLoggingTime)}</td><td>Trail started logging</td><td></td></tr>` }] : []),
    ...(t.stopLoggingTime ? [{ at: Date.parse(t.stopLoggingTime), row: html`<tr><td>${fmtTime(t.stopLoggingTime)}</td><td>Trail stopped logging</td><td></td></tr>` }] : []),
    ...listed.map((c) => ({
      at: Date.parse(c.time),
      row: html`<tr${c.isTrigger ? trusted(' class="row-trigger"') : null}><td>${fmtTime(c.time)}</td><td>${c.eventName}${c.isTrigger ? ' (trigger)' : ''}</td><td><code>${breakable(actorText(c.actor))}</code>${c.sourceIPAddress ? html` from <code>${breakable(c.sourceIPAddress)}</code>` : null}</td></tr>`,
    })),
  ].map((r) => ({ at: Number.isFinite(r.at) ? r.at : 0, row: r.row }));
  return html`<section class="timeline-section" aria-labelledby="h-timeline">
<h2 id="h-timeline">Delivery timeline</h2>
<p class="hint">Bars: what was delivered per ${fmtDuration(t.intervalMinutes * 60_000)}. Shaded: gap windows. Diamonds: configuration changes (hover for who and when); the trigger is red.</p>
<p class="scroll-hint">The chart is wider than this screen: scroll it sideways.</p>
<figure class="chart"><div class="chart-scroll" tabindex="0" aria-label="Delivery timeline, scrolls sideways">${timelineSvg(t)}</div>
<figcaption class="legend" aria-hidden="true"><span class="key key-s3"></span>S3 log files <span class="key key-cwl"></span>CloudWatch Logs events${t.accessLogs ? html` <span class="key key-access"></span>write attempts (access logs) <span class="key key-refused"></span>refused` : null}${t.metrics.length > 0 ? html` <span class="key key-metric"></span>metrics` : null} <span class="key key-gap"></span>gap <span class="key key-change"></span>change <span class="key key-trigger"></span>trigger <span class="key key-now"></span>now</figcaption>
</figure>
${timelineTable(t)}
${
  t.gaps.length > 0 || listed.length > 0 || t.startLoggingTime || t.stopLoggingTime
    ? html`<div class="table-scroll"><table class="events">
<caption>Gaps and changes on the timeline</caption>
<thead><tr><th scope="col">When (UTC)</th><th scope="col">What</th><th scope="col">Who / how long</th></tr></thead>
<tbody>
${rows.sort((a, b) => a.at - b.at).map((r) => r.row)}
${changes.length > listed.length ? html`<tr><td colspan="3">… and ${changes.length - listed.length} earlier changes (see the JSON report)</td></tr>` : null}
</tbody></table></div>`
    : null
}
</section>`;
}

/**
 * Long tokens may break after '/', '@', ',' (and after ':' in an ARN) only, so table cells wrap at
 * those boundaries instead of mid-word.
 */
export function breakable(s: string): SafeHtml {
  const at = s.startsWith('arn:') ? /(?<=[:/@,])/ : /(?<=[/@,])/;
  return html`${s.split(at).map((part, i) => (i === 0 ? html`${part}` : html`${trusted('<wbr>')}${part}`))}`;
}

function stepHtml(s: StepReport): SafeHtml {
  const status = STATUS_MARK[s.status] ? s.status : 'unknown';
  return html`<li class="step status-${status}">
<div class="step-head"><span class="status" title="${STATUS_LABEL[status]}"><span aria-hidden="true">${STATUS_MARK[status]}</span> ${STATUS_LABEL[status]}</span> <h3><span class="step-no">${Number(s.step) || '?'}.</span> ${s.title}</h3></div>
<p class="step-summary">${s.summary}</p>
${hasDetails(s.details) ? html`<details><summary>Details</summary><pre>${boundedJson(s.details, STEP_DETAILS_MAX)}</pre></details>` : null}
</li>`;
}

function unverifiedSection(report: Report): SafeHtml | null {
  if (report.unverified.length === 0) return null;
  return html`<section class="unverified" aria-labelledby="h-unverified">
<h2 id="h-unverified">Could not verify</h2>
<p>trail-doctor could not see these. Grant the listed permissions (read-only) and run it again.</p>
<div class="table-scroll"><table>
<thead><tr><th scope="col">Step</th><th scope="col">What</th><th scope="col">Needs</th><th scope="col">Why</th></tr></thead>
<tbody>${report.unverified.map((u) => html`<tr><td>${Number(u.step) || '?'}</td><td>${u.what}</td><td><code>${breakable(u.needs)}</code></td><td>${u.reason ?? ''}</td></tr>`)}</tbody>
</table></div>
</section>`;
}

const CSS = `
:root{--fg:#1b1f24;--muted:#57606a;--bg:#fff;--panel:#f6f8fa;--line:#d0d7de;--ok:#1a7f37;--ok-bg:#dafbe1;--bad:#b42318;--bad-bg:#ffebe9;--warn:#9a6700;--warn-bg:#fff8c5;--skip:#57606a;--skip-bg:#eaeef2;--s3:#0969da;--cwl:#8250df;--metric:#bc4c00;--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Liberation Sans",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header.top,main,footer{max-width:1080px;margin:0 auto;padding:0 24px}
header.top{padding-top:20px;padding-bottom:16px;border-bottom:1px solid var(--line);overflow-wrap:anywhere}
.skip{position:absolute;left:-9999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px 8px;z-index:1}
.eyebrow{margin:0 0 4px;color:var(--muted);font-size:13px;letter-spacing:.02em}
h1{font-size:26px;line-height:1.25;margin:0 0 8px;display:flex;flex-wrap:wrap;align-items:center;gap:10px}
.trail-name{font-weight:600;min-width:0}
.verdict-badge{display:inline-block;padding:3px 12px;border-radius:999px;font-size:18px;font-weight:700;white-space:nowrap}
.verdict-healthy .verdict-badge{background:var(--ok-bg);color:var(--ok);border:1px solid var(--ok)}
.verdict-problem .verdict-badge{background:var(--bad-bg);color:var(--bad);border:1px solid var(--bad)}
.verdict-inconclusive .verdict-badge{background:var(--warn-bg);color:var(--warn);border:1px solid var(--warn)}
.headline{font-size:18px;margin:0 0 12px;font-weight:500}
.meta{display:flex;flex-wrap:wrap;gap:4px 28px;margin:0;font-size:13px}
.meta div{display:flex;gap:6px;min-width:0}.meta .wide{flex-basis:100%}
.meta dt{color:var(--muted);flex-shrink:0;white-space:nowrap}.meta dd{margin:0;min-width:0}
h2{font-size:20px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:16px;margin:0}
h4{font-size:13px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);margin:14px 0 6px}
code,pre{font-family:var(--mono);font-size:13px}
pre{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
.cause{border:1px solid var(--line);border-radius:8px;padding:14px 18px;margin:0 0 14px;background:var(--bg);overflow-wrap:anywhere}
.cause.primary{border-left:5px solid var(--bad)}
.cause.primary.cause-possible{border-left-color:var(--warn)}
.cause h3{display:flex;flex-wrap:wrap;align-items:center;gap:8px}
.cause-id{font-size:15px;font-weight:700}
.summary{font-size:16px;margin:8px 0 0}
.chip{font-size:12px;font-weight:600;border-radius:999px;padding:1px 9px;border:1px solid var(--line);background:var(--panel)}
.conf-confirmed{color:var(--bad);border-color:var(--bad);background:var(--bad-bg)}
.conf-likely{color:var(--warn);border-color:var(--warn);background:var(--warn-bg)}
.trigger dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:0}
.trigger dl div{display:contents}.trigger dt{color:var(--muted)}.trigger dd{margin:0;min-width:0}
.trigger-event{color:var(--bad)}
.cmd{position:relative;background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:10px 72px 10px 12px;margin:6px 0}
.cmd pre{white-space:pre-wrap;overflow-wrap:anywhere}
.copy{position:absolute;top:6px;right:6px;font:600 12px system-ui,sans-serif;padding:4px 10px;border:1px solid var(--line);border-radius:6px;background:#fff;color:var(--fg);cursor:pointer}
.copy:hover{background:var(--skip-bg)}.copy:focus-visible{outline:2px solid var(--s3);outline-offset:1px}
details{margin:8px 0}summary{cursor:pointer;color:var(--s3);font-weight:500}
.evidence{margin:6px 0 0;padding-left:22px}.evidence li{margin:2px 0}
.chart{margin:0;border:1px solid var(--line);border-radius:8px;padding:10px 10px 6px}
.timeline{display:block;width:100%;height:auto;font-family:system-ui,sans-serif}
.timeline .lane-bg{fill:#fbfcfd}
.timeline .baseline{stroke:#8c959f;stroke-width:1}
.timeline .tick line{stroke:#eaeef2;stroke-width:1}
.timeline .tick text{font-size:11px;fill:var(--muted)}
.timeline .lane-label{font-size:13px;font-weight:600;fill:var(--fg)}
.timeline .lane-sub{font-size:11px;fill:var(--muted)}
.timeline .nodata{font-size:12px;fill:var(--muted);font-style:italic}
.bar-s3 rect{fill:var(--s3)}.bar-cwl rect{fill:var(--cwl)}.bar-metric rect{fill:var(--metric)}
.bar-access rect{fill:#8c959f}.bar-refused rect{fill:var(--bad)}.access-unknown rect{fill:#eaeef2;opacity:.7}
.gap-fill{fill:url(#hatch);stroke:none}
.hatch-bg{fill:#ffebe9}.hatch-line{stroke:#ff8182;stroke-width:3}
.gap-edge{stroke:var(--bad);stroke-width:1.5;stroke-dasharray:3 2}
.gap-label{font-size:12px;font-weight:600;fill:var(--bad)}
.change line{stroke:#6e7781;stroke-width:1;stroke-dasharray:2 3}
.change path{fill:#6e7781}
.change.trigger line{stroke:var(--bad);stroke-width:2;stroke-dasharray:none}
.change.trigger path{fill:var(--bad);stroke:#fff;stroke-width:1}
.change.trigger text{font-size:12px;font-weight:700;fill:var(--bad)}
.logmark line{stroke:#1a7f37;stroke-width:1.5;stroke-dasharray:6 3}.logmark text{font-size:11px;fill:#1a7f37;font-weight:600}
.stop-logging line{stroke:#9a6700}.stop-logging text{fill:#9a6700}
.now line{stroke:var(--fg);stroke-width:1.5}.now text{font-size:11px;font-weight:700;fill:var(--fg)}
.legend{font-size:12px;color:var(--muted);padding:6px 4px 0;display:flex;flex-wrap:wrap;gap:4px 10px;align-items:center}
.key{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:-2px;margin-right:-4px}
.key-s3{background:var(--s3)}.key-cwl{background:var(--cwl)}.key-metric{background:var(--metric)}.key-access{background:#8c959f}.key-refused{background:var(--bad)}
.key-gap{background:repeating-linear-gradient(45deg,#ffebe9 0 3px,#ff8182 3px 5px);border:1px dashed var(--bad)}
.key-change{background:#6e7781;transform:rotate(45deg) scale(.75)}.key-trigger{background:var(--bad);transform:rotate(45deg) scale(.75)}
.key-now{width:2px;background:var(--fg)}
.hint{color:var(--muted);font-size:13px;margin:0 0 8px}
table{border-collapse:collapse;width:100%;font-size:13px;margin:10px 0}
caption{text-align:left;font-weight:600;padding:4px 0}
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top;overflow-wrap:break-word;word-break:normal}
.table-scroll{overflow-x:auto;max-width:100%}
.chart{margin:0}.chart-scroll{overflow-x:auto;max-width:100%}
.scroll-hint{display:none;color:var(--muted);font-size:13px;margin:0 0 6px}
thead th{background:var(--panel)}
.row-trigger td{color:var(--bad);font-weight:600}.row-gap td{background:#fff5f5}
.step-list{list-style:none;padding:0;margin:0}
.step{border:1px solid var(--line);border-left-width:5px;border-radius:6px;padding:8px 14px;margin:0 0 8px;overflow-wrap:anywhere}
.step-head{display:flex;align-items:baseline;gap:12px;flex-wrap:wrap}
.step-no{color:var(--muted)}
.status{font-size:12px;font-weight:700;border-radius:999px;padding:1px 9px;white-space:nowrap}
.status-ok{border-left-color:var(--ok)}.status-ok .status{background:var(--ok-bg);color:var(--ok)}
.status-problem{border-left-color:var(--bad)}.status-problem .status{background:var(--bad-bg);color:var(--bad)}
.status-unknown{border-left-color:var(--warn)}.status-unknown .status{background:var(--warn-bg);color:var(--warn)}
.status-skipped{border-left-color:#8c959f}.status-skipped .status{background:var(--skip-bg);color:var(--skip)}
.step-summary{margin:4px 0 0}
.step details{margin:4px 0 2px}
.step pre,.trigger pre{background:var(--panel);border-radius:6px;padding:8px 10px;max-height:24em;overflow:auto}
.unverified code{color:var(--bad)}
footer{color:var(--muted);font-size:12px;border-top:1px solid var(--line);margin-top:32px;padding-top:10px;padding-bottom:24px}
.visually-hidden{position:absolute!important;width:1px!important;height:1px!important;padding:0!important;margin:-1px!important;overflow:hidden!important;clip:rect(0 0 0 0)!important;white-space:nowrap!important;border:0!important}
@media (max-width:640px){header.top,main,footer{padding-left:12px;padding-right:12px}h1{font-size:21px}.timeline .lane-label{font-size:15px}}
@media screen and (max-width:720px){.timeline{min-width:880px}.timeline .tick text,.timeline .lane-sub,.now text,.logmark text{font-size:12.5px}.gap-label,.change.trigger text{font-size:13.5px}.scroll-hint{display:block}}
@media print{
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{font-size:10.5pt}
header.top,main,footer{max-width:none;padding:0}
.copy,.skip{display:none!important}
.cmd{padding-right:12px}
.cause,.step,.chart,table{break-inside:avoid}
h2{break-after:avoid}
.chart-scroll,.table-scroll{overflow:visible}.timeline{min-width:0}.scroll-hint{display:none!important}
details>summary{color:var(--fg)}
.step pre,.trigger pre{max-height:none;overflow:visible}
}
`;
