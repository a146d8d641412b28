import type { Scenario } from '../scenarios.js';
import { addBackgroundChanges, at, base, stopCloudWatch } from './helpers.js';

const FAILING_SINCE = '2026-11-23T19:08:00Z';

/**
 * CloudTrail reports a CloudWatch Logs error no known cause explains: the log group exists, the
 * role and its policies are right, nothing changed. Only the error itself can be reported.
 */
export const scenario: Scenario = {
  id: 'cloudwatch-delivery-error',
  title: 'A CloudWatch Logs delivery error the configuration does not explain',
  description:
    'Since 2026-11-23 19:08 UTC CloudTrail reports LatestCloudWatchLogsDeliveryError ServiceUnavailableException and no event has reached aws-cloudtrail-logs-main since. The log group exists, the delivery role trusts CloudTrail and allows logs:CreateLogStream and logs:PutLogEvents, and no change is recorded in the window (AWS Health was not readable without a support plan). S3 delivery is unaffected.',
  evidence: () => {
    const e = base();
    addBackgroundChanges(e);
    stopCloudWatch(e, at(FAILING_SINCE), { error: 'ServiceUnavailableException: The server failed to fulfill the request. Please try again.' });
    return e;
  },
  expect: { verdict: 'problem', rootCause: 'cloudwatch-delivery-error', exitCode: 1 },
};
