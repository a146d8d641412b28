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

/**
 * Starts measuring a phase; `end` says what it spent (bytes come from the phase's own evidence).
 * `overlapped`: calls another phase made meanwhile through the same clients (validation beside
 * the nine steps); they are not this phase's, and its chain is then the plan's own.
 */
export function measurePhase(clients: AwsClients): { end: (bytesRead?: number, plannedChain?: number, overlapped?: number) => PhaseSpend } {
  const firstCall = clients.calls.length;
  const callsBefore = clients.callCount;
  const t0 = Date.now();
  return {
    end: (bytesRead, plannedChain, overlapped = 0) => {
      const logged = clients.calls.slice(firstCall);
      // injected fakes log no calls, and an overlapped log mixes two phases: the plan's dependency depth stands in
      const measured = logged.length && !overlapped ? sequentialChain(logged) : undefined;
      return {
        calls: Math.max(0, clients.callCount - callsBefore - overlapped),
        ...(bytesRead !== undefined ? { bytesRead } : {}),
        wallMs: Date.now() - t0,
        longestChain: measured ?? plannedChain ?? 0,
      };
    },
  };
}

/** Calls sent through a tracked view of the clients (one phase running beside others). */
export interface TrackedCalls {
  clients: AwsClients;
  /** Calls sent so far through the view. */
  readonly count: number;
  /** Each call's timing, for the phase's own chain. */
  readonly calls: { startedAt: number; durationMs: number }[];
}

const SERVICES = new Set(['cloudtrail', 's3', 'logs', 'cloudwatch', 'kms', 'sts', 'iam', 'health', 'organizations', 'sns', 'ec2']);

/**
 * The same clients (same connections, limiters, guard and call log), with the calls made through
 * them counted apart: a phase that overlaps another (validation beside the nine steps) still says
 * what it spent itself.
 */
export function trackCalls(clients: AwsClients): TrackedCalls {
  const calls: { startedAt: number; durationMs: number }[] = [];
  const timed = async <T>(send: () => Promise<T>): Promise<T> => {
    const startedAt = Date.now();
    try {
      return await send();
    } finally {
      calls.push({ startedAt, durationMs: Date.now() - startedAt });
    }
  };
  const views = new WeakMap<object, object>();
  const view = <C extends object>(client: C, method: 'send' | 'get'): C => {
    let v = views.get(client);
    if (!v) {
      v = new Proxy(client, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver) as unknown;
          if (prop !== method || typeof value !== 'function') return value;
          return (...args: unknown[]) => timed(() => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
        },
      });
      views.set(client, v);
    }
    return v as C;
  };
  const tracked = new Proxy(clients, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== 'string' || typeof value !== 'function') return value;
      if (prop === 'objects') return (region?: string) => view((value as AwsClients['objects']).call(target, region), 'get');
      if (SERVICES.has(prop)) return (...args: unknown[]) => view((value as (...a: unknown[]) => object).apply(target, args), 'send');
      return value;
    },
  });
  return {
    clients: tracked,
    get count() {
      return calls.length;
    },
    calls,
  };
}
