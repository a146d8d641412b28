import { z } from 'zod';
import { probeSchema } from './probe-schema.js';
import { gapReportSchema } from './gaps-schema.js';
import { integrityEvidenceSchema } from './integrity-schema.js';
import { accessLogsSchema } from './access-logs-schema.js';
import { runFaultsSchema } from './faults.js';
import { EVIDENCE_SCHEMA_VERSION } from './version.js';

/**
 * The evidence model: everything the nine playbook steps observed, serialisable and versioned.
 * `collect` writes it, `diagnose --evidence FILE` replays it, the demo scenarios embed it.
 * Times are ISO-8601 strings in UTC. Lists that could grow with the account are capped by the
 * collectors and say so (`truncated`). Its version is in version.ts.
 *
 * The zod schemas (here and in the *-schema.ts modules) are apart from the types, constants and
 * helpers the rest of the code uses, so that only the code that parses evidence loads the
 * validation library: every command's start-up paid about 70 ms for it.
 */

const iso = z.string();

// ---- shared shapes -------------------------------------------------------------------------

export const changeEventSchema = z.object({
  eventId: z.string(),
  eventName: z.string(),
  eventSource: z.string(),
  eventTime: iso,
  awsRegion: z.string().optional(),
  /** userIdentity.arn, or sessionIssuer.arn for an assumed role, or the invoking service. */
  actor: z.string().optional(),
  sourceIPAddress: z.string().optional(),
  userAgent: z.string().optional(),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  /** requestParameters as recorded (possibly truncated by the collector to a size cap). */
  requestParameters: z.unknown().optional(),
  /** Resource names the event touches, lower-cased where AWS is case-insensitive. */
  resources: z.array(z.string()).optional(),
  /** Where it was found. One event found in several places keeps every source. */
  sources: z.array(z.enum(['event-history', 'log-group', 's3'])),
});
export type ChangeEvent = z.infer<typeof changeEventSchema>;

export const trailConfigSchema = z.object({
  name: z.string(),
  arn: z.string(),
  homeRegion: z.string(),
  s3BucketName: z.string().optional(),
  s3KeyPrefix: z.string().optional(),
  snsTopicArn: z.string().optional(),
  includeGlobalServiceEvents: z.boolean(),
  isMultiRegionTrail: z.boolean(),
  isOrganizationTrail: z.boolean(),
  logFileValidationEnabled: z.boolean(),
  cloudWatchLogsLogGroupArn: z.string().optional(),
  cloudWatchLogsRoleArn: z.string().optional(),
  kmsKeyId: z.string().optional(),
  hasCustomEventSelectors: z.boolean().optional(),
  hasInsightSelectors: z.boolean().optional(),
});
export type TrailConfig = z.infer<typeof trailConfigSchema>;

export const trailSummarySchema = z.object({ name: z.string(), arn: z.string(), homeRegion: z.string().optional() });
export type TrailSummary = z.infer<typeof trailSummarySchema>;

export const healthEventSchema = z.object({
  arn: z.string(),
  eventTypeCode: z.string().optional(),
  statusCode: z.string().optional(),
  region: z.string().optional(),
  startTime: iso.optional(),
  endTime: iso.optional(),
  lastUpdatedTime: iso.optional(),
});

export const trailStatusSchema = z.object({
  isLogging: z.boolean(),
  latestDeliveryError: z.string().optional(),
  latestDeliveryTime: iso.optional(),
  latestDeliveryAttemptTime: iso.optional(),
  latestNotificationError: z.string().optional(),
  latestNotificationTime: iso.optional(),
  latestCloudWatchLogsDeliveryError: z.string().optional(),
  latestCloudWatchLogsDeliveryTime: iso.optional(),
  latestDigestDeliveryError: z.string().optional(),
  latestDigestDeliveryTime: iso.optional(),
  startLoggingTime: iso.optional(),
  stopLoggingTime: iso.optional(),
});
export type TrailStatus = z.infer<typeof trailStatusSchema>;

