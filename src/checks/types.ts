import type { Evidence } from '../evidence/schema.js';

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
  /** Event names that could have caused this (e.g. PutBucketPolicy, DeleteBucketPolicy). */
  triggerEvents?: string[];
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
