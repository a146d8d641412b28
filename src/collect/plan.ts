import type { AwsClients } from '../aws/clients.js';
import type { StepNumber } from '../model/index.js';
import type { Probe } from '../evidence/probe.js';
import { inertLine } from '../util/text.js';
import { joined, runNode, type CallAudit } from './chain.js';
import { STEP_TITLES, type ProgressListener, type StepProgressEvent } from './progress.js';
import { DEFAULT_LIMITS, type AnyCollector, type CollectContext, type NodeName, type Outputs } from './types.js';
import { collectors as c1 } from './step1-trail.js';
import { collectors as c2 } from './step2-status.js';
import { collectors as c3 } from './step3-log-events.js';
import { collectors as c4 } from './step4-bucket.js';
import { collectors as c4a } from './step4-access-logs.js';
import { collectors as c5 } from './step5-role.js';
import { collectors as c6 } from './step6-log-files.js';
import { collectors as c7 } from './step7-log-group.js';
import { collectors as c8 } from './step8-metrics.js';
import { collectors as c9 } from './step9-changes.js';

/**
 * The collection plan: a tiny dependency scheduler. Every collector starts the moment the outputs it
 * `needs` exist — trail resolution, caller identity and AWS Health at once; then status, bucket, role,
 * log group, metrics and event history concurrently; the S3 listing once the bucket's region (and an
 * organization trail's org id) is known; and so on. A collector that throws (a bug, never the
 * account's reality, which collectors turn into probes) is isolated: its output becomes `error` probes.
 */
export const COLLECTORS: readonly AnyCollector[] = [...c1, ...c2, ...c3, ...c4, ...c4a, ...c5, ...c6, ...c7, ...c8, ...c9] as unknown as readonly AnyCollector[];

export interface PlanOptions {
  onProgress?: ProgressListener;
  collectors?: readonly AnyCollector[];
  /** Called when a node starts / finishes (tests observe the schedule). */
  onNode?: (e: { node: NodeName; state: 'started' | 'finished'; at: number }) => void;
  /**
   * Run only these nodes and the nodes they need (`gaps` and `validate` need a few of the nine
   * steps' reads, not all of them). Default: every collector.
   */
  only?: readonly NodeName[];
  /** Outputs already known: those nodes are not run, their value is handed to whoever needs it. */
  given?: Partial<Outputs>;
  /** Told each node's output as soon as it exists (a diagnosis starts validation on the trail's). */
  onOutput?: <K extends NodeName>(node: K, value: Outputs[K]) => void;
}

export interface PlanResult {
  outputs: Outputs;
  /** Every call sent, by collector, with its depth in the chain of calls that waited on each other. */
  audit: CallAudit[];
  /** Longest chain of calls that waited on each other (each waited for the previous one's answer). */
  longestChain: number;
  /** Per step: from its first collector's start to its `s<N>` node's end. */
  stepDurationsMs: Record<string, number>;
  durationMs: number;
}

/** Validates the graph: unique names, known needs, no cycles. Returns a topological order. */
export function planOrder(collectors: readonly AnyCollector[]): NodeName[] {
  const byName = new Map<NodeName, AnyCollector>();
  for (const c of collectors) {
    if (byName.has(c.name)) throw new Error(`collection plan: duplicate collector ${c.name}`);
    byName.set(c.name, c);
  }
  const order: NodeName[] = [];
  const state = new Map<NodeName, 'visiting' | 'done'>();
  const visit = (n: NodeName, path: NodeName[]) => {
    const s = state.get(n);
    if (s === 'done') return;
    if (s === 'visiting') throw new Error(`collection plan: cycle ${[...path, n].join(' → ')}`);
    const c = byName.get(n);
    if (!c) throw new Error(`collection plan: ${path[path.length - 1] ?? '?'} needs unknown input ${n}`);
    state.set(n, 'visiting');
    for (const d of [...c.needs, ...(c.later ?? [])]) visit(d, [...path, n]);
    state.set(n, 'done');
    order.push(n);
  };
  for (const c of collectors) visit(c.name, []);
  return order;
}

function probesIn(v: unknown, out: Probe<unknown>[] = [], depth = 0): Probe<unknown>[] {
  if (!v || typeof v !== 'object' || depth > 2) return out;
  const o = v as Record<string, unknown>;
  if (typeof o.status === 'string' && ['ok', 'absent', 'denied', 'error', 'skipped'].includes(o.status)) {
    out.push(o as unknown as Probe<unknown>);
    return out;
  }
  for (const x of Object.values(o)) probesIn(x, out, depth + 1);
  return out;
}

