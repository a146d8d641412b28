import type { Evidence } from '../evidence/schema.js';
import type { RootCauseId } from '../checks/types.js';
import type { DiagnosisVerdict } from '../model/index.js';
import { scenario as healthy } from './scenarios/healthy.js';
import { scenario as trailNotFound } from './scenarios/trail-not-found.js';
import { scenario as loggingStopped } from './scenarios/logging-stopped.js';
import { scenario as s3BucketMissing } from './scenarios/s3-bucket-missing.js';
import { scenario as s3BucketPolicyDenies } from './scenarios/s3-bucket-policy-denies.js';
import { scenario as s3KmsKeyDenies } from './scenarios/s3-kms-key-denies.js';
import { scenario as s3RequesterPays } from './scenarios/s3-requester-pays.js';
import { scenario as s3DeliveryError } from './scenarios/s3-delivery-error.js';
import { scenario as cloudwatchLogsNotConfigured } from './scenarios/cloudwatch-logs-not-configured.js';
import { scenario as cloudwatchLogGroupMissing } from './scenarios/cloudwatch-log-group-missing.js';
import { scenario as cloudwatchRoleInvalid } from './scenarios/cloudwatch-role-invalid.js';
import { scenario as cloudwatchDeliveryError } from './scenarios/cloudwatch-delivery-error.js';
import { scenario as eventSelectorsExcludeEvents } from './scenarios/event-selectors-exclude-events.js';
import { scenario as singleRegionTrail } from './scenarios/single-region-trail.js';
import { scenario as globalServiceEventsExcluded } from './scenarios/global-service-events-excluded.js';
import { scenario as deliveryStopped } from './scenarios/delivery-stopped.js';
import { scenario as deliveryGaps } from './scenarios/delivery-gaps.js';
import { scenario as deliveryDelayed } from './scenarios/delivery-delayed.js';
import { scenario as logsExpiredByRetention } from './scenarios/logs-expired-by-retention.js';
import { scenario as logsExpiredByLifecycle } from './scenarios/logs-expired-by-lifecycle.js';
import { scenario as logFileValidationDisabled } from './scenarios/log-file-validation-disabled.js';
import { scenario as snsTopicPolicyDenies } from './scenarios/sns-topic-policy-denies.js';

/**
 * Embedded demo scenarios: realistic accounts with one fault each, built from the healthy fixture
 * (src/evidence/builder.ts) with the fault's consequences made consistent, on a fixed clock
 * (2026-11-24T04:00:00Z). `trail-doctor demo <id>` replays one through the same diagnosis as a live
 * run; src/demo/scenarios.test.ts asserts each `expect`.
 */
export interface Scenario {
  /** The root-cause id it demonstrates, or 'healthy'. */
  id: string;
  title: string;
  description: string;
  /** A fresh evidence object on every call (callers may mutate it). */
  evidence: () => Evidence;
  expect: {
    verdict: DiagnosisVerdict;
    /** The top confirmed/likely root cause; for a cause that is only ever 'possible', present in rootCauses. */
    rootCause: RootCauseId;
    /** The trigger's eventName, when a configuration change caused it. */
    trigger?: string;
    exitCode: number;
  };
}

export const SCENARIOS: readonly Scenario[] = [
  healthy,
  trailNotFound,
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
  eventSelectorsExcludeEvents,
  singleRegionTrail,
  globalServiceEventsExcluded,
  deliveryStopped,
  deliveryGaps,
  deliveryDelayed,
  logsExpiredByRetention,
  logsExpiredByLifecycle,
  logFileValidationDisabled,
  snsTopicPolicyDenies,
];

export const scenarioById = (id: string): Scenario | undefined => SCENARIOS.find((s) => s.id === id);
