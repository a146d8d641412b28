import type { CauseDefinition, Precedence, RootCauseId } from './types.js';
import { check as trailNotFound } from './trail-not-found.js';
import { check as cloudtrailServiceIssue } from './cloudtrail-service-issue.js';
import { check as loggingStopped } from './logging-stopped.js';
import { check as s3BucketMissing } from './s3-bucket-missing.js';
import { check as s3BucketPolicyDenies } from './s3-bucket-policy-denies.js';
import { check as s3KmsKeyDenies } from './s3-kms-key-denies.js';
import { check as s3RequesterPays } from './s3-requester-pays.js';
import { check as s3DeliveryError } from './s3-delivery-error.js';
import { check as cloudwatchLogsNotConfigured } from './cloudwatch-logs-not-configured.js';
import { check as cloudwatchLogGroupMissing } from './cloudwatch-log-group-missing.js';
import { check as cloudwatchRoleInvalid } from './cloudwatch-role-invalid.js';
import { check as cloudwatchDeliveryError } from './cloudwatch-delivery-error.js';
import { check as cloudwatchEventSizeLimit } from './cloudwatch-event-size-limit.js';
import { check as eventSelectorsExcludeEvents } from './event-selectors-exclude-events.js';
import { check as singleRegionTrail } from './single-region-trail.js';
import { check as globalServiceEventsExcluded } from './global-service-events-excluded.js';
import { check as deliveryStopped } from './delivery-stopped.js';
import { check as deliveryGaps } from './delivery-gaps.js';
import { check as deliveryDelayed } from './delivery-delayed.js';
import { check as logsExpiredByRetention } from './logs-expired-by-retention.js';
import { check as logsExpiredByLifecycle } from './logs-expired-by-lifecycle.js';
import { check as logFileValidationDisabled } from './log-file-validation-disabled.js';
import { check as accessLogsFeedThemselves } from './access-logs-feed-themselves.js';
import { check as snsNotificationFailing } from './sns-notification-failing.js';
import { check as snsTopicPolicyDenies } from './sns-topic-policy-denies.js';
import { check as organizationPolicyDenies } from './organization-policy-denies.js';
import { check as organizationTrailMisconfigured } from './organization-trail-misconfigured.js';
import { check as logIntegrityValidationFailed } from './log-integrity-validation-failed.js';
import { check as regionNotCovered } from './region-not-covered.js';

/**
 * The registry: every root cause, in the order its check runs (runbook step order). One file per
 * root-cause id, exporting its `check` with all its knowledge (precedence, relations, trigger events,
 * evidence read, meaning, fix); every table the diagnosis needs is derived from this list, and
 * `registry.test.ts` fails, naming the missing piece, when a cause file, its docs page, its test or
 * its demo scenario is missing. There is no `healthy` check: see HEALTHY.
 */
export const CHECKS: readonly CauseDefinition[] = [
  trailNotFound,
  cloudtrailServiceIssue,
  loggingStopped,
  s3BucketMissing,
  s3BucketPolicyDenies,
  s3KmsKeyDenies,
  s3RequesterPays,
  s3DeliveryError,
  cloudwatchLogsNotConfigured,
  cloudwatchLogGroupMissing,
  cloudwatchRoleInvalid,
  cloudwatchDeliveryError,
  cloudwatchEventSizeLimit,
  eventSelectorsExcludeEvents,
  singleRegionTrail,
  globalServiceEventsExcluded,
  deliveryStopped,
  deliveryGaps,
  deliveryDelayed,
  logsExpiredByRetention,
  logsExpiredByLifecycle,
  organizationPolicyDenies,
  organizationTrailMisconfigured,
  snsTopicPolicyDenies,
  snsNotificationFailing,
  logIntegrityValidationFailed,
  logFileValidationDisabled,
  accessLogsFeedThemselves,
  regionNotCovered,
];

/** The conclusion when no cause is found: not a check, but it has a place in the precedence and docs. */
export const HEALTHY = {
  id: 'healthy',
  title: 'No fault found',
  precedence: { tier: 'fallback', rank: 1000 },
  meaning: 'logging and delivering on schedule',
} as const satisfies { id: RootCauseId; title: string; precedence: Precedence; meaning: string };
