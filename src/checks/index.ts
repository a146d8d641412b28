import type { Check } from './types.js';
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
import { check as snsNotificationFailing } from './sns-notification-failing.js';
import { check as organizationPolicyDenies } from './organization-policy-denies.js';
import { check as organizationTrailMisconfigured } from './organization-trail-misconfigured.js';
import { check as logIntegrityValidationFailed } from './log-integrity-validation-failed.js';
import { check as regionNotCovered } from './region-not-covered.js';

/**
 * Every check, in runbook order (step, then the precedence of ../shared/reference/root-causes.md).
 * One file per root-cause id; `registry.test.ts` fails when a check file is not listed here.
 * There is no `healthy` check: the diagnosis concludes `healthy` when nothing is found.
 */
export const CHECKS: readonly Check[] = [
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
  snsNotificationFailing,
  logIntegrityValidationFailed,
  logFileValidationDisabled,
  regionNotCovered,
];

/** Looks a check up by its root-cause id. */
export const checkById = (id: string): Check | undefined => CHECKS.find((c) => c.id === id);
