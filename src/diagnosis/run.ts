import type { AwsClients } from '../aws/clients.js';
import { collect, type CollectRequest } from '../collect/index.js';
import { collectIntegrity, type IntegrityEvidence } from '../integrity/index.js';
import { VALIDATE_ACTIONS } from '../integrity/actions.js';
import { collectGaps, couldNotCheck, type GapProgress } from '../gaps/index.js';
import { GAPS_ACTIONS } from '../gaps/actions.js';
import { changesFromS3 } from '../gaps/s3-changes.js';
import { mergeChangeEvents } from '../evidence/events.js';
import type { Evidence } from '../evidence/schema.js';
import { inertLine } from '../util/text.js';
import { diagnose } from './index.js';
import { measurePhase, sequentialChain, type PhaseSpend } from './spend.js';

/**
 * The whole runbook against a live account: the nine steps, then integrity validation when the
 * trail has it on, then — only when the first pass finds no cause — the audit-gap engine against
 * event history (the runbook's "if no correlation is found" fallback). A pass that fails becomes
 * evidence saying what could not be verified, never a silent healthy. `diagnose`, `collect`, and
 * the fleet and watch commands all run this.
 */

/**
 * LookupEvents calls the diagnosis fallback may spend (2 per second: 30 s at most). The `gaps`
 * command spends more and says how much it sampled.
 */
export const DIAGNOSE_GAP_LOOKUP_CALLS = 60;

/**
 * What the fallback may read from S3: only the log files where the event-history sample put
 * events, and at most this many (an hour of a busy trail delivers a few dozen files).
 */
export const DIAGNOSE_GAP_S3_BUDGET = { maxFiles: 1_000, maxBytes: 256 * 1024 * 1024 } as const;

/** What runs after the nine steps, for a live display. */
export type DiagnosisPhase = { phase: 'integrity' } | { phase: 'gaps'; progress?: GapProgress; firstPass?: FirstPass };

/** What the nine steps concluded, told to the display before the gap fallback starts. */
export interface FirstPass {
  verdict: Report['verdict'];
  /** Causes found (the fallback runs only when none is confirmed or likely). */
  causes: number;
}

export interface DiagnosisOptions {
  /** Validate the digest chain over the window when the trail has LogFileValidationEnabled. */
  integrity: boolean;
  /** 'auto': measure gaps only when the first diagnosis finds no confirmed/likely cause. */
  gaps: 'auto' | 'always' | 'never';
  /** Told what runs after the nine steps; undefined when it is done. */
  onPhase?: (phase: DiagnosisPhase | undefined) => void;
}

type Report = ReturnType<typeof diagnose>;

export interface Diagnosed {
  evidence: Evidence;
  report: Report;
}

/** Runs the integrity pass into the evidence; a failure is unverified integrity naming the permissions. */
async function integrityPass(clients: AwsClients, evidence: Evidence): Promise<void> {
  try {
    evidence.integrity = await collectIntegrity(clients, evidence);
  } catch (e) {
    const integrity: IntegrityEvidence = {
      status: 'unverified',
      window: evidence.window,
      problems: [],
      problemsTruncated: false,
      reason: `digest-chain validation failed: ${inertLine((e as Error)?.message ?? String(e))}`,
      needs: VALIDATE_ACTIONS.join(', '),
    };
    evidence.integrity = integrity;
  }
}

/**
 * Step 9 when neither event history nor the log group answered: the configuration changes from the
 * trail's own S3 log files around the moments delivery stopped, merged into the step's changes.
 */
async function s3ChangesPass(clients: AwsClients, evidence: Evidence): Promise<void> {
  const s9 = evidence.steps.s9;
  let fromS3;
  try {
    fromS3 = await changesFromS3(clients, evidence);
  } catch (e) {
    fromS3 = { status: 'error' as const, needs: 's3:ListBucket, s3:GetObject', reason: `reading changes from the S3 log files failed: ${inertLine((e as Error)?.message ?? String(e))}` };
  }
  if (!fromS3) return;
  s9.fromS3 = fromS3;
  if (fromS3.status === 'ok') s9.changes = mergeChangeEvents(s9.changes, fromS3.value);
}

/** Does the gap fallback run after a first diagnosis? */
export function needsGapFallback(mode: DiagnosisOptions['gaps'], first: Report): boolean {
  return mode === 'always' || (mode === 'auto' && first.verdict !== 'problem');
}

export async function runDiagnosis(clients: AwsClients, req: CollectRequest, opts: DiagnosisOptions): Promise<Diagnosed> {
  const firstLogged = clients.calls.length;
  const phases: Record<string, PhaseSpend> = {};
  const first = measurePhase(clients);
  const evidence = await collect(clients, req);
  const accessLogs = evidence.steps.s4.accessLogs;
  phases.firstPass = first.end(accessLogs?.status === 'ok' ? accessLogs.value?.summary?.bytesRead : undefined, evidence.stats?.longestChain);
  const trailOk = evidence.steps.s1.trail.status === 'ok';
  if (trailOk) await s3ChangesPass(clients, evidence);
  if (opts.integrity && trailOk && evidence.steps.s1.trail.value?.logFileValidationEnabled) {
    opts.onPhase?.({ phase: 'integrity' });
    const m = measurePhase(clients);
    await integrityPass(clients, evidence);
    phases.integrity = m.end();
  }
  let report = diagnose(evidence);
  if (trailOk && needsGapFallback(opts.gaps, report)) {
    const firstPass: FirstPass = { verdict: report.verdict, causes: report.rootCauses.filter((c) => c.id !== 'healthy').length };
    opts.onPhase?.({ phase: 'gaps', firstPass });
    const m = measurePhase(clients);
    try {
      evidence.gaps = await collectGaps(clients, evidence, {
        maxLookupCalls: DIAGNOSE_GAP_LOOKUP_CALLS,
        s3Budget: DIAGNOSE_GAP_S3_BUDGET,
        onProgress: (progress) => opts.onPhase?.({ phase: 'gaps', progress, firstPass }),
      });
      report = diagnose(evidence);
    } catch (e) {
      const w = { start: new Date(evidence.window.start), end: new Date(evidence.window.end) };
      const reason = `the audit-gap measurement failed: ${inertLine((e as Error)?.message ?? String(e))}`;
      evidence.gaps = couldNotCheck(w, evidence.target.trail, evidence.target.region, reason, GAPS_ACTIONS.join(', '));
    }
    phases.gaps = m.end(evidence.gaps.stats?.bytesRead ?? 0);
  }
  opts.onPhase?.(undefined);
  const calls = clients.callCount;
  const faults = clients.guardSummary?.();
  const troubled = faults && (faults.deadlineReached || faults.services.length > 0) ? faults : undefined;
  const logged = clients.calls.slice(firstLogged);
  const depth = logged.length ? sequentialChain(logged) : undefined;
  if (evidence.stats) {
    evidence.stats.apiCalls = calls;
    evidence.stats.phases = phases;
    if (depth !== undefined) evidence.stats.depth = depth;
    if (troubled) evidence.stats.faults = troubled;
  }
  if (report.stats) {
    report.stats.apiCalls = calls;
    if (depth !== undefined) report.stats.depth = depth;
    if (troubled) report.stats.faults = troubled;
  }
  return { evidence, report };
}
