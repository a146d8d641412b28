import type { Scenario } from '../scenarios.js';
import { absent } from '../../evidence/probe.js';
import { LOG_GROUP } from '../../evidence/builder.js';
import { addBackgroundChanges, addChange, at, base, BOB, BOB_IP, iso } from './helpers.js';

const DELETED = '2026-11-23T13:17:40Z';

/** The log group was deleted (a clean-up script): CloudTrail cannot put events; S3 delivery continues. */
export const scenario: Scenario = {
  id: 'cloudwatch-log-group-missing',
  title: 'The CloudWatch Logs log group was deleted',
  description:
    'bob deleted log group aws-cloudtrail-logs-main on 2026-11-23 at 13:17 UTC (DeleteLogGroup from 203.0.113.7) while cleaning up old groups. Its events went with it and CloudTrail reports ResourceNotFoundException for CloudWatch Logs; log files still reach S3 every 5 minutes, so only CloudWatch Logs searches, metric filters and alarms are blind.',
  evidence: () => {
    const e = base();
    addBackgroundChanges(e);
    addChange(e, { eventName: 'DeleteLogGroup', eventSource: 'logs.amazonaws.com', eventTime: DELETED, actor: BOB, sourceIPAddress: BOB_IP, requestParameters: { logGroupName: LOG_GROUP } });
    const s = e.steps;
    const gone = `The specified log group does not exist.`;
    s.s7.logGroup = absent(gone, { errorCode: 'ResourceNotFoundException' });
    s.s3.streams = absent(gone, { errorCode: 'ResourceNotFoundException' });
    s.s3.eventCounts = absent(gone, { errorCode: 'ResourceNotFoundException' });
    s.s3.deliveryFailures = absent(gone, { errorCode: 'ResourceNotFoundException' });
    delete s.s3.newestEventTime;
    s.s9.fromLogGroup = absent(gone, { errorCode: 'ResourceNotFoundException' });
    s.s9.changes = s.s9.changes.map((c) => ({ ...c, sources: c.sources.filter((x) => x !== 'log-group') }));
    // IncomingLogEvents datapoints end when the group went away
    const m = s.s8.metrics.value![0]!;
    const keep = m.timestamps.map((t, i) => [t, m.values[i]!] as const).filter(([t]) => at(t) < at(DELETED));
    m.timestamps = keep.map(([t]) => t);
    m.values = keep.map(([, v]) => v);
    const st = s.s2.status.value!;
    st.latestCloudWatchLogsDeliveryTime = iso(at(DELETED) - 40_000);
    st.latestCloudWatchLogsDeliveryError = 'ResourceNotFoundException: The specified log group does not exist.';
    return e;
  },
  expect: { verdict: 'problem', rootCause: 'cloudwatch-log-group-missing', trigger: 'DeleteLogGroup', exitCode: 1 },
};
