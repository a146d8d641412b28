import { describe, expect, it } from 'vitest';
import { check } from './cloudtrail-service-issue.js';
import { healthyEvidence } from '../evidence/builder.js';
import { denied, ok } from '../evidence/probe.js';
import type { Evidence } from '../evidence/schema.js';
import { contextOf } from './util.js';

const run = (mut?: (e: Evidence) => void) => {
  const e = healthyEvidence();
  mut?.(e);
  return check.run(contextOf(e));
};
const ev = (over: object = {}) => ({
  arn: 'arn:aws:health:eu-west-1::event/CLOUDTRAIL/AWS_CLOUDTRAIL_OPERATIONAL_ISSUE/abc',
  eventTypeCode: 'AWS_CLOUDTRAIL_OPERATIONAL_ISSUE',
  statusCode: 'open',
  region: 'eu-west-1',
  startTime: '2026-11-24T02:00:00Z',
  ...over,
});

describe('cloudtrail-service-issue', () => {
  it('finds nothing on the healthy fixture (Health unavailable without a support plan)', () => {
    expect(run()).toEqual({ findings: [], unverified: [] });
  });

  it('an open CloudTrail Health event in the region is likely', () => {
    const r = run((e) => (e.steps.s1.health = ok([ev()])));
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ id: 'cloudtrail-service-issue', confidence: 'likely', since: '2026-11-24T02:00:00Z' });
    expect(r.findings[0]!.evidence[0]).toContain('step 1: AWS Health AWS_CLOUDTRAIL_OPERATIONAL_ISSUE (open) in eu-west-1');
    expect(r.findings[0]!.remediation.commands[0]).toContain('aws health describe-event-details --event-arns arn:aws:health:eu-west-1::event/');
  });

  it('closed events and other regions are ignored', () => {
    expect(run((e) => (e.steps.s1.health = ok([ev({ statusCode: 'closed' }), ev({ region: 'ap-south-1' })]))).findings).toEqual([]);
  });

  it('Health denied (not optional) is unverified', () => {
    const r = run((e) => (e.steps.s1.health = denied('health:DescribeEvents', 'denied')));
    expect(r.findings).toEqual([]);
    expect(r.unverified).toEqual([expect.objectContaining({ step: 1, needs: 'health:DescribeEvents' })]);
  });
});
