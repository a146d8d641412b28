import type { Evidence } from '../evidence/schema.js';
import type { Check, Confidence, Finding, RootCauseId, Severity, StepNumber, Unverified } from '../checks/types.js';
import type { DiagnosisVerdict, RootCause } from '../model/index.js';
import { inertLine } from '../util/text.js';

/**
 * The runbook's diagnosis steps 1–5 and its fallback as precedence tiers: a cause of a lower tier
 * explains missing events before one of a higher tier when both are equally certain.
 */
export const PRECEDENCE: readonly (readonly RootCauseId[])[] = [
  // (1) the trail and its logging status; delivery errors CloudTrail reports
  ['trail-not-found', 'logging-stopped', 'cloudtrail-service-issue', 'event-selectors-exclude-events', 's3-delivery-error', 'cloudwatch-delivery-error'],
  // (2) IAM: the CloudWatch Logs delivery role (and the log group it writes to)
  ['cloudwatch-role-invalid', 'cloudwatch-log-group-missing'],
  // (3) the S3 bucket, its key and the organization's policies
  ['s3-bucket-missing', 's3-bucket-policy-denies', 's3-kms-key-denies', 's3-requester-pays', 'organization-policy-denies'],
  // (4) log file delivery
  ['delivery-stopped', 'delivery-gaps', 'cloudwatch-event-size-limit', 'delivery-delayed'],
  // fallback: retention/lifecycle, organization trail, integrity, coverage (selectors: tier 1), validation
  ['logs-expired-by-retention', 'logs-expired-by-lifecycle', 'organization-trail-misconfigured', 'log-integrity-validation-failed', 'single-region-trail', 'global-service-events-excluded', 'cloudwatch-logs-not-configured', 'sns-notification-failing', 'log-file-validation-disabled', 'healthy'],
];

const TIER = new Map<RootCauseId, number>();
const ORDER = new Map<RootCauseId, number>();
PRECEDENCE.forEach((ids, tier) =>
  ids.forEach((id) => {
    if (!TIER.has(id)) {
      TIER.set(id, tier);
      ORDER.set(id, ORDER.size);
    }
  }),
);
export const precedenceTier = (id: RootCauseId): number => TIER.get(id) ?? PRECEDENCE.length;

const CONFIDENCE_RANK: Record<Confidence, number> = { confirmed: 0, likely: 1, possible: 2 };
const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

/** Specific causes that explain a generic delivery error, merged with the finding's `data.explainedBy`. */
export const EXPLAINED_BY: Partial<Record<RootCauseId, readonly RootCauseId[]>> = {
  's3-delivery-error': ['s3-bucket-missing', 's3-bucket-policy-denies', 's3-kms-key-denies', 's3-requester-pays', 'organization-policy-denies', 'organization-trail-misconfigured'],
  'cloudwatch-delivery-error': ['cloudwatch-log-group-missing', 'cloudwatch-role-invalid'],
};

/** Causes that explain silence: a delivery-stopped/-gaps finding ranks below any of them. */
export const SILENCE_EXPLAINERS: ReadonlySet<RootCauseId> = new Set([
  'trail-not-found', 'logging-stopped', 'cloudtrail-service-issue', 'event-selectors-exclude-events', 's3-delivery-error', 'cloudwatch-delivery-error',
  'cloudwatch-role-invalid', 'cloudwatch-log-group-missing',
  's3-bucket-missing', 's3-bucket-policy-denies', 's3-kms-key-denies', 's3-requester-pays', 'organization-policy-denies', 'organization-trail-misconfigured',
]);
const SILENCE_SYMPTOMS: ReadonlySet<RootCauseId> = new Set(['delivery-stopped', 'delivery-gaps']);

export interface ScoredFinding {
  finding: Finding;
  check: { id: RootCauseId; title: string; step: StepNumber; severity: Severity };
}

