import type { AwsClients } from '../aws/clients.js';
import { collect, type CollectRequest } from '../collect/index.js';
import { collectIntegrity } from '../integrity/index.js';
import { collectGaps, couldNotCheck } from '../gaps/index.js';
import { VALIDATE_ACTIONS, GAPS_ACTIONS } from './tool-policy.js';
import { progressLine } from '../gaps/render.js';
import { diagnose } from '../diagnosis/index.js';
import type { Evidence } from '../evidence/schema.js';
import type { Report } from '../report/model.js';
import { inertLine } from '../util/text.js';
import type { IntegrityEvidence } from '../integrity/index.js';

/**
 * The whole runbook against a live account: the nine steps, then integrity validation when the
 * trail has it on, then — only when the first pass finds no cause — the audit-gap engine against
 * event history (the runbook's "if no correlation is found" fallback).
 */
/**
 * LookupEvents calls the diagnosis fallback may spend (2 per second: 30 s at most). The `gaps`
 * command spends more and says how much it sampled.
 */
export const DIAGNOSE_GAP_LOOKUP_CALLS = 60;

export interface GatherOptions {
  /** Validate the digest chain over the window when the trail has LogFileValidationEnabled. */
  integrity: boolean;
  /** 'auto': measure gaps only when the first diagnosis finds no confirmed/likely cause. */
  gaps: 'auto' | 'always' | 'never';
  /** Told what runs after the nine steps (a live display shows it); undefined when it is done. */
  onPhase?: (text: string | undefined) => void;
}

export interface Gathered {
  evidence: Evidence;
  report: Report;
}

export async function gather(clients: AwsClients, req: CollectRequest, opts: GatherOptions): Promise<Gathered> {
  const evidence = await collect(clients, req);
  const trailOk = evidence.steps.s1.trail.status === 'ok';
  if (opts.integrity && trailOk && evidence.steps.s1.trail.value?.logFileValidationEnabled) {
    opts.onPhase?.('Validating log file integrity (digest chain)');
    try {
      evidence.integrity = await collectIntegrity(clients, evidence);
    } catch (e) {
      // Never silently dropped: an unverified integrity result makes the check say what failed.
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
  let report = diagnose(evidence);
  const needGaps = opts.gaps === 'always' || (opts.gaps === 'auto' && report.verdict !== 'problem');
  if (trailOk && needGaps) {
    const label = 'Measuring the audit gap against CloudTrail event history';
    opts.onPhase?.(label);
    try {
      evidence.gaps = await collectGaps(clients, evidence, {
        maxLookupCalls: DIAGNOSE_GAP_LOOKUP_CALLS,
        onProgress: (p) => opts.onPhase?.(`${label} — ${progressLine(p)}`),
      });
      report = diagnose(evidence);
    } catch (e) {
      const w = { start: new Date(evidence.window.start), end: new Date(evidence.window.end) };
      const reason = `the audit-gap measurement failed: ${inertLine((e as Error)?.message ?? String(e))}`;
      evidence.gaps = couldNotCheck(w, evidence.target.trail, evidence.target.region, reason, GAPS_ACTIONS.join(', '));
    }
  }
  opts.onPhase?.(undefined);
  const calls = clients.callCount;
  const faults = clients.guardSummary?.();
  const troubled = faults && (faults.deadlineReached || faults.services.length > 0) ? faults : undefined;
  if (evidence.stats) {
    evidence.stats.apiCalls = calls;
    if (troubled) evidence.stats.faults = troubled;
  }
  if (report.stats) {
    report.stats.apiCalls = calls;
    if (troubled) report.stats.faults = troubled;
  }
  return { evidence, report };
}
