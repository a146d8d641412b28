import { nodeActions } from '../collect/plan.js';
import { GAP_TARGET_NODES } from './target.js';
import { SAMPLER_ACTIONS } from './sampler.js';
import { DELIVERED_ACTIONS } from './delivered.js';

/**
 * Every IAM action `gaps` (and the diagnosis's gap fallback) may call: the plan's trail, selector,
 * bucket and organization nodes, event history, and the delivered records. Each part is declared
 * next to its calls.
 */
export const GAPS_ACTIONS: readonly string[] = Object.freeze([...new Set([...nodeActions(GAP_TARGET_NODES), ...SAMPLER_ACTIONS, ...DELIVERED_ACTIONS])].sort());
