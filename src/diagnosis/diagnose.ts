import type { Evidence } from '../evidence/schema.js';
import type { Check, Trigger } from '../checks/types.js';
import { REPORT_SCHEMA_VERSION, type Report } from '../model/index.js';
import { trailNameOf } from '../aws/arn.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { correlate } from './correlate.js';
import { deduplicate, healthyCause, liveUnverified, problemSteps, rank, runChecks, toRootCause, verdictOf } from './engine.js';
import { buildSteps } from './steps.js';
import { buildTimeline } from './timeline.js';
import { mergeUnverified, unverifiedFromProbes } from './unverified.js';

/** A trail ARN's name part (`arn:aws:cloudtrail:r:a:trail/NAME` → NAME); anything else as given. */
export { trailNameOf };

/**
 * Evidence → Report, with the checks given (src/diagnosis/index.ts passes the real CHECKS).
 * Pure: no I/O and no clock but evidence.collectedAt, so replaying an evidence file gives the same report.
 */
export function diagnoseWith(evidence: Evidence, checks: readonly Check[]): Report {
  const run = runChecks(checks, evidence);
  const correlated = correlate(
    evidence,
    run.findings.map((s) => s.finding),
  );
  const scored = run.findings.map((s, i) => ({ ...s, finding: correlated[i]! }));
  const kept = deduplicate(scored);
  const ranked = rank(kept);
  const causes = ranked.map(toRootCause);

  const unverified = mergeUnverified(liveUnverified(run, kept), unverifiedFromProbes(evidence));
  const verdict = verdictOf(causes, unverified.filter((u) => !u.optional));
  const rootCauses = verdict === 'healthy' ? [healthyCause(evidence), ...causes.filter((c) => c.id !== 'healthy')] : causes.filter((c) => c.id !== 'healthy');

  const triggers = causes.map((c) => c.trigger).filter((t): t is Trigger => !!t);
  const trail = evidence.steps.s1.trail.value;
  const report: Report = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    generatedAt: evidence.collectedAt,
    trail: { name: trail?.name ?? trailNameOf(evidence.target.trail), region: evidence.target.region },
    window: { start: evidence.window.start, end: evidence.window.end },
    verdict,
    rootCauses,
    steps: buildSteps(evidence, problemSteps(ranked, evidence)),
    unverified,
    timeline: buildTimeline(evidence, triggers),
  };
  if (trail?.arn) report.trail.arn = trail.arn;
  else if (evidence.target.trail.startsWith('arn:')) report.trail.arn = evidence.target.trail;
  if (trail?.homeRegion) report.trail.homeRegion = trail.homeRegion;
  if (evidence.integrity !== undefined) report.integrity = evidence.integrity;
  if (evidence.gaps !== undefined) report.gaps = evidence.gaps;
  if (evidence.stats) {
    report.stats = { durationMs: evidence.stats.durationMs, apiCalls: evidence.stats.apiCalls };
    if (evidence.stats.longestChain !== undefined) report.stats.longestChain = evidence.stats.longestChain;
    if (evidence.stats.depth !== undefined) report.stats.depth = evidence.stats.depth;
    if (evidence.stats.faults) report.stats.faults = evidence.stats.faults;
  }
  return report;
}
