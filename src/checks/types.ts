import type { Evidence } from '../evidence/schema.js';
import type { ChangeEventName } from '../evidence/change-events.js';

/**
 * Stable ids of the root causes (docs/causes/<id>.md). File name, registry key and JSON `id` are one
 * string. The type vocabulary only: everything else about a cause lives in src/checks/<id>.ts, and
 * src/checks/registry.test.ts fails when this list and the registry disagree.
 */
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
  /** Narrows the cause's `triggerEvents` for this finding (e.g. CreateTrail for a trail never started). */
  triggerEvents?: ChangeEventName[];
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

/** What the diagnosis runs: a check. Its knowledge as a root cause is a `CauseDefinition`. */
export interface Check {
  id: RootCauseId;
  title: string;
  /** The runbook playbook step whose evidence mainly proves it. */
  step: StepNumber;
  severity: Severity;
  /** Pure: evidence in, findings out. Never throws on missing evidence; reports it as unverified. */
  run(ctx: CheckContext): CheckResult;
}

/**
 * The runbook's diagnosis steps 1–5 and its fallback, in order: a cause of an earlier tier explains
 * missing events before one of a later tier when both are equally certain.
 */
export const PRECEDENCE_TIERS = [
  /** (1) the trail and its logging status; delivery errors CloudTrail reports */
  'trail',
  /** (2) IAM: the CloudWatch Logs delivery role (and the log group it writes to) */
  'cloudwatch-role',
  /** (3) the S3 bucket, its key and the organization's policies */
  'bucket',
  /** (4) log file delivery */
  'delivery',
  /** fallback: retention, lifecycle, organization trail, integrity, coverage, notifications, validation */
  'fallback',
] as const;
export type PrecedenceTier = (typeof PRECEDENCE_TIERS)[number];

export interface Precedence {
  tier: PrecedenceTier;
  /** Order inside the tier, lowest first (the last tie-break after confidence and severity). Unique in its tier. */
  rank: number;
}

/** A more specific cause that, when found (confirmed/likely), makes this finding redundant. */
export interface ExplainedBy {
  cause: RootCauseId;
  /** Only when this holds for the finding (e.g. the error text points to that cause). */
  when: (finding: Finding) => boolean;
  /** Why, in one phrase, for the documentation. */
  why: string;
}

/** How a cause relates to others: declared once here, the diagnosis derives its tables from it. */
export interface Relations {
  /**
   * A catch-all cause: what is left when none of these causes is found. The diagnosis drops its
   * finding (and what its check left unverified) when any of them is confirmed or likely.
   */
  residueOf?: readonly RootCauseId[];
  /** Specific causes that make a finding of this cause redundant, under a condition. */
  explainedBy?: readonly ExplainedBy[];
  /** A configuration cause that explains silence: delivery-stopped/-gaps rank below it. */
  explainsSilence?: true;
  /** A silence symptom: ranked below every confirmed/likely cause that `explainsSilence`. */
  silenceSymptom?: true;
}

/** A path into the evidence a cause reads: `s4.policy`, `s2.status`, `gaps`, `integrity`. */
export type EvidenceRef = `s${StepNumber}.${string}` | 'gaps' | 'integrity' | 'window' | 'target';

/**
 * Everything trail-doctor knows about one root cause, exported by src/checks/<id>.ts as `check`.
 * The registry (src/checks/index.ts) lists them; the diagnosis tables, the docs parity and README's
 * table are derived from or checked against these fields.
 */
export interface CauseDefinition extends Check {
  precedence: Precedence;
  relations?: Relations;
  /** Change events (the catalogue of src/evidence/change-events.ts) that can produce it, most specific first. A finding may narrow them. */
  triggerEvents: readonly ChangeEventName[];
  /**
   * A configuration state rather than the moment delivery stopped: its `since` (e.g. a retention
   * cut-off) is not when the change happened, so correlation takes the most recent matching change.
   */
  state?: true;
  /** The evidence its check reads. */
  reads: readonly EvidenceRef[];
  /** One line: what it means (README's root-cause table, and the lead of docs/causes/<id>.md). */
  meaning: string;
  /** One line: how it is fixed (the check's remediation gives the exact commands). */
  fix: string;
  /** Set when the cause has no demo scenario in src/demo/scenarios/: why not. */
  noDemo?: string;
}

export const none = (): CheckResult => ({ findings: [], unverified: [] });
