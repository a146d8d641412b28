import type { StepNumber } from './steps.js';

/** Stable ids of the root causes. File name, registry key and JSON `id` are one string. */
export const ROOT_CAUSE_IDS = [
  'trail-not-found',
  'cloudtrail-service-issue',
  'logging-stopped',
  's3-bucket-missing',
  's3-bucket-policy-denies',
  's3-kms-key-denies',
  's3-requester-pays',
  's3-delivery-error',
  'cloudwatch-logs-not-configured',
  'cloudwatch-log-group-missing',
  'cloudwatch-role-invalid',
  'cloudwatch-delivery-error',
  'cloudwatch-event-size-limit',
  'event-selectors-exclude-events',
  'single-region-trail',
  'global-service-events-excluded',
  'delivery-stopped',
  'delivery-gaps',
  'delivery-delayed',
  'logs-expired-by-retention',
  'logs-expired-by-lifecycle',
  'organization-policy-denies',
  'sns-notification-failing',
  'sns-topic-policy-denies',
  'organization-trail-misconfigured',
  'log-integrity-validation-failed',
  'log-file-validation-disabled',
  'access-logs-feed-themselves',
  'region-not-covered',
  'healthy',
] as const;
export type RootCauseId = (typeof ROOT_CAUSE_IDS)[number];

/**
 * confirmed: the evidence proves it. likely: strong signal, one link inferred.
 * possible: a condition that explains some missing events (e.g. another region's) without
 * delivery being broken; it never makes the verdict `problem` on its own.
 */
export type Confidence = 'confirmed' | 'likely' | 'possible';

/** How bad the cause is when true: ordering among causes of equal confidence. */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

export interface Remediation {
  /** One or two sentences: what to do, with the real names. */
  summary: string;
  /** Exact AWS CLI commands, in order, with the real bucket, trail, account, region. */
  commands: string[];
  /** A corrected policy document, when the fix is a policy. */
  policy?: unknown;
}

/** The configuration change that explains a cause (runbook diagnosis step 5). */
export interface Trigger {
  eventName: string;
  eventTime: string;
  actor?: string;
  sourceIPAddress?: string;
  requestParameters?: unknown;
  eventId?: string;
  source: 'event-history' | 'log-group' | 's3';
}

/** Something a check needed but could not observe, and the IAM action that would show it. */
export interface Unverified {
  step: StepNumber;
  what: string;
  needs: string;
  reason?: string;
  /** The call that failed, as its IAM action (`needs` is the permission only for a refusal). */
  call?: string;
  /** A corroborating source (metrics, Insights, Health, a fallback that answered): listed, but it never makes the verdict inconclusive. */
  optional?: boolean;
}
