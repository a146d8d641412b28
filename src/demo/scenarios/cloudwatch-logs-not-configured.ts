import type { Scenario } from '../scenarios.js';
import { skipped } from '../../evidence/probe.js';
import { addBackgroundChanges, base } from './helpers.js';

/** An S3-only trail: healthy, but events can only be searched in S3 (or event history), not in CloudWatch Logs. */
export const scenario: Scenario = {
  id: 'cloudwatch-logs-not-configured',
  title: 'The trail sends nothing to CloudWatch Logs',
  description:
    'Trail main delivers to s3://acme-trail-logs on schedule but has no CloudWatch Logs log group: anyone searching CloudWatch Logs (Logs Insights, metric filters, alarms) for its events finds nothing. Not a delivery fault; the verdict stays healthy.',
  evidence: () => {
    const e = base();
    const t = e.steps.s1.trail.value!;
    delete t.cloudWatchLogsLogGroupArn;
    delete t.cloudWatchLogsRoleArn;
    const none = 'the trail has no CloudWatchLogsLogGroupArn';
    const st = e.steps.s2.status.value!;
    delete st.latestCloudWatchLogsDeliveryTime;
    const s = e.steps;
    s.s3 = { streams: skipped(none), eventCounts: skipped(none), deliveryFailures: skipped(none) };
    s.s5 = { role: skipped('the trail has no CloudWatchLogsRoleArn'), inlinePolicies: skipped('no role'), attachedPolicies: skipped('no role') };
    s.s7 = { logGroup: skipped(none) };
    s.s8 = { metrics: skipped(none) };
    s.s9.fromLogGroup = skipped(none);
    addBackgroundChanges(e);
    return e;
  },
  expect: { verdict: 'healthy', rootCause: 'cloudwatch-logs-not-configured', exitCode: 0 },
};
