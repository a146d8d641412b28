import { z } from 'zod';
import { DESTINATIONS } from './gaps.js';

/** The zod schemas of evidence.gaps; its types and constants are in gaps.ts (why: schema.ts). */
const iso = z.string();

export const gapEventSchema = z.object({
  eventName: z.string(),
  eventTime: iso,
  actor: z.string().nullable(),
  sourceIPAddress: z.string().nullable(),
  // additive
  eventSource: z.string().optional(),
  eventId: z.string().optional(),
  awsRegion: z.string().optional(),
  requestParameters: z.unknown().optional(),
  score: z.number().optional(),
  reasons: z.array(z.string()).optional(),
  source: z.enum(['event-history', 'log-group', 's3']).optional(),
});

export const boundsSchema = z.object({ value: z.number(), low: z.number(), high: z.number() });

export const gapWindowSchema = z.object({
  destination: z.enum(DESTINATIONS),
  /** Time of the first event found missing. */
  start: iso,
  /** Time of the last event found missing. */
  end: iso,
  /** Events proven missing (found in event history, not delivered). Exact when `exact`. */
  eventsMissing: z.number(),
  trigger: gapEventSchema.nullable(),
  closedBy: gapEventSchema.nullable(),
  // additive
  /** True when every event of the window was compared (not sampled). */
  exact: z.boolean().optional(),
  /** Estimated events missing in the window when sampled, with 95% bounds. */
  estimatedMissing: boundsSchema.optional(),
  /** The newest event seen delivered before the gap, and the oldest seen delivered after it. */
  lastDeliveredBefore: iso.optional(),
  firstDeliveredAfter: iso.optional(),
  /** Still open at the end of the window (no delivered event seen after it). */
  open: z.boolean().optional(),
  /** Other candidate changes, most plausible first (the trigger is the first). */
  candidates: z.array(gapEventSchema).optional(),
});

const perDestination = z.object({ s3: z.number().optional(), 'cloudwatch-logs': z.number().optional() });

export const hourSchema = z.object({
  hour: iso,
  /** In-scope events found in event history (in the compared slices of this hour). */
  recorded: z.number(),
  delivered: perDestination,
  missing: perDestination,
  /** Events the trail's selectors or region settings exclude: not missing. */
  excluded: z.number(),
  /** Events newer than the delivery delay: not yet missing. */
  pending: z.number(),
  /** How much of the hour event history was compared: all of it, a sample, or none. */
  coverage: z.enum(['full', 'sample', 'none']),
  /** Management records delivered to S3 with an eventTime in this hour (all, not just compared). */
  s3Records: z.number().optional(),
});

export const skippedFileSchema = z.object({
  key: z.string(),
  size: z.number().optional(),
  reason: z.string(),
  /** Records read before the file failed (a truncated file still contributes what it held). */
  recordsRead: z.number().optional(),
});

export const samplingSchema = z.object({
  /** `none`: every hour fully compared. `hourly-probe`: one page per hour, see `method`. */
  mode: z.enum(['none', 'hourly-probe']),
  method: z.string(),
  seed: z.number(),
  hours: z.number(),
  hoursFull: z.number(),
  hoursSampled: z.number(),
  hoursUnsampled: z.number(),
  /** Events compared (the sampled count). */
  eventsCompared: z.number(),
  /** Estimates over the whole window, with 95% bounds. */
  estimate: z.object({ recorded: z.number(), missing: boundsSchema, missingByDestination: z.record(z.string(), boundsSchema) }),
  budget: z.object({ maxLookupCalls: z.number(), used: z.number() }),
});

export const tooLargeEventSchema = z.object({ eventId: z.string(), eventName: z.string(), eventTime: iso, sizeBytes: z.number() });

export const gapReportSchema = z.object({
  window: z.object({ start: iso, end: iso }),
  totals: z.object({ recorded: z.number(), delivered: z.number(), missing: z.number(), sampled: z.boolean() }),
  gaps: z.array(gapWindowSchema),
  // additive
  /** `could-not-check`: event history was not readable (exit 3). */
  status: z.enum(['ok', 'could-not-check']).optional(),
  reason: z.string().optional(),
  needs: z.string().optional(),
  trail: z.object({ name: z.string(), arn: z.string().optional(), region: z.string(), homeRegion: z.string().optional() }).optional(),
  destinations: z.array(z.enum(DESTINATIONS)).optional(),
  byDestination: z.record(z.string(), z.object({ delivered: z.number(), missing: z.number() })).optional(),
  excluded: z.number().optional(),
  pending: z.number().optional(),
  deliveryDelayMinutes: z.number().optional(),
  hourly: z.array(hourSchema).optional(),
  sampling: samplingSchema.optional(),
  /** Events missing only from CloudWatch Logs and larger than 256 KB: `cloudwatch-event-size-limit`. */
  tooLargeForCloudWatch: z.array(tooLargeEventSchema).optional(),
  skippedFiles: z.array(skippedFileSchema).optional(),
  exported: z.object({ path: z.string(), events: z.number(), complete: z.boolean(), source: z.literal('event-history'), note: z.string() }).optional(),
  notes: z.array(z.string()).optional(),
  stats: z
    .object({
      durationMs: z.number(),
      lookupEventsCalls: z.number(),
      lookupEventsThrottled: z.number(),
      filesRead: z.number(),
      bytesRead: z.number(),
      deliveredRecordsRead: z.number(),
      cloudWatchEventsRead: z.number(),
      eventsCompared: z.number(),
      /** ListObjectsV2 calls of the studied region's log files. */
      s3ListCalls: z.number().optional(),
      /** What the measurement was allowed to spend (LookupEvents calls, log files, compressed bytes). */
      budget: z.object({ lookupEventsCalls: z.number(), s3Files: z.number().optional(), s3Bytes: z.number().optional(), s3Spent: z.boolean().optional() }).optional(),
      /** Why event history stopped being called (denied, a circuit opened, throttle budget spent). */
      historyStoppedBy: z.string().optional(),
      /**
       * Of filesRead: those whose records came from the integrity pass of the same run (no GET),
       * and those the gap reader fetched itself; `shareCapped`: the integrity pass had more log files
       * than the share keeps, so the rest were read on demand.
       */
      filesFromIntegrity: z.number().optional(),
      filesFetched: z.number().optional(),
      shareCapped: z.boolean().optional(),
    })
    .optional(),
});
