import type { Evidence } from '../evidence/schema.js';

/** Stable ids of ../shared/reference/root-causes.md. File name, registry key and JSON `id` are one string. */
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
  'organization-trail-misconfigured',
  'log-integrity-validation-failed',
  'log-file-validation-disabled',
  'healthy',
] as const;
export type RootCauseId = (typeof ROOT_CAUSE_IDS)[number];

export type StepNumber = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

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

export interface Finding {
  id: RootCauseId;
  confidence: Confidence;
  /** One sentence with the real names: what is wrong. */
  summary: string;
  /** The chain of evidence, each link naming its runbook step: "step 2: LatestDeliveryError = AccessDenied". */
  evidence: string[];
  remediation: Remediation;
  /**
   * Names of resources this cause is about (bucket, key id/ARN, role name, log group, trail name/ARN),
   * used to correlate configuration changes that touched them.
   */
  resources?: string[];
  /** Event names that could have caused this (e.g. PutBucketPolicy, DeleteBucketPolicy). */
  triggerEvents?: string[];
  /** When the fault began, if the evidence shows it (e.g. last delivery before silence). */
  since?: string;
  /** Set by the diagnosis when a change event explains the finding. */
  trigger?: Trigger;
  /** Structured facts for renderers and tests (statement ids, gap windows, ...). */
  data?: Record<string, unknown>;
}

/** Something a check needed but could not observe, and the IAM action that would show it. */
export interface Unverified {
  step: StepNumber;
  what: string;
  needs: string;
  reason?: string;
  /** A corroborating source (metrics, Insights, Health): listed, but it never makes the verdict inconclusive. */
  optional?: boolean;
}

export interface CheckResult {
  findings: Finding[];
  unverified: Unverified[];
}

export interface CheckContext {
  evidence: Evidence;
  /** The diagnosis clock: evidence.collectedAt, so a replay gives the same verdict. */
  now: Date;
}

export interface Check {
  id: RootCauseId;
  title: string;
  /** The runbook playbook step whose evidence mainly proves it. */
  step: StepNumber;
  severity: Severity;
  /** Pure: evidence in, findings out. Never throws on missing evidence; reports it as unverified. */
  run(ctx: CheckContext): CheckResult;
}

export const none = (): CheckResult => ({ findings: [], unverified: [] });
