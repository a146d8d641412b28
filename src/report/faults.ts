import type { RunFaults } from '../evidence/faults.js';
import { inertLine } from '../util/text.js';

/**
 * One line per service the run had trouble with, and one for the deadline: how much was throttled,
 * which services answered 5xx or nothing, and which were given up on. Nothing when all went well.
 */
export function faultLines(faults: RunFaults | undefined): string[] {
  if (!faults) return [];
  const out: string[] = [];
  if (faults.deadlineReached) out.push("The run's deadline passed: what had not been answered by then is listed as not verified (--deadline).");
  for (const s of faults.services) {
    const parts: string[] = [];
    if (s.throttled) parts.push(`${s.throttled} throttled${s.concurrency !== undefined ? ` (concurrency lowered to ${s.concurrency})` : ''}`);
    if (s.serverErrors) parts.push(`${s.serverErrors} server error${s.serverErrors === 1 ? '' : 's'}`);
    if (s.timeouts) parts.push(`${s.timeouts} timed out`);
    if (s.refused) parts.push(`${s.refused} not sent`);
    const head = `${inertLine(s.key, 80)}: ${parts.join(', ')} of ${s.attempts} attempt${s.attempts === 1 ? '' : 's'}`;
    out.push(s.stopped ? `${head} — ${inertLine(s.stopped, 200)}` : head);
  }
  return out;
}
