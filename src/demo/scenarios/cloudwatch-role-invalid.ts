import type { Scenario } from '../scenarios.js';
import { ok } from '../../evidence/probe.js';
import { ROLE_NAME } from '../../evidence/builder.js';
import { addBackgroundChanges, addChange, at, base, BOB, BOB_IP, stopCloudWatch } from './helpers.js';

const DELETED = '2026-11-23T16:20:03Z';

/** The role's inline policy was deleted: CloudTrail can assume the role but may not put log events. */
export const scenario: Scenario = {
  id: 'cloudwatch-role-invalid',
  title: 'The CloudWatch Logs role lost its permissions',
  description:
    'bob deleted the inline policy CloudTrailPolicyForCloudWatchLogs of role CloudTrailRoleForCloudWatchLogs_main on 2026-11-23 at 16:20 UTC (DeleteRolePolicy from 203.0.113.7, recorded in us-east-1 like every IAM call). CloudTrail still assumes the role but may no longer call logs:CreateLogStream / logs:PutLogEvents: CloudWatch Logs has had no event since 16:21 while S3 delivery continues.',
  evidence: () => {
    const e = base();
    addBackgroundChanges(e);
    stopCloudWatch(e, at(DELETED) + 60_000, {
      error: `AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/${ROLE_NAME}/CloudTrailSession is not authorized to perform: logs:PutLogEvents`,
    });
    addChange(e, {
      eventName: 'DeleteRolePolicy',
      eventSource: 'iam.amazonaws.com',
      eventTime: DELETED,
      actor: BOB,
      sourceIPAddress: BOB_IP,
      region: 'us-east-1',
      requestParameters: { roleName: ROLE_NAME, policyName: 'CloudTrailPolicyForCloudWatchLogs' },
    });
    e.steps.s5.inlinePolicies = ok([]);
    e.steps.s5.attachedPolicies = ok([]);
    return e;
  },
  expect: { verdict: 'problem', rootCause: 'cloudwatch-role-invalid', trigger: 'DeleteRolePolicy', exitCode: 1 },
};