export interface CheckRun {
  findings: ScoredFinding[];
  unverified: Unverified[];
}

const isStrong = (c: Confidence) => c === 'confirmed' || c === 'likely';

function validFinding(f: unknown): f is Finding {
  if (!f || typeof f !== 'object') return false;
  const o = f as Record<string, unknown>;
  return typeof o.id === 'string' && (o.confidence === 'confirmed' || o.confidence === 'likely' || o.confidence === 'possible') && typeof o.summary === 'string';
}

/** Runs every check isolated: one that throws (or returns garbage) becomes an Unverified entry. */
export function runChecks(checks: readonly Check[], evidence: Evidence): CheckRun {
  const now = new Date(evidence.collectedAt);
  const findings: ScoredFinding[] = [];
  const unverified: Unverified[] = [];
  for (const check of checks) {
    const meta = { id: check.id, title: check.title, step: check.step, severity: check.severity };
    try {
      const result = check.run({ evidence, now });
      if (!result || !Array.isArray(result.findings) || !Array.isArray(result.unverified)) throw new Error('returned no result');
      for (const f of result.findings) {
        if (!validFinding(f)) throw new Error('returned a malformed finding');
        findings.push({ finding: { ...f, evidence: Array.isArray(f.evidence) ? f.evidence : [] }, check: meta });
      }
      for (const u of result.unverified) if (u && typeof u.what === 'string') unverified.push({ ...u, needs: typeof u.needs === 'string' ? u.needs : '' });
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      unverified.push({ step: check.step, what: `check ${check.id} failed: ${inertLine(msg, 300)}`, needs: 'n/a (an internal error of trail-doctor; please report it)' });
    }
  }
  return { findings, unverified };
}

/** Drops generic delivery errors a specific cause explains; one entry per id (the strongest). */
export function deduplicate(found: readonly ScoredFinding[]): ScoredFinding[] {
  const strongIds = new Set(found.filter((s) => isStrong(s.finding.confidence)).map((s) => s.finding.id));
  const kept = found.filter((s) => {
    const base = EXPLAINED_BY[s.finding.id];
    const declared = Array.isArray(s.finding.data?.explainedBy) ? (s.finding.data.explainedBy as unknown[]).filter((x): x is RootCauseId => typeof x === 'string') : [];
    if (!base && !declared.length) return true;
    return ![...(base ?? []), ...declared].some((id) => id !== s.finding.id && strongIds.has(id));
  });
  // the same id reported twice (e.g. by two checks): keep the most certain
  const best = new Map<string, ScoredFinding>();
  const out: ScoredFinding[] = [];
  for (const s of kept) {
    const key = `${s.finding.id}\u0000${s.finding.summary}`;
    const prev = best.get(key);
    if (!prev) {
      best.set(key, s);
      out.push(s);
    } else if (CONFIDENCE_RANK[s.finding.confidence] < CONFIDENCE_RANK[prev.finding.confidence]) {
      out[out.indexOf(prev)] = s;
      best.set(key, s);
    }
  }
  return out;
}

/**
 * Ranked most probable first: confidence, then the runbook's precedence tier, then severity, then
 * catalogue order. A delivery-stopped / delivery-gaps symptom ranks below every confirmed/likely
 * configuration cause that explains the silence.
 */
export function rank(found: readonly ScoredFinding[]): ScoredFinding[] {
  const explained = found.some((s) => SILENCE_EXPLAINERS.has(s.finding.id) && isStrong(s.finding.confidence));
  // a demoted symptom sorts after every confirmed/likely cause but before the possible ones
  const conf = (s: ScoredFinding) => (explained && SILENCE_SYMPTOMS.has(s.finding.id) && isStrong(s.finding.confidence) ? 1.5 : CONFIDENCE_RANK[s.finding.confidence]);
  return found
    .map((s, i) => ({ s, i }))
    .sort(
      (a, b) =>
        conf(a.s) - conf(b.s) ||
        precedenceTier(a.s.finding.id) - precedenceTier(b.s.finding.id) ||
        SEVERITY_RANK[a.s.check.severity] - SEVERITY_RANK[b.s.check.severity] ||
        (ORDER.get(a.s.finding.id) ?? 999) - (ORDER.get(b.s.finding.id) ?? 999) ||
        a.i - b.i,
    )
    .map((x) => x.s);
}