export const basicSelectorSchema = z.object({
  readWriteType: z.enum(['ReadOnly', 'WriteOnly', 'All']).optional(),
  includeManagementEvents: z.boolean().optional(),
  dataResources: z.array(z.object({ type: z.string(), values: z.array(z.string()) })).optional(),
  excludeManagementEventSources: z.array(z.string()).optional(),
});
export type BasicSelector = z.infer<typeof basicSelectorSchema>;

export const fieldSelectorSchema = z.object({
  field: z.string(),
  equals: z.array(z.string()).optional(),
  startsWith: z.array(z.string()).optional(),
  endsWith: z.array(z.string()).optional(),
  notEquals: z.array(z.string()).optional(),
  notStartsWith: z.array(z.string()).optional(),
  notEndsWith: z.array(z.string()).optional(),
});
export const advancedSelectorSchema = z.object({ name: z.string().optional(), fieldSelectors: z.array(fieldSelectorSchema) });
export type AdvancedSelector = z.infer<typeof advancedSelectorSchema>;

export const eventSelectorsSchema = z.object({
  eventSelectors: z.array(basicSelectorSchema).optional(),
  advancedEventSelectors: z.array(advancedSelectorSchema).optional(),
});
export type EventSelectors = z.infer<typeof eventSelectorsSchema>;

export const kmsKeySchema = z.object({
  keyId: z.string(),
  arn: z.string(),
  keyState: z.string(),
  enabled: z.boolean(),
  keyManager: z.string().optional(),
  deletionDate: iso.optional(),
  /** The account that owns the key (from its ARN). */
  accountId: z.string().optional(),
});
export type KmsKey = z.infer<typeof kmsKeySchema>;

export const lifecycleRuleSchema = z.object({
  id: z.string().optional(),
  status: z.string(),
  /** The rule's prefix or filter prefix; '' means the whole bucket. Undefined when the filter is by tag/size only. */
  prefix: z.string().optional(),
  filterDescription: z.string().optional(),
  expirationDays: z.number().optional(),
  expirationDate: iso.optional(),
  transitions: z.array(z.object({ days: z.number().optional(), date: iso.optional(), storageClass: z.string().optional() })).optional(),
  noncurrentExpirationDays: z.number().optional(),
});
export type LifecycleRule = z.infer<typeof lifecycleRuleSchema>;

export const hourlyCountSchema = z.object({ hour: iso, count: z.number(), bytes: z.number().optional() });
export type HourlyCount = z.infer<typeof hourlyCountSchema>;

export const gapSchema = z.object({ start: iso, end: iso, minutes: z.number() });
export type Gap = z.infer<typeof gapSchema>;

export const logFileRefSchema = z.object({
  key: z.string(),
  /** The timestamp in the key name: CloudTrail's own delivery time, to the minute. */
  deliveryTime: iso,
  lastModified: iso.optional(),
  size: z.number(),
});
export type LogFileRef = z.infer<typeof logFileRefSchema>;

export const roleSchema = z.object({
  arn: z.string(),
  name: z.string(),
  /** Trust policy as a JSON string (already URL-decoded). */
  trustPolicy: z.string(),
});
export const namedPolicySchema = z.object({ name: z.string(), arn: z.string().optional(), document: z.string().optional() });
export type NamedPolicy = z.infer<typeof namedPolicySchema>;

export const metricSeriesSchema = z.object({
  id: z.string(),
  label: z.string(),
  namespace: z.string(),
  metricName: z.string(),
  stat: z.string(),
  periodSeconds: z.number(),
  timestamps: z.array(iso),
  values: z.array(z.number()),
});
export type MetricSeries = z.infer<typeof metricSeriesSchema>;

// ---- the nine steps -----------------------------------------------------------------------

/** Step 1: the trail exists; AWS Health for CloudTrail in the region. */
export const step1Schema = z.object({
  caller: probeSchema(z.object({ accountId: z.string(), arn: z.string(), partition: z.string() })),
  trail: probeSchema(trailConfigSchema),
  /** All trails visible from the region (DescribeTrails with shadow trails), for "did you mean". */
  trailsInRegion: probeSchema(z.array(trailSummarySchema)),
  /** True when the trail seen is a shadow of a multi-region trail whose home region is elsewhere. */
  isShadowTrail: z.boolean().optional(),
  health: probeSchema(z.array(healthEventSchema)),
});

