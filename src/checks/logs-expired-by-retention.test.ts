import { expect } from 'vitest';
import { check } from './logs-expired-by-retention.js';
import { LOG_GROUP } from '../evidence/builder.js';
import { testCheck } from '../../test/support/check-tester.js';

// the healthy fixture: 365-day retention, 7-day window
testCheck(check, {
  valid: [
    { name: 'no retention (never expire) finds nothing', evidence: (e) => delete e.steps.s7.logGroup.value!.retentionInDays },
    { name: 'a window inside retention finds nothing', evidence: (e) => (e.steps.s7.logGroup.value!.retentionInDays = 7) },
  ],
  invalid: [
    {
      name: 'retention shorter than the window: finding with the cut-off date',
      evidence: (e) => (e.steps.s7.logGroup.value!.retentionInDays = 3),
      findings: [{ confidence: 'likely', since: '2026-11-21T04:00:00Z', triggerEvents: ['PutRetentionPolicy'], match: { data: { retentionInDays: 3, cutoff: '2026-11-21T04:00:00Z', suggestedRetentionDays: 7 } } }],
      assert: ({ findings: [f] }) => {
        expect(f!.remediation.commands[0]).toBe(`aws logs put-retention-policy --log-group-name ${LOG_GROUP} --retention-in-days 7 --region eu-west-1`);
      },
    },
    {
      name: 'a 30-day window against 14-day retention suggests 30 days',
      evidence: (e) => {
        e.window.start = '2026-10-25T04:00:00Z';
        e.steps.s7.logGroup.value!.retentionInDays = 14;
      },
      findings: [{ confidence: 'likely', match: { data: { suggestedRetentionDays: 30 } } }],
    },
  ],
});
