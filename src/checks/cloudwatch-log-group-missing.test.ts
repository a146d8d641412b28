import { describe, expect, it } from 'vitest';
import { check, logGroupNameOf } from './cloudwatch-log-group-missing.js';
import { LOG_GROUP, LOG_GROUP_ARN } from '../evidence/builder.js';
import { absent, denied } from '../evidence/probe.js';
import { testCheck } from '../../test/support/check-tester.js';

describe('cloudwatch-log-group-missing: log group ARNs', () => {
  it('parses the group name from its ARN', () => {
    expect(logGroupNameOf(LOG_GROUP_ARN)).toBe(LOG_GROUP);
    expect(logGroupNameOf('arn:aws:logs:eu-west-1:1:log-group:/aws/ct/a:b')).toBe('/aws/ct/a:b');
  });
});

testCheck(check, {
  invalid: [
    {
      name: 'DescribeLogGroups finds no group: confirmed, with the create command',
      evidence: (e) => (e.steps.s7.logGroup = absent('no such log group')),
      findings: [{ confidence: 'confirmed', match: { resources: [LOG_GROUP, LOG_GROUP_ARN] } }],
      assert: ({ findings: [f] }) => {
        expect(f!.remediation.commands[0]).toBe(`aws logs create-log-group --log-group-name ${LOG_GROUP} --region eu-west-1`);
        expect(f!.triggerEvents ?? check.triggerEvents).toContain('DeleteLogGroup');
      },
    },
    {
      name: 'LatestCloudWatchLogsDeliveryError naming it is confirmed even when DescribeLogGroups is denied',
      evidence: (e) => {
        e.steps.s7.logGroup = denied('logs:DescribeLogGroups', 'denied');
        e.steps.s2.status.value!.latestCloudWatchLogsDeliveryError = 'ResourceNotFoundException: The specified log group does not exist.';
      },
      findings: [{ confidence: 'confirmed' }],
    },
  ],
  unverified: [
    { name: 'DescribeLogGroups denied alone is unverified', evidence: (e) => (e.steps.s7.logGroup = denied('logs:DescribeLogGroups', 'denied')), unverified: [{ step: 7, needs: 'logs:DescribeLogGroups' }] },
    {
      name: 'a log group in another account that cannot be read is unverified naming the account, never missing',
      evidence: (e) => {
        e.steps.s1.trail.value!.cloudWatchLogsLogGroupArn = 'arn:aws:logs:eu-west-1:555555555555:log-group:central:*';
        e.steps.s7.logGroupName = 'central';
        e.steps.s7.logGroup = absent('not found in caller account');
      },
      unverified: [{ needs: 'logs:DescribeLogGroups in account 555555555555' }],
      assert: ({ unverified: [u] }) => expect(u!.what).toContain('belongs to account 555555555555'),
    },
  ],
});
