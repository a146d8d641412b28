import { expect } from 'vitest';
import { check } from './cloudtrail-service-issue.js';
import { denied, ok } from '../evidence/probe.js';
import { testCheck } from '../../test/support/check-tester.js';

const ev = (over: object = {}) => ({
  arn: 'arn:aws:health:eu-west-1::event/CLOUDTRAIL/AWS_CLOUDTRAIL_OPERATIONAL_ISSUE/abc',
  eventTypeCode: 'AWS_CLOUDTRAIL_OPERATIONAL_ISSUE',
  statusCode: 'open',
  region: 'eu-west-1',
  startTime: '2026-11-24T02:00:00Z',
  ...over,
});

// the healthy fixture has Health unavailable without a support plan, and finds nothing
testCheck(check, {
  valid: [{ name: 'closed events and other regions are ignored', evidence: (e) => (e.steps.s1.health = ok([ev({ statusCode: 'closed' }), ev({ region: 'ap-south-1' })])) }],
  invalid: [
    {
      name: 'an open CloudTrail Health event in the region is likely',
      evidence: (e) => (e.steps.s1.health = ok([ev()])),
      findings: [{ confidence: 'likely', since: '2026-11-24T02:00:00Z', evidence: [/^step 1: AWS Health AWS_CLOUDTRAIL_OPERATIONAL_ISSUE \(open\) in eu-west-1/] }],
      assert: ({ findings: [f] }) => {
        expect(f!.evidence[0]).toContain('step 1: AWS Health AWS_CLOUDTRAIL_OPERATIONAL_ISSUE (open) in eu-west-1');
        expect(f!.remediation.commands[0]).toContain('aws health describe-event-details --event-arns arn:aws:health:eu-west-1::event/');
      },
    },
  ],
  unverified: [{ name: 'Health denied (not optional) is unverified', evidence: (e) => (e.steps.s1.health = denied('health:DescribeEvents', 'denied')), unverified: [{ step: 1, needs: 'health:DescribeEvents' }] }],
});