export function toRootCause(s: ScoredFinding): RootCause {
  const f = s.finding;
  const rc: RootCause = {
    id: f.id,
    confidence: f.confidence,
    severity: s.check.severity,
    title: s.check.id === f.id ? s.check.title : f.id,
    summary: f.summary,
    evidence: [...f.evidence],
    remediation: f.remediation && typeof f.remediation === 'object' ? { ...f.remediation, commands: Array.isArray(f.remediation.commands) ? [...f.remediation.commands] : [] } : { summary: '', commands: [] },
  };
  if (f.trigger) rc.trigger = f.trigger;
  const data: Record<string, unknown> = { ...(f.data ?? {}) };
  if (f.since) data.since = f.since;
  if (f.resources?.length) data.resources = f.resources;
  if (Object.keys(data).length) rc.data = data;
  return rc;
}

export function healthyCause(evidence: Evidence): RootCause {
  const t = evidence.steps.s1.trail.value;
  const st = evidence.steps.s2.status.value;
  const evidenceLines: string[] = [];
  if (st) evidenceLines.push(`step 2: IsLogging ${st.isLogging}${st.latestDeliveryTime ? `, last delivery ${st.latestDeliveryTime}` : ''}, no delivery error`);
  const newest = evidence.steps.s6.listing.value?.newest?.deliveryTime;
  if (newest) evidenceLines.push(`step 6: newest log file delivered ${newest}`);
  if (evidence.steps.s3.newestEventTime) evidenceLines.push(`step 3: newest CloudWatch Logs event ${evidence.steps.s3.newestEventTime}`);
  return {
    id: 'healthy',
    confidence: 'confirmed',
    severity: 'info',
    title: 'No fault found',
    summary: `Trail ${inertLine(t?.name ?? evidence.target.trail, 200)} is logging and delivering on schedule; every step could be checked.`,
    evidence: evidenceLines,
    remediation: { summary: 'Nothing to fix.', commands: [] },
  };
}

export function verdictOf(causes: readonly RootCause[], blocking: readonly Unverified[]): DiagnosisVerdict {
  if (causes.some((c) => isStrong(c.confidence))) return 'problem';
  if (blocking.length) return 'inconclusive';
  return 'healthy';
}

/**
 * The steps a confirmed/likely cause is based on: its check's step, step 9 when a change explains
 * it, and step 2 when the trail status itself shows the fault (logging off, a delivery error).
 * Evidence lines citing other steps are often corroboration ("CloudWatch Logs still flows"), so
 * they do not mark those steps.
 */
export function problemSteps(ranked: readonly ScoredFinding[], evidence: Evidence): Set<StepNumber> {
  const out = new Set<StepNumber>();
  const strong = ranked.filter((s) => isStrong(s.finding.confidence));
  for (const s of strong) {
    // a delivery symptom about CloudWatch Logs is seen in step 3, not in the S3 listing of step 6
    const cwl = s.finding.data?.destination === 'cloudwatch-logs' && (s.finding.id === 'delivery-stopped' || s.finding.id === 'delivery-gaps');
    out.add(cwl ? 3 : s.check.step);
    if (s.finding.trigger) out.add(9);
  }
  const st = evidence.steps.s2.status.status === 'ok' ? evidence.steps.s2.status.value : undefined;
  if (strong.length && st && (!st.isLogging || st.latestDeliveryError || st.latestCloudWatchLogsDeliveryError)) out.add(2);
  return out;
}
