import { leastPrivilegePolicy } from '../collect/permissions.js';
import { VALIDATE_ACTIONS } from '../integrity/actions.js';
import { GAPS_ACTIONS } from '../gaps/actions.js';
import { TRACE_ACTIONS } from '../trace/actions.js';

export { VALIDATE_ACTIONS, GAPS_ACTIONS, TRACE_ACTIONS };

/**
 * Every read-only action trail-doctor may call: the nine steps' collectors, validate, gaps and trace, each
 * declared next to its calls (a parity test reads the call sites and fails naming a missing one).
 */
export function toolPolicy(): object {
  return leastPrivilegePolicy([...VALIDATE_ACTIONS, ...GAPS_ACTIONS, ...TRACE_ACTIONS]);
}
