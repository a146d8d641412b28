import { expect } from 'vitest';
import { check } from './log-file-validation-disabled.js';
import { TRAIL_ARN } from '../evidence/builder.js';
import { testCheck } from '../../test/support/check-tester.js';

testCheck(check, {
  invalid: [
    {
      name: 'LogFileValidationEnabled false: possible, low severity check, exact fix',
      evidence: (e) => (e.steps.s1.trail.value!.logFileValidationEnabled = false),
      findings: [{ confidence: 'possible' }],
      assert: ({ findings: [f] }) => {
        expect(check.severity).toBe('low');
        expect(f!.remediation.commands).toEqual([`aws cloudtrail update-trail --name ${TRAIL_ARN} --region eu-west-1 --enable-log-file-validation`]);
      },
    },
  ],
});
