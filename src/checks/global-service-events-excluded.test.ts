import { expect } from 'vitest';
import { check } from './global-service-events-excluded.js';
import { TRAIL_ARN } from '../evidence/builder.js';
import { testCheck } from '../../test/support/check-tester.js';

testCheck(check, {
  valid: [
    {
      name: 'a single-region trail in us-east-1 including global events is fine',
      evidence: (e) => {
        const t = e.steps.s1.trail.value!;
        t.isMultiRegionTrail = false;
        t.homeRegion = 'us-east-1';
      },
    },
  ],
  invalid: [
    {
      name: 'IncludeGlobalServiceEvents false is possible, fixed with --include-global-service-events',
      evidence: (e) => (e.steps.s1.trail.value!.includeGlobalServiceEvents = false),
      findings: [{ confidence: 'possible', match: { data: { reason: 'excluded' } } }],
      assert: ({ findings: [f] }) => {
        expect(f!.remediation.commands).toEqual([`aws cloudtrail update-trail --name ${TRAIL_ARN} --region eu-west-1 --include-global-service-events`]);
      },
    },
    {
      name: 'a single-region trail outside us-east-1 never receives IAM/STS events even when it includes them',
      evidence: (e) => (e.steps.s1.trail.value!.isMultiRegionTrail = false),
      findings: [{ confidence: 'possible', match: { data: { reason: 'single-region-outside-global-region', globalEventsRegion: 'us-east-1' } } }],
      assert: ({ findings: [f] }) => {
        expect(f!.evidence[0]).toContain('recorded in us-east-1 since 2021-11-22');
        expect(f!.remediation.commands[0]).toContain('--is-multi-region-trail --include-global-service-events');
      },
    },
    {
      name: 'GovCloud records global events in us-gov-west-1',
      evidence: (e) => {
        const t = e.steps.s1.trail.value!;
        t.isMultiRegionTrail = false;
        t.homeRegion = 'us-gov-east-1';
        e.steps.s1.caller.value!.partition = 'aws-us-gov';
      },
      findings: [{ confidence: 'possible', match: { data: { globalEventsRegion: 'us-gov-west-1' } } }],
    },
  ],
});
