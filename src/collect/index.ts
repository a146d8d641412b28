import type { AwsClients } from '../aws/clients.js';
import type { Evidence } from '../evidence/schema.js';
import { EVIDENCE_SCHEMA_VERSION } from '../evidence/version.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import type { ProgressListener } from './progress.js';
import { runPlan, type PlanOptions, type PlanResult } from './plan.js';
import { DEFAULT_LIMITS, type CollectLimits, type CollectContext } from './types.js';
import { iso } from './util.js';

/**
 * collect(clients, req) runs the nine playbook steps against the account and returns the complete,
 * serialisable Evidence. It never throws for the account's reality (permissions, throttling, absent
 * resources, other accounts or regions): those become probes.
 */
export interface CollectRequest {
  /** Name or ARN. */
  trail: string;
  region: string;
  window: { start: Date; end: Date };
  now?: Date;
  profile?: string;
  endpointUrl?: string;
  onProgress?: ProgressListener;
  /** Caps and timings (tests shorten the Logs Insights poll). */
  limits?: Partial<CollectLimits>;
  /** Receives the plan's call audit (tests, benchmarks, `--verbose`). */
  onPlan?: (plan: PlanResult) => void;
  /** Told each plan node's output as soon as it exists (see PlanOptions.onOutput). */
  onOutput?: PlanOptions['onOutput'];
}

export async function collect(clients: AwsClients, req: CollectRequest): Promise<Evidence> {
  const now = req.now ?? new Date();
  const ctx: CollectContext = {
    region: req.region,
    trailInput: req.trail,
    window: req.window,
    now,
    limits: { ...DEFAULT_LIMITS, ...(req.limits ?? {}) },
  };
  const callsBefore = clients.callCount;
  const plan = await runPlan(clients, ctx, { onProgress: req.onProgress, ...(req.onOutput ? { onOutput: req.onOutput } : {}) });
  req.onPlan?.(plan);
  const o = plan.outputs;
  const sent = clients.callCount - callsBefore;
  return {
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    collectedAt: iso(now)!,
    target: {
      trail: req.trail,
      region: req.region,
      ...(req.profile ? { profile: req.profile } : {}),
      ...(req.endpointUrl ? { endpointUrl: req.endpointUrl } : {}),
    },
    window: { start: iso(req.window.start)!, end: iso(req.window.end)! },
    steps: { s1: o.s1, s2: o.s2, s3: o.s3, s4: o.accessLogs ? { ...o.s4, accessLogs: o.accessLogs } : o.s4, s5: o.s5, s6: o.s6, s7: o.s7, s8: o.s8, s9: o.s9 },
    stats: {
      durationMs: plan.durationMs,
      // clients.calls sees every send (retries are one call); with injected fakes it stays empty and
      // the plan's own audit counts them.
      apiCalls: sent > 0 ? sent : plan.audit.length,
      longestChain: plan.longestChain,
      stepDurationsMs: plan.stepDurationsMs,
    },
  };
}

export { COLLECTORS, runPlan } from './plan.js';
export { COLLECT_ACTIONS, leastPrivilegePolicy } from './permissions.js';
export type { CollectLimits } from './types.js';
