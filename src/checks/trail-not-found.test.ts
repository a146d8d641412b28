import { describe, expect, it } from 'vitest';
import { check } from './trail-not-found.js';
import { ACCOUNT, healthyEvidence, TRAIL_ARN } from '../evidence/builder.js';
import { absent, denied, ok } from '../evidence/probe.js';
import type { Evidence } from '../evidence/schema.js';
import { contextOf } from './util.js';

const run = (mut?: (e: Evidence) => void) => {
  const e = healthyEvidence();
  mut?.(e);
  return check.run(contextOf(e));
};
const notFound = (asked: string, trails: { name: string; arn: string; homeRegion?: string }[]) => (e: Evidence) => {
  e.target.trail = asked;
  e.steps.s1.trail = absent('Unknown trail', { errorCode: 'TrailNotFoundException' });
  e.steps.s1.trailsInRegion = ok(trails);
};

describe('trail-not-found', () => {
  it('finds nothing on the healthy fixture', () => {
    expect(run()).toEqual({ findings: [], unverified: [] });
  });

  it('confirms a missing trail and suggests close names (did you mean)', () => {
    const other = `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/security-audit`;
    const r = run(notFound('mian', [{ name: 'main', arn: TRAIL_ARN }, { name: 'security-audit', arn: other }]));
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f).toMatchObject({ id: 'trail-not-found', confidence: 'confirmed' });
    expect(f.summary).toContain('Did you mean main');
    expect(f.data?.suggestions).toEqual([TRAIL_ARN]);
    expect(f.remediation.commands).toContain('aws cloudtrail describe-trails --include-shadow-trails --region eu-west-1');
    expect(f.evidence[0]).toMatch(/^step 1: /);
  });

  it('a same-named shadow trail from another home region is named by its full ARN', () => {
    const shadow = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org`;
    const f = run(notFound('org', [{ name: 'org', arn: shadow, homeRegion: 'us-east-1' }])).findings[0]!;
    expect(f.evidence.join('\n')).toContain(`exists as ${shadow} (home region us-east-1): use its full ARN`);
    expect(f.summary).toContain('Did you mean org (shadow of a trail in us-east-1)?');
    expect(f.remediation.commands.join('\n')).toContain(`aws cloudtrail get-trail-status --name ${shadow}`);
  });

  it('a bare name mentions that organization trails from a member account need the full ARN', () => {
    const f = run(notFound('org-trail', [])).findings[0]!;
    expect(f.evidence.join('\n')).toMatch(/organization trail seen from a member account.*full ARN/);
  });

  it('with no trail at all, remediation creates and starts one', () => {
    const f = run(notFound('main', [])).findings[0]!;
    expect(f.remediation.commands.some((c) => c.startsWith('aws cloudtrail create-trail --name main'))).toBe(true);
    expect(f.remediation.commands).toContain('aws cloudtrail start-logging --name main --region eu-west-1');
  });

  it('GetTrail denied is unverified, never "not found"', () => {
    const r = run((e) => {
      e.steps.s1.trail = denied('cloudtrail:GetTrail', 'User is not authorized', { errorCode: 'AccessDeniedException' });
    });
    expect(r.findings).toEqual([]);
    expect(r.unverified).toEqual([expect.objectContaining({ step: 1, needs: 'cloudtrail:GetTrail' })]);
  });

  it('DescribeTrails denied still confirms the absence but reports the missing suggestions', () => {
    const r = run((e) => {
      notFound('main', [])(e);
      e.steps.s1.trailsInRegion = denied('cloudtrail:DescribeTrails', 'denied');
    });
    expect(r.findings[0]?.confidence).toBe('confirmed');
    expect(r.unverified).toEqual([expect.objectContaining({ needs: 'cloudtrail:DescribeTrails' })]);
  });

  it('untrusted trail names are quoted in commands, never shell syntax', () => {
    const f = run(notFound('x', [{ name: 'x;rm -rf', arn: 'arn:aws:cloudtrail:eu-west-1:1:trail/x;rm -rf' }])).findings[0]!;
    expect(f.remediation.commands.join('\n')).toContain("'arn:aws:cloudtrail:eu-west-1:1:trail/x;rm -rf'");
  });
});
