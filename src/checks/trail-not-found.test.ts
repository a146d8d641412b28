import { expect } from 'vitest';
import { check } from './trail-not-found.js';
import { ACCOUNT, TRAIL_ARN } from '../evidence/builder.js';
import { absent, denied, ok } from '../evidence/probe.js';
import type { Evidence } from '../evidence/schema.js';
import { testCheck } from '../../test/support/check-tester.js';

const notFound = (asked: string, trails: { name: string; arn: string; homeRegion?: string }[]) => (e: Evidence) => {
  e.target.trail = asked;
  e.steps.s1.trail = absent('Unknown trail', { errorCode: 'TrailNotFoundException' });
  e.steps.s1.trailsInRegion = ok(trails);
};
const shadow = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org`;

testCheck(check, {
  invalid: [
    {
      name: 'confirms a missing trail and suggests close names (did you mean)',
      evidence: notFound('mian', [{ name: 'main', arn: TRAIL_ARN }, { name: 'security-audit', arn: `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/security-audit` }]),
      findings: [{ confidence: 'confirmed', summary: /Did you mean main/, evidence: [/^step 1: /], match: { data: { suggestions: [TRAIL_ARN] } } }],
      assert: ({ findings: [f] }) => {
        expect(f!.data?.suggestions).toEqual([TRAIL_ARN]);
        expect(f!.remediation.commands).toContain('aws cloudtrail describe-trails --include-shadow-trails --region eu-west-1');
        expect(f!.evidence[0]).toMatch(/^step 1: /);
      },
    },
    {
      name: 'a same-named shadow trail from another home region is named by its full ARN',
      evidence: notFound('org', [{ name: 'org', arn: shadow, homeRegion: 'us-east-1' }]),
      findings: [{ confidence: 'confirmed', evidence: [new RegExp(`exists as ${shadow} \\(home region us-east-1\\): use its full ARN`)] }],
      assert: ({ findings: [f] }) => {
        expect(f!.evidence.join('\n')).toContain(`exists as ${shadow} (home region us-east-1): use its full ARN`);
        expect(f!.summary).toContain('Did you mean org (shadow of a trail in us-east-1)?');
        expect(f!.remediation.commands.join('\n')).toContain(`aws cloudtrail get-trail-status --name ${shadow}`);
      },
    },
    {
      name: 'a bare name mentions that organization trails from a member account need the full ARN',
      evidence: notFound('org-trail', []),
      findings: [{ confidence: 'confirmed' }],
      assert: ({ findings: [f] }) => expect(f!.evidence.join('\n')).toMatch(/organization trail seen from a member account.*full ARN/),
    },
    {
      name: 'with no trail at all, remediation creates and starts one',
      evidence: notFound('main', []),
      findings: [{ confidence: 'confirmed' }],
      assert: ({ findings: [f] }) => {
        expect(f!.remediation.commands.some((c) => c.startsWith('aws cloudtrail create-trail --name main'))).toBe(true);
        expect(f!.remediation.commands).toContain('aws cloudtrail start-logging --name main --region eu-west-1');
      },
    },
    {
      name: 'DescribeTrails denied still confirms the absence but reports the missing suggestions',
      evidence: (e) => {
        notFound('main', [])(e);
        e.steps.s1.trailsInRegion = denied('cloudtrail:DescribeTrails', 'denied');
      },
      findings: [{ confidence: 'confirmed' }],
      unverified: [{ needs: 'cloudtrail:DescribeTrails' }],
    },
    {
      name: 'untrusted trail names are quoted in commands, never shell syntax',
      evidence: notFound('x', [{ name: 'x;rm -rf', arn: 'arn:aws:cloudtrail:eu-west-1:1:trail/x;rm -rf' }]),
      findings: [{ confidence: 'confirmed' }],
      assert: ({ findings: [f] }) => expect(f!.remediation.commands.join('\n')).toContain("'arn:aws:cloudtrail:eu-west-1:1:trail/x;rm -rf'"),
    },
  ],
  unverified: [
    {
      name: 'GetTrail denied is unverified, never "not found"',
      evidence: (e) => (e.steps.s1.trail = denied('cloudtrail:GetTrail', 'User is not authorized', { errorCode: 'AccessDeniedException' })),
      unverified: [{ step: 1, needs: 'cloudtrail:GetTrail' }],
    },
  ],
});
