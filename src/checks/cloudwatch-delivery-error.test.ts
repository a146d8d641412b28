import { describe, expect, it } from 'vitest';
import { check, cloudWatchErrorExplainedBy } from './cloudwatch-delivery-error.js';
import type { Evidence } from '../evidence/schema.js';
import { testCheck } from '../../test/support/check-tester.js';

const failing = (error: string) => (e: Evidence) => {
  const s = e.steps.s2.status.value!;
  s.latestCloudWatchLogsDeliveryError = error;
  s.latestCloudWatchLogsDeliveryTime = '2026-11-24T02:00:00Z';
  e.steps.s3.newestEventTime = '2026-11-24T02:00:00Z';
  e.steps.s3.streams.value!.streams[0]!.lastEventTimestamp = '2026-11-24T02:00:00Z';
};

testCheck(check, {
  invalid: [
    {
      name: 'reports the error as likely, pointing to the role',
      evidence: failing('Access denied. Verify in IAM that the role has adequate permissions.'),
      findings: [{ confidence: 'likely', since: '2026-11-24T02:00:00Z', match: { data: { explainedBy: ['cloudwatch-role-invalid'] } } }],
      assert: ({ findings: [f] }) => {
        expect(f!.data?.explainedBy).toEqual(['cloudwatch-role-invalid']);
        expect(f!.remediation.commands).toContain('aws iam get-role --role-name CloudTrailRoleForCloudWatchLogs_main');
      },
    },
    {
      name: 'an error while events keep arriving is only possible',
      evidence: (e) => (e.steps.s2.status.value!.latestCloudWatchLogsDeliveryError = 'ServiceUnavailable'),
      findings: [{ confidence: 'possible' }],
    },
  ],
});

describe('cloudwatch-delivery-error: what the error text points to', () => {
  it.each([
    ['ResourceNotFoundException: The specified log group does not exist.', ['cloudwatch-log-group-missing']],
    ['Unable to assume role', ['cloudwatch-role-invalid']],
    ['ServiceUnavailable', []],
  ])('%s → %j', (err, want) => {
    expect(cloudWatchErrorExplainedBy(err)).toEqual(want);
  });
});
