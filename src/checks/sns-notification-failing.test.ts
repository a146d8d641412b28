import { expect } from 'vitest';
import { check } from './sns-notification-failing.js';
import { testCheck } from '../../test/support/check-tester.js';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:trail-notify';

testCheck(check, {
  invalid: [
    {
      name: 'LatestNotificationError: confirmed, low severity, logs still deliver',
      evidence: (e) => {
        e.steps.s1.trail.value!.snsTopicArn = TOPIC;
        e.steps.s2.status.value!.latestNotificationError = 'NotFound';
      },
      findings: [{ confidence: 'confirmed', summary: /log files are still delivered/, evidence: ['step 2: LatestNotificationError = NotFound'], match: { resources: [TOPIC] } }],
      assert: ({ findings: [f] }) => {
        expect(check.severity).toBe('low');
        expect(f!.remediation.commands[0]).toBe(`aws sns get-topic-attributes --topic-arn ${TOPIC} --region eu-west-1`);
        expect(JSON.stringify(f!.remediation.policy)).toContain('SNS:Publish');
      },
    },
  ],
});