/** Step 2: status and selectors. */
export const step2Schema = z.object({
  status: probeSchema(trailStatusSchema),
  selectors: probeSchema(eventSelectorsSchema),
  /** The access policy (JSON text) of the trail's SNS topic, when the trail notifies one. */
  snsTopicPolicy: probeSchema(z.string()).optional(),
});

/** Step 3: the trail's log group content. */
export const step3Schema = z.object({
  streams: probeSchema(
    z.object({
      streams: z.array(z.object({ name: z.string(), lastEventTimestamp: iso.optional(), firstEventTimestamp: iso.optional() })),
      truncated: z.boolean(),
    }),
  ),
  /** Event counts per hour over the window (event timestamps). `capped` when counting stopped early. */
  eventCounts: probeSchema(z.object({ hourly: z.array(hourlyCountSchema), total: z.number(), capped: z.boolean() })),
  newestEventTime: iso.optional(),
  /** CloudTrail events with an errorCode about CloudTrail, S3 or CloudWatch Logs delivery. */
  deliveryFailures: probeSchema(z.array(changeEventSchema)),
});

/** Step 4: the S3 bucket. */
export const step4Schema = z.object({
  bucket: z.string().optional(),
  head: probeSchema(z.object({ region: z.string().optional() })),
  location: probeSchema(z.object({ region: z.string() })),
  policy: probeSchema(z.string()),
  encryption: probeSchema(z.object({ algorithm: z.string(), kmsKeyId: z.string().optional(), bucketKeyEnabled: z.boolean().optional() })),
  /** The KMS key CloudTrail encrypts with: the trail's KmsKeyId, else the bucket's default SSE-KMS key. */
  kmsKeySource: z.enum(['trail', 'bucket-default']).optional(),
  kmsKey: probeSchema(kmsKeySchema),
  kmsKeyPolicy: probeSchema(z.string()),
  ownership: probeSchema(z.object({ objectOwnership: z.string() })),
  objectLock: probeSchema(z.object({ enabled: z.boolean(), mode: z.string().optional(), days: z.number().optional(), years: z.number().optional() })),
  lifecycle: probeSchema(z.array(lifecycleRuleSchema)),
  requestPayment: probeSchema(z.object({ payer: z.string() })),
  /** S3 server access logs of the bucket (GetBucketLogging, then the window's access log objects, summarised). */
  accessLogs: probeSchema(accessLogsSchema).optional(),
});

/** Step 5: the CloudWatch Logs delivery role. */
export const step5Schema = z.object({
  roleArn: z.string().optional(),
  role: probeSchema(roleSchema),
  inlinePolicies: probeSchema(z.array(namedPolicySchema)),
  attachedPolicies: probeSchema(z.array(namedPolicySchema)),
});

/** Step 6: log files in S3 for the window. Bounded: aggregates plus the newest files, never the whole listing. */
export const step6Schema = z.object({
  /** The key prefixes listed, one per (account, region, day). */
  prefixes: z.array(z.string()),
  listing: probeSchema(
    z.object({
      fileCount: z.number(),
      totalBytes: z.number(),
      newest: logFileRefSchema.optional(),
      oldest: logFileRefSchema.optional(),
      /** The last few files (newest first), for the report. */
      recent: z.array(logFileRefSchema),
      hourly: z.array(hourlyCountSchema),
      /** Silences between consecutive deliveries longer than the gap threshold, oldest first. */
      gaps: z.array(gapSchema),
      /** Objects whose LastModified differs from the key's delivery time by more than an hour. */
      lastModifiedMismatches: z.number(),
      truncated: z.boolean(),
      regions: z.array(z.string()),
    }),
  ),
  /** Org id for organization trails (paths AWSLogs/<o-id>/<account>/). */
  organizationId: probeSchema(z.string()),
});

/** Step 7: the log group's configuration. */
export const step7Schema = z.object({
  logGroupArn: z.string().optional(),
  logGroupName: z.string().optional(),
  logGroup: probeSchema(
    z.object({
      name: z.string(),
      arn: z.string(),
      retentionInDays: z.number().optional(),
      kmsKeyId: z.string().optional(),
      creationTime: iso.optional(),
      storedBytes: z.number().optional(),
    }),
  ),
});

