import { z } from 'zod';
import { accessLogKinds } from './access-logs.js';

/** The zod schemas of S3 server access log evidence; its types and constants are in access-logs.ts (why: schema.ts). */
const iso = z.string();

export const accessLoggingConfigSchema = z.object({
  enabled: z.boolean(),
  targetBucket: z.string().optional(),
  targetPrefix: z.string().optional(),
  /** `simple`: prefix + YYYY-MM-DD-HH-MM-SS-Unique; `partitioned`: prefix + account/region/bucket/YYYY/MM/DD/... */
  keyFormat: z.enum(['simple', 'partitioned']).optional(),
  partitionDateSource: z.string().optional(),
  /** The access logs land in the trail's own bucket under the trail's own key prefix: each access log write is logged again. */
  selfTargeting: z.boolean(),
  /** The target prefix overlaps the trail's own key prefix: access log objects sit among CloudTrail's. */
  insideTrailPrefix: z.boolean().optional(),
});

export const accessLogAttemptSchema = z.object({
  time: iso,
  kind: z.enum(accessLogKinds),
  operation: z.string(),
  status: z.number().optional(),
  errorCode: z.string().optional(),
});

export const accessLogHourSchema = z.object({
  hour: iso,
  attempted: z.number(),
  succeeded: z.number(),
  refused: z.number(),
  /** Refused log-file and digest-file writes of that hour (the rest of `refused` are ACL checks or server errors). */
  refusedLogFiles: z.number(),
  refusedDigests: z.number(),
});

export const accessLogSummarySchema = z.object({
  /** Access log objects listed for the window, read, and their bytes. */
  objectsListed: z.number(),
  objectsRead: z.number(),
  bytesRead: z.number(),
  /** Reading stopped at a cap (files or bytes): the counts are a lower bound. */
  capped: z.boolean(),
  capReason: z.string().optional(),
  /** Lines that are not access log records, and objects whose body ended early or could not be read. */
  malformedLines: z.number(),
  unreadableObjects: z.number(),
  /** CloudTrail's requests seen (PUT of its log and digest keys, GET ACL / bucket policy by CloudTrail). */
  attempted: z.number(),
  succeeded: z.number(),
  refused: z.number(),
  hourly: z.array(accessLogHourSchema),
  /** `403 AccessDenied` → count, over refused attempts (4xx) and server errors (5xx). */
  errorCodes: z.array(z.object({ status: z.number().optional(), errorCode: z.string().optional(), count: z.number() })),
  firstRefused: accessLogAttemptSchema.optional(),
  lastRefused: accessLogAttemptSchema.optional(),
  lastSucceeded: accessLogAttemptSchema.optional(),
  /**
   * The run of refusals that contains the last refused attempt: from the first refused write after the
   * success before it. Dates an outage to the minute. `recoveredAt` is the first success after it.
   */
  refusalRun: z.object({ start: iso, end: iso, refused: z.number(), recoveredAt: iso.optional() }).optional(),
  /** The newest record time read: the logs are complete up to about here at best. */
  newestRecordTime: iso.optional(),
  /** The requesters and user agents of CloudTrail's attempts (a few, for a human to confirm). */
  requesters: z.array(z.object({ requester: z.string(), userAgent: z.string().optional(), count: z.number() })),
});

export const accessLogsSchema = z.object({
  config: accessLoggingConfigSchema,
  /** Absent when logging is off or the logs could not be listed (see the probe's status then). */
  summary: accessLogSummarySchema.optional(),
  /** Why the summary is missing or partial (listing denied, target bucket elsewhere, ...). */
  note: z.string().optional(),
});
