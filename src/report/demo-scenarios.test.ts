import MarkdownIt from 'markdown-it';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { render } from './index.js';
import { shellWords } from './shell-wrap.js';
import { inertText } from '../util/text.js';
import { SCENARIOS } from '../demo/scenarios.js';
import { diagnose } from '../diagnosis/index.js';

/**
 * Every renderer over the report of every demo scenario (the real diagnosis of realistic evidence):
 * a snapshot of the terminal report plus the invariants each format must keep.
 */
const gfm = new MarkdownIt({ html: true });

describe.each(SCENARIOS.map((s) => [s.id, s] as const))('reports of demo scenario %s', (_id, scenario) => {
  const report = diagnose(scenario.evidence());

  it('text: verdict, nine steps, fits 80 columns (commands and policies excepted), snapshot', () => {
    const out = render(report, 'text', { color: false });
    const lines = out.replace(/\n$/, '').split('\n');
    expect(lines.some((l) => l.startsWith(`${{ healthy: '✓', problem: '✗', inconclusive: '?' }[report.verdict]} ${report.verdict.toUpperCase()}`))).toBe(true);
    expect(lines.filter((l) => /^ {2}[✓✗?–] [1-9] /.test(l))).toHaveLength(9);
    const commands = report.rootCauses.flatMap((c) => c.remediation.commands.map((x) => inertText(x)));
    for (const l of lines) {
      if (stringWidth(l) <= 80) continue;
      const policyLine = /^ {7,}("|[[\]{}])/.test(l);
      const oneWord = shellWords(l.trim().replace(/ \\$/, '')).length === 1;
      const verbatim = commands.some((c) => c.includes('\n') && c.includes(l.trim()));
      expect(policyLine || oneWord || verbatim, JSON.stringify(l)).toBe(true);
    }
    for (const c of report.rootCauses.filter((x) => x.id !== 'healthy')) expect(out).toContain(`. ${c.id} (${c.confidence}`);
    expect(out).toMatchSnapshot();
  });

  it('json: the report itself, parsed back', () => {
    const doc = JSON.parse(render(report, 'json', { color: false }));
    expect(doc).toEqual(JSON.parse(JSON.stringify(report)));
    expect(doc.steps).toHaveLength(9);
  });

  it('markdown: well-formed tables, commands in fences, verdict heading', () => {
    const out = gfm.render(render(report, 'markdown', { color: false }));
    expect(out).toMatch(new RegExp(`<h2>. trail-doctor: ${report.verdict.toUpperCase()}`));
    for (const t of out.matchAll(/<table>([\s\S]*?)<\/table>/g)) {
      const shape = [...t[1]!.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => (r[1]!.match(/<t[hd][ >]/g) ?? []).length);
      expect(new Set(shape).size).toBe(1);
    }
    const fenced = [...out.matchAll(/<pre><code class="language-sh">([\s\S]*?)<\/code><\/pre>/g)].length;
    expect(fenced).toBe(report.rootCauses.filter((c) => c.id !== 'healthy' && c.remediation.commands.length > 0).length);
  });

  it('html: self-contained, one script, trigger and gaps drawn when the report has them', () => {
    const out = render(report, 'html', { color: false });
    expect(out.match(/<script\b/g)).toHaveLength(1);
    expect(out).not.toMatch(/\b(src|srcset|action)\s*=|url\((?!#)|@import/i);
    expect(out).toContain(`data-verdict="${report.verdict}"`);
    const t = report.timeline;
    if (t) {
      expect(out).toContain('<svg class="timeline"');
      if (t.changes.some((c) => c.isTrigger && c.time >= t.start && c.time <= t.end)) expect(out).toContain('<g class="change trigger"');
      const drawable = t.gaps.filter((g) => g.end >= t.start && g.start <= t.end).length;
      expect((out.match(/<g class="gap" /g) ?? []).length).toBe(drawable);
    }
  });
});