/** A short note for the live progress line, from a finished step's evidence. */
export function stepNote(name: NodeName, value: unknown): string | undefined {
  const o = value as Outputs[keyof Outputs];
  switch (name) {
    case 's4': {
      const s4 = o as Outputs['s4'];
      return s4.bucket ? `bucket ${inertLine(s4.bucket, 80)}` : undefined;
    }
    case 's6': {
      const s6 = o as Outputs['s6'];
      const l = s6.listing.value;
      return l ? `${l.fileCount} log files in ${s6.prefixes.length} day prefixes${l.truncated ? ' (truncated)' : ''}` : undefined;
    }
    case 's9': {
      const s9 = o as Outputs['s9'];
      return `${s9.changes.length} configuration change${s9.changes.length === 1 ? '' : 's'}`;
    }
    default:
      return undefined;
  }
}

export function stepOutcome(stepEvidence: unknown): 'ok' | 'partial' | 'skipped' {
  const ps = probesIn(stepEvidence);
  if (ps.length && ps.every((p) => p.status === 'skipped')) return 'skipped';
  return ps.some((p) => (p.status === 'denied' || p.status === 'error') && !p.optional) ? 'partial' : 'ok';
}

/** The output of a collector that threw: every probe `error`, so the diagnosis says what it could not see. */
export function fallbackOutput(name: NodeName, reason: string, needs = 'n/a'): Outputs[NodeName] {
  const e = <T = never>(): Probe<T> => ({ status: 'error', errorCode: 'InternalError', reason, needs });
  switch (name) {
    case 'trail':
      return { trail: e(), trailsInRegion: e(), skipReason: reason };
    case 'caller':
    case 'health':
    case 'accessLogs':
    case 'organization':
    case 'changesLogGroup':
    case 'historyResources':
    case 'historyKey':
      return e<never>();
    case 'history':
      return { regional: e(), global: e() };
    case 's1':
      return { caller: e(), trail: e(), trailsInRegion: e(), health: e() };
    case 's2':
      return { status: e(), selectors: e() };
    case 's3':
      return { streams: e(), eventCounts: e(), deliveryFailures: e() };
    case 'bucketLocation':
      return { head: e(), location: e(), readable: false, skipReason: reason };
    case 's4':
      return { head: e(), location: e(), policy: e(), encryption: e(), kmsKey: e(), kmsKeyPolicy: e(), ownership: e(), objectLock: e(), lifecycle: e(), requestPayment: e() };
    case 's5':
      return { role: e(), inlinePolicies: e(), attachedPolicies: e() };
    case 's6':
      return { prefixes: [], listing: e(), organizationId: e() };
    case 's7':
      return { logGroup: e() };
    case 's8':
      return { metrics: e() };
    case 's9':
      return { fromLogGroup: e(), fromEventHistory: e(), fromEventHistoryGlobal: e(), changes: [] };
  }
}

/** The context of a command that reads one trail's configuration (`gaps`, `validate`). */
export function targetContext(trailInput: string, region: string, window: { start: Date; end: Date }, now: Date): CollectContext {
  return { region, trailInput, window, now, limits: DEFAULT_LIMITS };
}

/**
 * The IAM actions the given nodes may call, with the nodes they need (what `gaps` and `validate`
 * send through the plan). Unknown names throw, so a renamed node cannot drop actions silently.
 */
export function nodeActions(nodes: readonly NodeName[]): string[] {
  const byName = new Map(COLLECTORS.map((c) => [c.name, c] as const));
  return [...new Set(subPlan(byName, nodes, {}).flatMap((c) => c.apis))].sort();
}

/** The collectors `only` needs, transitively, in plan order; nodes in `given` are not run. */
function subPlan(byName: Map<NodeName, AnyCollector>, only: readonly NodeName[], given: Partial<Outputs>): AnyCollector[] {
  const keep = new Set<NodeName>();
  const visit = (n: NodeName) => {
    if (keep.has(n) || n in given) return;
    const c = byName.get(n);
    if (!c) throw new Error(`collection plan: no collector ${n}`);
    keep.add(n);
    for (const d of [...c.needs, ...(c.later ?? [])]) visit(d);
  };
  for (const n of only) visit(n);
  return [...byName.values()].filter((c) => keep.has(c.name));
}

