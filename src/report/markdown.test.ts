import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { render } from './index.js';
import { inertText } from '../util/text.js';
import { SAMPLE_REPORTS, hostileReport, inconclusiveReport, problemReport } from '../../test/support/reports.js';

// GitHub lets raw HTML through (sanitised); parse with HTML on so that an escaping slip would show.
const gfm = new MarkdownIt({ html: true, linkify: true });
const markdown = (r = problemReport()) => render(r, 'markdown', { color: true });

/** Cells per row of every table in the rendered HTML. */
function tableShapes(htmlOut: string): number[][] {
  return [...htmlOut.matchAll(/<table>([\s\S]*?)<\/table>/g)].map((t) =>
    [...t[1]!.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => (row[1]!.match(/<t[hd][ >]/g) ?? []).length),
  );
}

function codeBlocks(htmlOut: string, lang: string): string[] {
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  return [...htmlOut.matchAll(new RegExp(`<pre><code class="language-${lang}">([\\s\\S]*?)</code></pre>`, 'g'))].map((m) => unescape(m[1]!));
}

describe('Markdown report', () => {
  it('renders verdict, root causes, trigger, fix commands and the corrected policy as GitHub would', () => {
    const out = gfm.render(markdown());
    expect(out).toMatch(/<h2>✗ trail-doctor: PROBLEM — trail main<\/h2>/);
    expect(out).toContain('<strong>Trigger:</strong> PutBucketPolicy by arn:aws:iam::123456789012:user/bob at 2026-11-23 10:03:11 UTC');
    const sh = codeBlocks(out, 'sh');
    expect(sh[0]).toBe(problemReport().rootCauses[0]!.remediation.commands.join('\n') + '\n');
    const json = codeBlocks(out, 'json');
    expect(JSON.parse(json[0]!)).toEqual(problemReport().rootCauses[0]!.remediation.policy);
    expect(out).toContain('<details><summary>Corrected policy document</summary>');
  });

  it('has tables with a consistent shape: nine steps, gaps, changes', () => {
    const shapes = tableShapes(gfm.render(markdown()));
    for (const rows of shapes) expect(new Set(rows).size).toBe(1);
    const steps = shapes.find((rows) => rows.length === 10 && rows[0] === 4);
    expect(steps).toBeDefined();
  });

  it('shows delivery as a text sparkline, with · where nothing was delivered', () => {
    const out = markdown();
    const s3 = out.split('\n').find((l) => l.startsWith('| S3 log files |'))!;
    expect(s3).toMatch(/`[▁▂▃▄▅▆▇█]+·+`/);
    const cwl = out.split('\n').find((l) => l.startsWith('| CloudWatch Logs events |'))!;
    expect(cwl).toMatch(/`[▁▂▃▄▅▆▇█]+`/);
    expect(out).toContain('| S3 | 2026-11-23 10:05 UTC | 2026-11-24 04:00 UTC | 17h 55m |');
    expect(out).toContain('| **PutBucketPolicy** (trigger) |');
  });

  it('caps long lists to fit in a ticket', () => {
    const r = inconclusiveReport();
    r.unverified = Array.from({ length: 40 }, (_, i) => ({ step: 4 as const, what: `thing ${i}`, needs: 's3:GetObject' }));
    r.timeline!.changes = Array.from({ length: 25 }, (_, i) => ({ time: `2026-11-20T0${i % 10}:00:00Z`, eventName: 'PutBucketPolicy', isTrigger: false }));
    const out = markdown(r);
    expect(out).toContain('… and 25 more');
    expect(out).toContain('… and 15 more');
    expect(out.length).toBeLessThan(20_000);
    expect(gfm.render(out)).toContain('thing 14');
    expect(gfm.render(out)).not.toContain('thing 15');
  });

  it('stays within a GitHub comment (65,536 characters) however large the report', () => {
    const r = problemReport();
    const big = r.rootCauses[0]!;
    r.rootCauses = Array.from({ length: 27 }, (_, i) => ({
      ...big,
      summary: `cause ${i} ` + 's'.repeat(3_000),
      evidence: Array.from({ length: 30 }, () => 'e'.repeat(2_000)),
      remediation: { summary: 'r'.repeat(3_000), commands: Array.from({ length: 20 }, (_, j) => `aws x ${'c'.repeat(j * 400)}`), policy: { blob: 'p'.repeat(100_000) } },
    }));
    r.unverified = Array.from({ length: 500 }, () => ({ step: 5 as const, what: 'w'.repeat(2_000), needs: 'n'.repeat(500), reason: 'y'.repeat(2_000) }));
    r.steps = r.steps.map((s) => ({ ...s, summary: 'z'.repeat(5_000) }));
    const out = markdown(r);
    expect(out.length).toBeLessThan(65_536);
    expect(out).toMatch(/… and \d+ more causes \(see the JSON or HTML report\)/);
    expect(out).toContain('# (a 2006-character command: see the JSON report)');
    expect(gfm.render(out)).toContain('cause 0 ');
  });

  it('keeps hostile account strings inert: no HTML, no table breaks, no fence escapes', () => {
    const r = hostileReport();
    const src = markdown(r);
    const out = gfm.render(src);
    expect(out).not.toMatch(/<script|<img/i);
    expect(out).toContain('&lt;script&gt;window.__pwned=1;alert(1)&lt;/script&gt;');
    expect(out).not.toMatch(/<h1>/); // "# injected heading" never became a heading
    for (const rows of tableShapes(out)) expect(new Set(rows).size).toBe(1);
    // the commands come out of their fence exactly (escape sequences stripped), nothing leaks out
    const sh = codeBlocks(out, 'sh');
    expect(sh[0]).toBe(inertText(r.rootCauses[0]!.remediation.commands.join('\n')) + '\n');
    // eslint-disable-next-line no-control-regex
    expect(src).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it('renders every sample without throwing and matches the snapshot', () => {
    for (const make of Object.values(SAMPLE_REPORTS)) expect(markdown(make()).length).toBeGreaterThan(200);
    expect(markdown()).toMatchSnapshot();
  });
});