/** Step 8: CloudWatch metrics. */
export const step8Schema = z.object({
  metrics: probeSchema(z.array(metricSeriesSchema)),
});

/** Step 9: configuration changes in the window. */
export const step9Schema = z.object({
  fromLogGroup: probeSchema(z.array(changeEventSchema)),
  /** LookupEvents in the trail's region. */
  fromEventHistory: probeSchema(z.array(changeEventSchema)),
  /** LookupEvents in us-east-1, where IAM and other global-service events live. */
  fromEventHistoryGlobal: probeSchema(z.array(changeEventSchema)),
  /** The trail's own S3 log files around the moments delivery stopped: read only when neither event history nor the log group answered. */
  fromS3: probeSchema(z.array(changeEventSchema)).optional(),
  /** Merged, de-duplicated by eventID, re-checked client-side, oldest first. */
  changes: z.array(changeEventSchema),
});

export const evidenceSchema = z.object({
  schemaVersion: z.literal(EVIDENCE_SCHEMA_VERSION),
  tool: z.object({ name: z.string(), version: z.string() }),
  collectedAt: iso,
  /** What the user asked for. */
  target: z.object({
    trail: z.string(),
    region: z.string(),
    profile: z.string().optional(),
    endpointUrl: z.string().optional(),
  }),
  window: z.object({ start: iso, end: iso }),
  steps: z.object({
    s1: step1Schema,
    s2: step2Schema,
    s3: step3Schema,
    s4: step4Schema,
    s5: step5Schema,
    s6: step6Schema,
    s7: step7Schema,
    s8: step8Schema,
    s9: step9Schema,
  }),
  /** Digest-chain validation over the window, when run (src/evidence/integrity.ts). */
  integrity: integrityEvidenceSchema.optional(),
  /** Audit-gap measurement against event history, when run (src/evidence/gaps.ts). */
  gaps: gapReportSchema.optional(),
  /**
   * The AWS API calls of the run, in order (the --debug lines): service, operation, region, HTTP
   * status, duration, retries, request id; never bodies or credentials. Capped (stats.apiCalls counts all).
   */
  calls: z
    .array(
      z.object({
        service: z.string(),
        operation: z.string(),
        region: z.string(),
        startedAt: z.number(),
        durationMs: z.number(),
        httpStatus: z.number().optional(),
        retries: z.number().optional(),
        requestId: z.string().optional(),
        errorCode: z.string().optional(),
      }),
    )
    .optional(),
  /** Wall-clock time per step in ms and API calls made, for the report and benchmarks. */
  stats: z
    .object({
      durationMs: z.number(),
      apiCalls: z.number(),
      longestChain: z.number().optional(),
      stepDurationsMs: z.record(z.string(), z.number()).optional(),
      /**
       * Per phase (firstPass: the nine steps; integrity; gaps): calls, bytes of log files read, wall
       * time, and the longest chain of calls sent one after another; `depth` is that chain for the run.
       */
      phases: z.record(z.string(), z.object({ calls: z.number(), bytesRead: z.number().optional(), wallMs: z.number(), longestChain: z.number() })).optional(),
      depth: z.number().optional(),
      /** Throttling, server errors, timeouts and the deadline, as the run met them. */
      faults: runFaultsSchema.optional(),
    })
    .optional(),
});

export type Evidence = z.infer<typeof evidenceSchema>;
export type Steps = Evidence['steps'];
export type Step1 = z.infer<typeof step1Schema>;
export type Step2 = z.infer<typeof step2Schema>;
export type Step3 = z.infer<typeof step3Schema>;
export type Step4 = z.infer<typeof step4Schema>;
export type Step5 = z.infer<typeof step5Schema>;
export type Step6 = z.infer<typeof step6Schema>;
export type Step7 = z.infer<typeof step7Schema>;
export type Step8 = z.infer<typeof step8Schema>;
export type Step9 = z.infer<typeof step9Schema>;
