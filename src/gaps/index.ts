import type { AwsClients } from '../aws/clients.js';
import { runNodes, targetContext } from '../collect/plan.js';
import { GAP_TARGET_NODES } from './target.js';
import type { Evidence } from '../evidence/schema.js';
import { isOk } from '../evidence/probe.js';
import { inertLine } from '../util/text.js';
import { GapEngine, type EngineInputs, type EngineOptions, type GapProgress } from './engine.js';
import type { GapReport } from './model.js';

export { gapsExitCode, type GapReport, type GapWindow, type GapEvent } from './model.js';
export type { GapProgress, MissingExport } from './engine.js';
export { GAPS_ACTIONS } from './actions.js';
export { LogFileShare, DEFAULT_SHARE_CAP, type ShareCap } from './shared-reads.js';
export { DEFAULT_MAX_LOOKUP_CALLS, DEFAULT_SEED } from './engine.js';

/** The engine's options, with the trail to resolve and `now` defaulting to the clock. */
export interface GapOptions extends Omit<EngineOptions, 'now'> {
  /** Trail name or ARN. */
  trail: string;
  now?: Date;
}

/** The trail could not be found or the input is wrong: the CLI exits 2. */
export class GapsInputError extends Error {
  override name = 'GapsInputError';
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The report of a measurement that could not run (also used when the engine itself fails). */
export function couldNotCheck(opts: { start: Date; end: Date }, trail: string, region: string, reason: string, needs?: string): GapReport {
  return {
    window: { start: iso(opts.start), end: iso(opts.end) },
    totals: { recorded: 0, delivered: 0, missing: 0, sampled: false },
    gaps: [],
    status: 'could-not-check',
    reason: inertLine(reason, 600),
    ...(needs ? { needs } : {}),
    trail: { name: trail, region },
  };
}

/**
 * Measures the audit gap of a trail in one region: event history against what the trail delivered.
 * The trail, its selectors, bucket region and organization id come from the same collectors as a
 * diagnosis (src/collect/plan.ts), run alone.
 */
export async function measureGaps(clients: AwsClients, opts: GapOptions): Promise<GapReport> {
  const now = opts.now ?? new Date();
  const ctx = targetContext(opts.trail, opts.region, { start: opts.start, end: opts.end }, now);
  const { trail: found, s2, bucketLocation, organization: org } = await runNodes(clients, ctx, GAP_TARGET_NODES);
  const resolved = found.resolved;
  if (!resolved) {
    const p = found.trail;
    if (p.status === 'absent') throw new GapsInputError(`trail ${JSON.stringify(inertLine(opts.trail, 300))} not found in ${opts.region} (pass the trail ARN for a trail of another region or account)`);
    return couldNotCheck(opts, opts.trail, opts.region, `could not read the trail: ${p.errorCode ?? p.status}: ${p.reason ?? ''}`, p.needs ?? 'cloudtrail:GetTrail');
  }
  const trail = resolved.config;
  const sel = s2.selectors;
  const notes: string[] = [];
  if (!isOk(sel)) notes.push(`event selectors unreadable (${sel.errorCode ?? sel.status}; needs cloudtrail:GetEventSelectors): all management events assumed selected`);
  if (trail.isOrganizationTrail && !(isOk(org) && org.value)) notes.push('organization id unreadable: log files looked for under AWSLogs/<account>/');
  const inputs: EngineInputs = {
    trail,
    selectors: isOk(sel) ? sel.value : undefined,
    accountId: resolved.ownerAccount,
    orgId: isOk(org) && org.value ? org.value : undefined,
    bucketRegion: bucketLocation.region,
    notes,
  };
  return new GapEngine(clients, { ...opts, now }, inputs).run();
}

/**
 * The same measurement for the diagnosis, over evidence.window, reusing everything the evidence
 * already holds (trail, selectors, bucket region and key, org id, change events of step 9).
 */
export async function collectGaps(clients: AwsClients, evidence: Evidence, opts: Partial<Pick<GapOptions, 'maxLookupCalls' | 'seed' | 'onProgress' | 'concurrency' | 's3Budget' | 'shared' | 'firstProbeHours' | 'readsAfter' | 'signal'>> = {}): Promise<GapReport> {
  const s = evidence.steps;
  const start = new Date(evidence.window.start);
  const end = new Date(evidence.window.end);
  const region = evidence.target.region;
  if (!isOk(s.s1.trail)) {
    return couldNotCheck({ start, end }, evidence.target.trail, region, `the trail's configuration is not in the evidence (${s.s1.trail.status})`, s.s1.trail.needs);
  }
  const trail = s.s1.trail.value;
  // Event history already refused this run (the same region): asking again can only repeat it.
  const history = s.s9.fromEventHistory;
  if (history.status === 'denied') {
    return couldNotCheck({ start, end }, evidence.target.trail, region, `could not read CloudTrail event history: ${history.reason ?? history.errorCode ?? 'denied'} (no log file was read: without event history nothing can be counted missing)`, history.needs ?? 'cloudtrail:LookupEvents');
  }
  const accountId = /:(\d{12}):/.exec(trail.arn)?.[1] ?? (isOk(s.s1.caller) ? s.s1.caller.value.accountId : '');
  const notes: string[] = [];
  if (!isOk(s.s2.selectors)) notes.push('event selectors not in the evidence: all management events assumed selected');
  const s9 = s.s9;
  const haveHistory = s9.fromEventHistory.status === 'ok' || s9.fromLogGroup.status === 'ok';
  const inputs: EngineInputs = {
    trail,
    selectors: isOk(s.s2.selectors) ? s.s2.selectors.value : undefined,
    accountId,
    orgId: isOk(s.s6.organizationId) ? s.s6.organizationId.value : undefined,
    bucketRegion: isOk(s.s4.location) ? s.s4.location.value.region : undefined,
    bucketKmsKeyId: isOk(s.s4.encryption) ? s.s4.encryption.value.kmsKeyId : undefined,
    knownChanges: haveHistory ? { events: s9.changes, start: start.getTime(), end: end.getTime(), global: s9.fromEventHistoryGlobal.status === 'ok' } : undefined,
    notes,
  };
  return new GapEngine(clients, { region, start, end, now: new Date(evidence.collectedAt), ...opts }, inputs).run();
}
