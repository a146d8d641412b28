import type { AwsClients } from '../aws/clients.js';

/**
 * What each phase of a diagnosis spent: API calls, bytes of log files read, wall time, and the
 * longest chain of calls that ran one after the other — the depth that latency multiplies (at
 * 250 ms a request, a chain of 4 costs a second whatever the call count).
 */
export interface PhaseSpend {
  calls: number;
  /** Bytes of log files read, where the phase counts them (the gap measurement, access logs). */
  bytesRead?: number;
  wallMs: number;
  /** Longest chain of calls each sent after the previous one answered (from the call log). */
  longestChain: number;
}

/**
 * The longest chain of calls in which each starts after the previous one ended. It bounds the
 * dependent chain from above (calls serialized by a rate limit count too), and it is what the
 * run's wall time pays in round trips. O(n log n).
 */
export function sequentialChain(calls: readonly { startedAt: number; durationMs: number }[]): number {
  const byStart = [...calls].map((c) => ({ s: c.startedAt, e: c.startedAt + Math.max(0, c.durationMs), best: 0 })).sort((a, b) => a.s - b.s);
  const byEnd = [...byStart].sort((a, b) => a.e - b.e);
  let j = 0;
  let doneMax = 0;
  let longest = 0;
  for (const c of byStart) {
    // every call that ended before this one started was processed already (it started earlier)
    while (j < byEnd.length && byEnd[j]!.e <= c.s) doneMax = Math.max(doneMax, byEnd[j++]!.best);
    c.best = doneMax + 1;
    longest = Math.max(longest, c.best);
  }
  return longest;
}

/** Starts measuring a phase; `end` says what it spent (bytes come from the phase's own evidence). */
export function measurePhase(clients: AwsClients): { end: (bytesRead?: number, plannedChain?: number) => PhaseSpend } {
  const firstCall = clients.calls.length;
  const callsBefore = clients.callCount;
  const t0 = Date.now();
  return {
    end: (bytesRead, plannedChain) => {
      const logged = clients.calls.slice(firstCall);
      const measured = sequentialChain(logged);
      return {
        calls: clients.callCount - callsBefore,
        ...(bytesRead !== undefined ? { bytesRead } : {}),
        wallMs: Date.now() - t0,
        // injected fakes log no calls: the plan's own dependency depth stands in
        longestChain: logged.length ? measured : (plannedChain ?? 0),
      };
    },
  };
}
