import type { Scenario } from '../scenarios.js';
import { LOG_GROUP } from '../../evidence/builder.js';
import { addBackgroundChanges, addChange, ALICE, ALICE_IP, at, base, iso } from './helpers.js';

const RETENTION_DAYS = 5;

/** Retention lowered to 5 days: the first two days of a 7-day window are gone from CloudWatch Logs. */
export const scenario: Scenario = {
  id: 'logs-expired-by-retention',
  title: 'Log group retention expired the older events',
  description:
    'To cut storage costs, alice lowered the retention of log group aws-cloudtrail-logs-main from 365 to 5 days on 2026-11-22 at 09:12 UTC (PutRetentionPolicy from 198.51.100.23). Searching CloudWatch Logs for the last 7 days now finds nothing before 2026-11-19 04:00 UTC: those events expired. They are still in the S3 log files.',
  evidence: () => {
    const e = base();
    addBackgroundChanges(e);
    addChange(e, {
      eventName: 'PutRetentionPolicy',
      eventSource: 'logs.amazonaws.com',
      eventTime: '2026-11-22T09:12:36Z',
      actor: ALICE,
      sourceIPAddress: ALICE_IP,
      requestParameters: { logGroupName: LOG_GROUP, retentionInDays: RETENTION_DAYS },
    });
    const cutoff = at(e.collectedAt) - RETENTION_DAYS * 86_400_000;
    e.steps.s7.logGroup.value!.retentionInDays = RETENTION_DAYS;
    e.steps.s7.logGroup.value!.storedBytes = 2_100_000;
    const c = e.steps.s3.eventCounts.value!;
    c.hourly = c.hourly.filter((h) => at(h.hour) >= cutoff);
    c.total = c.hourly.reduce((n, h) => n + h.count, 0);
    for (const s of e.steps.s3.streams.value!.streams) s.firstEventTimestamp = iso(cutoff + 4 * 60_000);
    return e;
  },
  expect: { verdict: 'problem', rootCause: 'logs-expired-by-retention', trigger: 'PutRetentionPolicy', exitCode: 1 },
};
