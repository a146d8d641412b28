import type { z } from 'zod';
import type { accessLogAttemptSchema, accessLogHourSchema, accessLogSummarySchema, accessLoggingConfigSchema, accessLogsSchema } from './access-logs-schema.js';

/**
 * S3 server access logs of the trail's bucket, summarised: what CloudTrail attempted there in the
 * window, per hour, including the refused writes that neither GetTrailStatus (last error only) nor the
 * log files (successes only) can show. Only counts, times and error codes: never the raw lines.
 *
 * AWS delivers server access logs best effort and hours late: an hour without records is unknown,
 * never "no attempts" (`newestRecordTime` says how far the logs reach).
 */

export const accessLogKinds = ['log-file', 'digest-file', 'acl-check'] as const;
export type AccessLogKind = (typeof accessLogKinds)[number];

export type AccessLoggingConfig = z.infer<typeof accessLoggingConfigSchema>;
export type AccessLogAttempt = z.infer<typeof accessLogAttemptSchema>;
export type AccessLogHour = z.infer<typeof accessLogHourSchema>;
export type AccessLogSummary = z.infer<typeof accessLogSummarySchema>;
export type AccessLogs = z.infer<typeof accessLogsSchema>;
