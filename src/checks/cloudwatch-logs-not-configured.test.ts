import { expect } from 'vitest';
import { check } from './cloudwatch-logs-not-configured.js';
import { TRAIL_ARN } from '../evidence/builder.js';
import { testCheck } from '../../test/support/check-tester.js';

testCheck(check, {
  invalid: [
    {
      name: 'no CloudWatchLogsLogGroupArn is possible (events only in S3), never a fault',
      evidence: (e) => {
        delete e.steps.s1.trail.value!.cloudWatchLogsLogGroupArn;
        delete e.steps.s1.trail.value!.cloudWatchLogsRoleArn;
      },
      findings: [{ confidence: 'possible', summary: /bucket acme-trail-logs/ }],
      assert: ({ findings: [f] }) => {
        expect(f!.remediation.commands.at(-1)).toBe(
          `aws cloudtrail update-trail --name ${TRAIL_ARN} --region eu-west-1 --cloud-watch-logs-log-group-arn arn:aws:logs:eu-west-1:123456789012:log-group:aws-cloudtrail-logs-main:* --cloud-watch-logs-role-arn arn:aws:iam::123456789012:role/CloudTrailRoleForCloudWatchLogs_main`,
        );
      },
    },
  ],
});
