import type { Evidence } from '../evidence/schema.js';
import type { Check } from '../checks/types.js';
import type { Report } from '../model/index.js';
import { CHECKS } from '../checks/index.js';
import { diagnoseWith } from './diagnose.js';

export { diagnoseWith } from './diagnose.js';
export { correlate, correlateFinding, rankCandidates, DEFAULT_TRIGGER_EVENTS, CORRELATION_WINDOW_MS } from './correlate.js';
export { PRECEDENCE, precedenceTier } from './engine.js';

/** Evidence → Report: every check run isolated, causes ranked by the runbook's precedence, triggers correlated. */
export function diagnose(evidence: Evidence, opts: { checks?: readonly Check[] } = {}): Report {
  return diagnoseWith(evidence, opts.checks ?? CHECKS);
}
