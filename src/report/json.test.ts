import { describe, expect, it } from 'vitest';
import { render } from './index.js';
import { HOSTILE, SAMPLE_REPORTS, hostileReport, problemReport } from '../../test/support/reports.js';

const json = (name: keyof typeof SAMPLE_REPORTS) => render(SAMPLE_REPORTS[name]!(), 'json', { color: true });

describe('JSON report (schemaVersion 1 contract)', () => {
  it('puts the contract keys first, in the documented order, then the additive fields', () => {
    const doc = JSON.parse(json('problem'));
    expect(Object.keys(doc)).toEqual([
      'schemaVersion',
      'tool',
      'generatedAt',
      'trail',
      'window',
      'verdict',
      'rootCauses',
      'steps',
      'unverified',
      'timeline',
      'stats',
    ]);
    expect(doc.schemaVersion).toBe(1);
    expect(Object.keys(doc.trail)).toEqual(['name', 'arn', 'region', 'homeRegion']);
    expect(Object.keys(doc.rootCauses[0])).toEqual(['id', 'confidence', 'summary', 'evidence', 'trigger', 'remediation', 'severity', 'title', 'data']);
    expect(Object.keys(doc.rootCauses[0].trigger).slice(0, 4)).toEqual(['eventName', 'eventTime', 'actor', 'source']);
    expect(Object.keys(doc.rootCauses[0].remediation)).toEqual(['summary', 'commands', 'policy']);
    expect(Object.keys(doc.steps[0])).toEqual(['step', 'title', 'status', 'summary', 'details']);
    expect(doc.steps.map((s: { step: number }) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('gives the same bytes whatever order the report object was built in', () => {
    const r = problemReport();
    const shuffled = Object.fromEntries(Object.entries(r).reverse()) as typeof r;
    shuffled.rootCauses = r.rootCauses.map((c) => Object.fromEntries(Object.entries(c).reverse()) as typeof c);
    expect(render(shuffled, 'json', { color: false })).toBe(render(r, 'json', { color: false }));
  });

  it('is pretty-printed and ends with a newline', () => {
    const out = json('healthy');
    expect(out.endsWith('}\n')).toBe(true);
    expect(out.split('\n')[1]).toBe('  "schemaVersion": 1,');
  });

  it('keeps every value faithful (round trip) yet is inert on a terminal', () => {
    const r = hostileReport();
    r.trail.name += '\u009b31m\u202e';
    const out = render(r, 'json', { color: false });
    expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(r)));
    // no raw escape, C1 control or bidi override byte in the output
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(out).toContain('\\u001b[31m');
    expect(out).toContain('\\u009b31m\\u202e');
    expect(JSON.parse(out).trail.name).toContain(HOSTILE.script);
  });

  it('omits optional fields that are absent instead of writing null', () => {
    const r = problemReport();
    delete r.timeline;
    delete r.stats;
    delete r.trail.arn;
    const doc = JSON.parse(render(r, 'json', { color: false }));
    expect(doc).not.toHaveProperty('timeline');
    expect(doc).not.toHaveProperty('stats');
    expect(doc.trail).not.toHaveProperty('arn');
    expect(out(doc)).not.toContain('null');
  });

  it('matches the snapshot for the problem report (series shortened)', () => {
    const r = problemReport();
    const t = r.timeline!;
    t.s3 = t.s3.slice(-3);
    t.cloudwatchLogs = t.cloudwatchLogs.slice(-3);
    expect(render(r, 'json', { color: false })).toMatchSnapshot();
  });
});

function out(v: unknown): string {
  return JSON.stringify(v);
}
