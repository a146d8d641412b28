import { expect } from 'vitest';
import { check } from './single-region-trail.js';
import { TRAIL_ARN } from '../evidence/builder.js';
import { testCheck } from '../../test/support/check-tester.js';

testCheck(check, {
  invalid: [
    {
      name: 'IsMultiRegionTrail false is possible: other regions are not recorded',
      evidence: (e) => (e.steps.s1.trail.value!.isMultiRegionTrail = false),
      findings: [{ confidence: 'possible', summary: /records eu-west-1 only/ }],
      assert: ({ findings: [f] }) => {
        expect(f!.remediation.commands).toEqual([`aws cloudtrail update-trail --name ${TRAIL_ARN} --region eu-west-1 --is-multi-region-trail --include-global-service-events`]);
      },
    },
  ],
});
