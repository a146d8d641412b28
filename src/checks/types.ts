import type { Evidence } from '../evidence/schema.js';
import type { ChangeEventName } from '../evidence/change-events.js';

// The vocabulary shared with the other layers lives in src/model; checks keep using it from here.
export { ROOT_CAUSE_IDS } from '../model/index.js';
export type { Confidence, Remediation, RootCauseId, Severity, StepNumber, Trigger, Unverified } from '../model/index.js';
import type { Confidence, Remediation, RootCauseId, StepNumber, Severity, Trigger, Unverified } from '../model/index.js';

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
