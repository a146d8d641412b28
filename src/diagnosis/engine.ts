import type { Evidence } from '../evidence/schema.js';
import type { CauseDefinition, Check, Confidence, Finding, RootCauseId, Severity, StepNumber, Unverified } from '../checks/types.js';
import { PRECEDENCE_TIERS } from '../checks/types.js';
import { CHECKS, HEALTHY } from '../checks/index.js';
import type { DiagnosisVerdict, RootCause } from '../model/index.js';
import { inertLine } from '../util/text.js';

/** The registry by id: every table below is derived from what each cause declares in src/checks/<id>.ts. */
const CAUSES = new Map<RootCauseId, CauseDefinition>(CHECKS.map((c) => [c.id, c]));

const PLACES = [...CHECKS, HEALTHY]
  .map((c) => ({ id: c.id as RootCauseId, tier: PRECEDENCE_TIERS.indexOf(c.precedence.tier), rank: c.precedence.rank }))
  .sort((a, b) => a.tier - b.tier || a.rank - b.rank);

/**
 * The runbook's diagnosis steps 1–5 and its fallback as precedence tiers (PRECEDENCE_TIERS), each
 * cause in the tier its file declares, by rank: a cause of a lower tier explains missing events
 * before one of a higher tier when both are equally certain.
 */
export const PRECEDENCE: readonly (readonly RootCauseId[])[] = PRECEDENCE_TIERS.map((_, tier) => PLACES.filter((p) => p.tier === tier).map((p) => p.id));

const TIER = new Map<RootCauseId, number>(PLACES.map((p) => [p.id, p.tier]));
const ORDER = new Map<RootCauseId, number>(PLACES.map((p, i) => [p.id, i]));

/** Whether the registry knows this id (a registered cause or `healthy`). */
export const isKnownCause = (id: string): id is RootCauseId => TIER.has(id as RootCauseId);

/** The precedence tier of a cause. An id without one is a registry bug, never ranked silently. */
export function precedenceTier(id: RootCauseId): number {
  const tier = TIER.get(id);
  if (tier === undefined) throw new Error(`root cause ${id} has no precedence tier: add src/checks/${id}.ts to CHECKS (src/checks/index.ts) with its \`precedence\``);
  return tier;
}

const CONFIDENCE_RANK: Record<Confidence, number> = { confirmed: 0, likely: 1, possible: 2 };
const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

/** Specific causes that can make a finding redundant: its `residueOf` group and its `explainedBy` causes. */
export const EXPLAINED_BY: Partial<Record<RootCauseId, readonly RootCauseId[]>> = Object.fromEntries(
  CHECKS.filter((c) => c.relations?.residueOf?.length || c.relations?.explainedBy?.length).map((c) => [
    c.id,
    [...new Set([...(c.relations?.residueOf ?? []), ...(c.relations?.explainedBy ?? []).map((x) => x.cause)])],
  ]),
);

/** Causes that explain silence: a delivery-stopped/-gaps finding ranks below any of them. */
export const SILENCE_EXPLAINERS: ReadonlySet<RootCauseId> = new Set(CHECKS.filter((c) => c.relations?.explainsSilence).map((c) => c.id));
const SILENCE_SYMPTOMS: ReadonlySet<RootCauseId> = new Set(CHECKS.filter((c) => c.relations?.silenceSymptom).map((c) => c.id));

/** The causes that, when found, make this finding redundant (its conditions judged on the finding). */
function explainersOf(f: Finding): RootCauseId[] {
  const r = CAUSES.get(f.id)?.relations;
  if (!r) return [];
  const conditional = (r.explainedBy ?? []).filter((x) => {
    try {
      return x.when(f);
    } catch {
      return false;
    }
  });
  return [...(r.residueOf ?? []), ...conditional.map((x) => x.cause)];
}

export interface ScoredFinding {
  finding: Finding;
  check: { id: RootCauseId; title: string; step: StepNumber; severity: Severity };
}

export interface CheckRun {
  findings: ScoredFinding[];
  unverified: Unverified[];
  /** The check each `unverified` entry came from, index for index. */
  unverifiedFrom: RootCauseId[];
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
  const unverifiedFrom: RootCauseId[] = [];
  for (const check of checks) {
    const meta = { id: check.id, title: check.title, step: check.step, severity: check.severity };
    try {
      const result = check.run({ evidence, now });
      if (!result || !Array.isArray(result.findings) || !Array.isArray(result.unverified)) throw new Error('returned no result');
      const mine: ScoredFinding[] = [];
      for (const f of result.findings) {
        if (!validFinding(f)) throw new Error('returned a malformed finding');
        if (!isKnownCause(f.id)) throw new Error(`returned a finding with the unregistered root-cause id ${inertLine(f.id, 100)}`);
        mine.push({ finding: { ...f, evidence: Array.isArray(f.evidence) ? f.evidence : [] }, check: meta });
      }
      const mineUnverified = result.unverified.filter((u) => u && typeof u.what === 'string').map((u) => ({ ...u, needs: typeof u.needs === 'string' ? u.needs : '' }));
      findings.push(...mine);
      unverified.push(...mineUnverified);
      unverifiedFrom.push(...mineUnverified.map(() => check.id));
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      unverified.push({ step: check.step, what: `check ${check.id} failed: ${inertLine(msg, 300)}`, needs: 'n/a (an internal error of trail-doctor; please report it)' });
      unverifiedFrom.push(check.id);
    }
  }
  return { findings, unverified, unverifiedFrom };
}

/**
 * Drops findings a more specific cause explains (a catch-all's `residueOf` group, a cause's
 * `explainedBy`); one entry per id (the strongest).
 */
export function deduplicate(found: readonly ScoredFinding[]): ScoredFinding[] {
  const strongIds = new Set(found.filter((s) => isStrong(s.finding.confidence)).map((s) => s.finding.id));
  const kept = found.filter((s) => !explainersOf(s.finding).some((id) => id !== s.finding.id && strongIds.has(id)));
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

/**
 * What the checks left unverified, without the entries of a catch-all cause whose every finding a
 * specific cause explained: its open questions no longer bear on the diagnosis.
 */
export function liveUnverified(run: CheckRun, kept: readonly ScoredFinding[]): Unverified[] {
  const explained = new Set<RootCauseId>();
  for (const s of run.findings) if (CAUSES.get(s.check.id)?.relations?.residueOf?.length) explained.add(s.check.id);
  for (const s of kept) explained.delete(s.check.id);
  return run.unverified.filter((_, i) => !explained.has(run.unverifiedFrom[i]!));
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
