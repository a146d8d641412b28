import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { render } from './index.js';
import { html, trusted } from './html-template.js';
import { axisTicks } from './timeline-svg.js';
import { HOSTILE, series, healthyReport, hostileReport, inconclusiveReport, loggingStoppedReport, problemReport } from '../../test/support/reports.js';

const page = (r = problemReport()) => render(r, 'html', { color: false });
const scripts = (s: string) => [...s.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)].map((m) => m[1]!);

describe('html tagged template', () => {
  it('escapes interpolations by default and passes only SafeHtml through', () => {
    const evil = '<img src=x onerror="alert(1)">&\'`';
    const out = html`<p title="${evil}">${evil}${html`<b>${evil}</b>`}${[evil, trusted('<i>ok</i>')]}${null}${undefined}${false}${3}</p>`.value;
    expect(out).toBe(
      '<p title="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;&#96;">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;&#96;' +
        '<b>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;&#96;</b>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;&#96;<i>ok</i>3</p>',
    );
  });
});

describe('HTML report', () => {
  it('is one self-contained document: no URL that a browser would fetch', () => {
    const out = page();
    expect(out.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(out).not.toMatch(/\b(src|srcset|action|poster|data)\s*=/i);
    expect(out).not.toMatch(/url\((?!#)/i); // only url(#hatch), a fragment inside the SVG
    expect(out).not.toMatch(/@import|@font-face/i);
    const hrefs = [...out.matchAll(/href\s*=\s*"([^"]*)"/gi)].map((m) => m[1]);
    expect(hrefs.every((h) => h!.startsWith('#'))).toBe(true);
  });

  it('declares a strict CSP first in <head> that allows exactly its one inline script by hash', () => {
    const out = page();
    const head = out.slice(out.indexOf('<head>'), out.indexOf('</head>'));
    expect(head.indexOf('http-equiv="Content-Security-Policy"')).toBeLessThan(head.indexOf('<title>'));
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(head)![1]!.replace(/&#39;/g, "'");
    expect(csp).toMatch(/^default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-[A-Za-z0-9+/=]+'/);
    const [script, ...more] = scripts(out);
    expect(more).toEqual([]);
    const hash = createHash('sha256').update(script!, 'utf8').digest('base64');
    expect(csp).toContain(`'sha256-${hash}'`);
    expect(out).not.toMatch(/\son[a-z]+\s*=/i); // no inline event handlers (CSP would block them anyway)
  });

  it('puts verdict, root cause, trigger and remediation with copy buttons at the top', () => {
    const out = page();
    const main = out.indexOf('<main>');
    expect(out.indexOf('data-verdict="problem"')).toBeLessThan(main);
    expect(out).toContain('<p class="headline" id="headline">Bucket policy of acme-trail-logs no longer allows');
    const cause = out.indexOf('s3-bucket-policy-denies');
    const timeline = out.indexOf('id="h-timeline"');
    const steps = out.indexOf('id="h-steps"');
    expect(cause).toBeLessThan(timeline);
    expect(timeline).toBeLessThan(steps);
    // the other, less probable causes come after the timeline, before the steps
    const other = out.indexOf('id="h-more"');
    expect(other).toBeGreaterThan(timeline);
    expect(out.indexOf('log-file-validation-disabled</code>')).toBeGreaterThan(other);
    expect(other).toBeLessThan(steps);
    expect(out).toContain('<strong class="trigger-event">PutBucketPolicy</strong>');
    expect(out).toContain('arn:aws:iam::123456789012:user/bob');
    expect((out.match(/<button type="button" class="copy" data-copy="/g) ?? []).length).toBe(4); // 3 commands + 1 policy
    for (const m of out.matchAll(/data-copy="([^"]+)"/g)) expect(out).toContain(`id="${m[1]}"`);
  });

  it('draws the delivery timeline: lanes, gap windows, change markers, trigger, now, logging markers', () => {
    const out = page(loggingStoppedReport());
    const svg = out.slice(out.indexOf('<svg'), out.indexOf('</svg>'));
    expect(svg).toContain('role="img"');
    expect(svg).toContain('aria-labelledby="tl-title tl-desc"');
    expect(svg).toMatch(/<desc id="tl-desc">[^<]*Gap in CloudWatch Logs delivery from 2026-11-18 02:00 UTC to 2026-11-18 07:30 UTC \(5h 30m\)/);
    expect((svg.match(/<g class="gap" data-destination="cloudwatch-logs">/g) ?? []).length).toBe(2);
    expect((svg.match(/<g class="gap" data-destination="s3">/g) ?? []).length).toBe(1);
    expect(svg).toMatch(/<g class="change trigger" data-event="StopLogging"><title>StopLogging by arn:aws:sts::123456789012:assumed-role\/Admin\/carol at 2026-11-22 09:00:00 UTC/);
    expect(svg).toContain('<g class="logmark start-logging">');
    expect(svg).toContain('<g class="logmark stop-logging">');
    expect(svg).toContain('<g class="now">');
    expect(svg).toContain('lane-m0'); // the metric series
    // text alternative: the per-interval table, hidden visually, with one row per interval
    const table = out.slice(out.indexOf('<div class="visually-hidden">'));
    expect((table.slice(0, table.indexOf('</table>')).match(/<tr><th scope="row">/g) ?? []).length).toBe(168);
  });

  it('handles a report without a timeline or with empty series', () => {
    const r = healthyReport();
    delete r.timeline;
    expect(page(r)).not.toContain('<svg');
    const inc = page(inconclusiveReport());
    expect(inc).toContain('>no data</text>');
    expect(inc).toContain('id="h-unverified"');
    expect(inc).toContain('<code>s3:GetBucketPolicy</code>');
  });

  it('escapes everything from the account: hostile names render as text', () => {
    const out = page(hostileReport());
    // the only <script> is ours; no element or attribute came from the data
    expect(scripts(out)).toHaveLength(1);
    expect(out).not.toMatch(/<img/i);
    // no tag carries an event-handler attribute (attribute names, with quoted values removed)
    for (const tag of out.match(/<[a-z][^>]*>/gi) ?? []) expect(tag.replace(/"[^"]*"/g, '""'), tag).not.toMatch(/\son[a-z]+\s*=/i);
    expect(out).toContain('&lt;script&gt;window.__pwned=1;alert(1)&lt;/script&gt;');
    expect(out).toContain('&quot;&gt;&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;');
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(out).toContain('REDa|b|c');
    // every attribute value is a well-formed quoted string: count quotes inside tags
    for (const tag of out.match(/<[a-z][^>]*>/gi) ?? []) expect((tag.match(/"/g) ?? []).length % 2, tag).toBe(0);
    expect(HOSTILE.script).toContain('<script>'); // the fixture really is hostile
  });

  it('bounds the chart and its data table on a long, fine-grained timeline', () => {
    const r = problemReport();
    const t = r.timeline!;
    t.start = r.window.start = '2026-10-25T04:00:00Z';
    t.intervalMinutes = 5;
    t.s3 = series(() => 3, t.start, t.end, 5);
    t.cloudwatchLogs = series(() => 40, t.start, t.end, 5);
    expect(t.s3.length).toBe(8_640);
    const out = page(r);
    const lane = (k: string) => out.slice(out.indexOf(`<g class="lane lane-${k}">`), out.indexOf('</g>\n', out.indexOf(`<g class="bar-`, out.indexOf(`<g class="lane lane-${k}">`))));
    expect((lane('s3').match(/<rect x=/g) ?? []).length).toBeLessThanOrEqual(240);
    const table = out.slice(out.indexOf('<div class="visually-hidden">'));
    expect((table.slice(0, table.indexOf('</table>')).match(/<tr><th scope="row">/g) ?? []).length).toBeLessThanOrEqual(200);
    expect(out).toContain('Delivery per 3h 40m interval'); // 8,640 five-minute points in 197 rows of 44
    expect(out.length).toBeLessThan(300_000);
  });

  it('bounds the size of step details', () => {
    const r = problemReport();
    r.steps[0]!.details = { huge: 'y'.repeat(100_000) };
    const out = page(r);
    expect(out.length).toBeLessThan(200_000);
    expect(out).toContain('more characters)');
  });

  it('matches the snapshot of its <main> for the problem report', () => {
    const out = page();
    const main = out.slice(out.indexOf('<main>'), out.indexOf('</main>') + 7);
    // the chart's bars are data: keep the snapshot readable by counting them instead
    const bars = (main.match(/<rect x=/g) ?? []).length;
    expect(bars).toBeGreaterThan(200);
    expect(main.replace(/<rect x="[^"]*" y="[^"]*" width="[^"]*" height="[^"]*"><title>[^<]*<\/title><\/rect>/g, '')).toMatchSnapshot();
  });
});

describe('axisTicks', () => {
  it('picks UTC-aligned ticks: days over a week, hours over a day', () => {
    const week = axisTicks(Date.parse('2026-11-17T04:00:00Z'), Date.parse('2026-11-24T04:00:00Z'));
    expect(week.map((t) => t.label)).toEqual(['Nov 18', 'Nov 19', 'Nov 20', 'Nov 21', 'Nov 22', 'Nov 23', 'Nov 24']);
    const day = axisTicks(Date.parse('2026-11-23T04:00:00Z'), Date.parse('2026-11-24T04:00:00Z'));
    expect(day[0]!.label).toBe('06:00');
    expect(day.some((t) => t.label === 'Nov 24')).toBe(true);
    expect(axisTicks(5, 5)).toEqual([]);
  });
});