/**
 * Some nodes of the plan, for the commands that need only part of the nine steps (the trail, its
 * bucket's region, its selectors, the organization id): the same collectors, so the same answers.
 */
export async function runNodes<K extends NodeName>(clients: AwsClients, ctx: CollectContext, nodes: readonly K[], given: Partial<Outputs> = {}): Promise<Pick<Outputs, K>> {
  const { outputs } = await runPlan(clients, ctx, { only: nodes, given });
  const out = {} as Pick<Outputs, K>;
  for (const n of nodes) out[n] = (n in given ? given[n] : outputs[n]) as Outputs[K];
  return out;
}

export async function runPlan(clients: AwsClients, ctx: CollectContext, opts: PlanOptions = {}): Promise<PlanResult> {
  const all = opts.collectors ?? COLLECTORS;
  planOrder(all);
  const byName = new Map(all.map((c) => [c.name, c] as const));
  const collectors = opts.only ? subPlan(byName, opts.only, opts.given ?? {}) : all;
  const t0 = Date.now();
  const audit: CallAudit[] = [];
  const running = new Map<NodeName, Promise<{ value: unknown; depth: number }>>();
  const stepStart = new Map<StepNumber, number>();
  const stepEnd = new Map<StepNumber, number>();
  const emit = (e: Omit<StepProgressEvent, 'title' | 'elapsedMs'>) => {
    try {
      opts.onProgress?.({ ...e, title: STEP_TITLES[e.step], elapsedMs: Date.now() - t0 });
    } catch {
      /* a display must never break collection */
    }
  };

  const start = (name: NodeName): Promise<{ value: unknown; depth: number }> => {
    const existing = running.get(name);
    if (existing) return existing;
    if (opts.given && name in opts.given) {
      const known = Promise.resolve({ value: opts.given[name] as unknown, depth: 0 });
      running.set(name, known);
      return known;
    }
    const c = byName.get(name)!;
    const p = (async () => {
      const deps = await Promise.all(c.needs.map((n) => start(n)));
      const inputs: Record<string, unknown> = { ctx };
      c.needs.forEach((n, i) => (inputs[n] = deps[i]!.value));
      // Awaited inside the collector, so the wait deepens the collector's own chain of calls.
      for (const n of c.later ?? []) inputs[n] = () => joined(start(n));
      const startDepth = Math.max(0, ...deps.map((d) => d.depth));
      if (!stepStart.has(c.step)) {
        stepStart.set(c.step, Date.now());
        emit({ step: c.step, state: 'started' });
      }
      opts.onNode?.({ node: name, state: 'started', at: Date.now() });
      let result: { value: unknown; depth: number };
      try {
        result = await runNode(name, startDepth, audit, () => c.run(clients, inputs as never));
      } catch (err) {
        const reason = `internal error in collector ${name}: ${inertLine(String((err as Error)?.message ?? err), 300)}`;
        result = { value: fallbackOutput(name, reason, c.apis.join(', ') || 'n/a'), depth: startDepth };
      }
      opts.onNode?.({ node: name, state: 'finished', at: Date.now() });
      try {
        opts.onOutput?.(name, result.value as Outputs[typeof name]);
      } catch {
        /* an observer never breaks collection */
      }
      if (name === `s${c.step}`) {
        stepEnd.set(c.step, Date.now());
        const note = stepNote(name, result.value);
        emit({ step: c.step, state: 'finished', outcome: stepOutcome(result.value), ...(note ? { note } : {}) });
      }
      return result;
    })();
    running.set(name, p);
    return p;
  };

  const results = await Promise.all(collectors.map((c) => start(c.name).then((r) => [c.name, r] as const)));
  const outputs = Object.fromEntries(results.map(([n, r]) => [n, r.value])) as unknown as Outputs;
  const stepDurationsMs: Record<string, number> = {};
  for (const [step, s] of stepStart) {
    const e = stepEnd.get(step);
    if (e !== undefined) stepDurationsMs[String(step)] = e - s;
  }
  return {
    outputs,
    audit,
    longestChain: Math.max(0, ...results.map(([, r]) => r.depth)),
    stepDurationsMs,
    durationMs: Date.now() - t0,
  };
}
