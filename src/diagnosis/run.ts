import type { AwsClients } from '../aws/clients.js';
import { collect, type CollectRequest } from '../collect/index.js';
import { collectIntegrity, type IntegrityEvidence } from '../integrity/index.js';
import { VALIDATE_ACTIONS } from '../integrity/actions.js';
import { collectGaps, couldNotCheck, DEFAULT_SHARE_CAP, LogFileShare, type GapProgress, type GapReport, type ShareCap } from '../gaps/index.js';
import { GAPS_ACTIONS } from '../gaps/actions.js';
import { changesFromS3 } from '../gaps/s3-changes.js';
import { mergeChangeEvents } from '../evidence/events.js';
import type { Evidence } from '../evidence/schema.js';
import { inertLine } from '../util/text.js';
import { diagnose } from './index.js';
import { measurePhase, sequentialChain, trackCalls, type PhaseSpend, type TrackedCalls } from './spend.js';
import type { Outputs } from '../collect/types.js';
import { iso } from '../collect/util.js';

/**
 * The whole runbook against a live account: the nine steps — with integrity validation started
 * beside them as soon as the trail, its bucket's region and the organization id are known, when
 * the trail has it on — then, only when the first pass finds no cause, the audit-gap engine
 * against event history (the runbook's "if no correlation is found" fallback), whose sampling of
 * event history starts beside validation (LookupEvents' 2 calls a second are most of its time) and
 * is abandoned when validation finds the cause. The log files validation hashes are kept for the
 * gap engine, whose reads wait for validation, so no file is fetched twice. A pass
 * that fails becomes evidence saying what could not be verified, never a silent healthy.
 * `diagnose`, `collect`, and the fleet and watch commands all run this.
 */

/**
 * LookupEvents calls the diagnosis fallback may spend (2 per second: 30 s at most). The `gaps`
 * command spends more and says how much it sampled.
 */
export const DIAGNOSE_GAP_LOOKUP_CALLS = 60;

/**
 * Hourly event-history probes of the fallback's first round, spread over the hours of the days
 * with events (every 4th hour of two busy days): more only when they found an event missing, so a
 * healthy trail is proven healthy cheaply and a broken one still gets the whole probe budget.
 */
export const DIAGNOSE_GAP_FIRST_PROBE_HOURS = 12;

/**
 * What the fallback may read from S3: only the log files where the event-history sample put
 * events, and at most this many (an hour of a busy trail delivers a few dozen files). Files the
 * integrity pass already read cost nothing and are not counted.
 */
export const DIAGNOSE_GAP_S3_BUDGET = { maxFiles: 1_000, maxBytes: 256 * 1024 * 1024 } as const;

/** What runs after the nine steps, for a live display. */
export type DiagnosisPhase = { phase: 'integrity'; firstPass?: FirstPass } | { phase: 'gaps'; progress?: GapProgress; firstPass?: FirstPass };

/** What the nine steps concluded, told to the display before validation is waited for and before the gap fallback starts. */
export interface FirstPass {
  verdict: Report['verdict'];
  /** Causes found (the fallback runs only when none is confirmed or likely). */
  causes: number;
}

export interface DiagnosisOptions {
  /** Validate the digest chain over the window when the trail has LogFileValidationEnabled. */
  integrity: boolean;
  /** 'auto': measure gaps only when the first diagnosis finds no confirmed/likely cause. */
  gaps: 'auto' | 'always' | 'never';
  /** Told what runs after the nine steps; undefined when it is done. */
  onPhase?: (phase: DiagnosisPhase | undefined) => void;
  /** What the gap engine keeps of the log files validation read (default DEFAULT_SHARE_CAP). */
  shareCap?: ShareCap;
}

type Report = ReturnType<typeof diagnose>;

export interface Diagnosed {
  evidence: Evidence;
  report: Report;
}

/** Unverified integrity naming the permissions: what a failed pass leaves in the evidence. */
function integrityFailed(window: Evidence['window'], e: unknown): IntegrityEvidence {
  return {
    status: 'unverified',
    window,
    problems: [],
    problemsTruncated: false,
    reason: `digest-chain validation failed: ${inertLine((e as Error)?.message ?? String(e))}`,
    needs: VALIDATE_ACTIONS.join(', '),
  };
}

/** Does the trail of these plan outputs have log file validation on? */
const validates = (trail: Outputs['trail'] | undefined): boolean => trail?.trail.status === 'ok' && trail.trail.value?.logFileValidationEnabled === true;

/**
 * Integrity validation beside the nine steps: started by the plan's trail, bucket-location and
 * organization outputs (whichever comes last), or from the evidence when the plan did not tell them.
 */
class IntegrityPass {
  private readonly known: Partial<Pick<Outputs, 'trail' | 'bucketLocation' | 'organization'>> = {};
  private running?: Promise<IntegrityEvidence | undefined>;
  private readonly tracked: TrackedCalls;
  private startedAt = 0;
  private endedAt = 0;

  constructor(
    clients: AwsClients,
    private readonly window: Evidence['window'],
    private readonly region: string,
    private readonly now: Date,
    private readonly share: LogFileShare | undefined,
  ) {
    this.tracked = trackCalls(clients);
  }

  get started(): boolean {
    return this.running !== undefined;
  }

  /** Calls validation made so far. */
  get calls(): number {
    return this.tracked.count;
  }

  readonly onOutput = (node: string, value: unknown): void => {
    if (node !== 'trail' && node !== 'bucketLocation' && node !== 'organization') return;
    (this.known as Record<string, unknown>)[node] = value;
    const { trail, bucketLocation, organization } = this.known;
    if (trail && bucketLocation && organization) this.start(() => collectIntegrity(this.tracked.clients, { known: { trail, bucketLocation, organization }, region: this.region, window: this.window, now: this.now }, this.opts()));
  };

  /** After the nine steps: starts from the evidence if the plan's outputs did not start it. */
  fromEvidence(evidence: Evidence): void {
    this.start(() => collectIntegrity(this.tracked.clients, evidence, this.opts()));
  }

  private opts() {
    return this.share ? { onLogFile: this.share.offer } : {};
  }

  private start(run: () => Promise<IntegrityEvidence | undefined>): void {
    if (this.running || (this.known.trail && !validates(this.known.trail))) return;
    this.startedAt = Date.now();
    this.running = (async () => {
      try {
        return await run();
      } catch (e) {
        return integrityFailed(this.window, e);
      } finally {
        this.endedAt = Date.now();
      }
    })();
  }

  result(): Promise<IntegrityEvidence | undefined> {
    return this.running ?? Promise.resolve(undefined);
  }

  spend(): PhaseSpend {
    return { calls: this.tracked.count, wallMs: this.endedAt - this.startedAt, longestChain: sequentialChain(this.tracked.calls) };
  }
}

/**
 * Step 9 when neither event history nor the log group answered: the configuration changes from the
 * trail's own S3 log files around the moments delivery stopped, merged into the step's changes.
 */
async function s3ChangesPass(clients: AwsClients, evidence: Evidence): Promise<void> {
  const s9 = evidence.steps.s9;
  let fromS3;
  try {
    fromS3 = await changesFromS3(clients, evidence);
  } catch (e) {
    fromS3 = { status: 'error' as const, needs: 's3:ListBucket, s3:GetObject', reason: `reading changes from the S3 log files failed: ${inertLine((e as Error)?.message ?? String(e))}` };
  }
  if (!fromS3) return;
  s9.fromS3 = fromS3;
  if (fromS3.status === 'ok') s9.changes = mergeChangeEvents(s9.changes, fromS3.value);
}

/** The gap fallback, running (possibly beside validation) through a tracked view of the clients. */
interface GapPass {
  done: Promise<GapReport>;
  /** Progress is told to the display from now on (not while it shows validation). */
  show(): void;
  /** No further call; settles once the calls in flight have. */
  abandon(): Promise<void>;
  spend(bytesRead: number): PhaseSpend;
}

function startGapPass(clients: AwsClients, evidence: Evidence, reads: { share: LogFileShare | undefined; after?: Promise<unknown> }, opts: DiagnosisOptions, firstPass: FirstPass): GapPass {
  const tracked = trackCalls(clients);
  const stop = new AbortController();
  const t0 = Date.now();
  let shown = false;
  const done = collectGaps(tracked.clients, evidence, {
    maxLookupCalls: DIAGNOSE_GAP_LOOKUP_CALLS,
    firstProbeHours: DIAGNOSE_GAP_FIRST_PROBE_HOURS,
    s3Budget: DIAGNOSE_GAP_S3_BUDGET,
    ...(reads.share ? { shared: reads.share } : {}),
    ...(reads.after ? { readsAfter: reads.after } : {}),
    signal: stop.signal,
    onProgress: (progress) => {
      if (shown) opts.onPhase?.({ phase: 'gaps', progress, firstPass });
    },
  }).catch((e: unknown) => {
    const w = { start: new Date(evidence.window.start), end: new Date(evidence.window.end) };
    const reason = `the audit-gap measurement failed: ${inertLine((e as Error)?.message ?? String(e))}`;
    return couldNotCheck(w, evidence.target.trail, evidence.target.region, reason, GAPS_ACTIONS.join(', '));
  });
  return {
    done,
    show: () => {
      shown = true;
    },
    abandon: async () => {
      stop.abort();
      await done;
    },
    spend: (bytesRead) => ({ calls: tracked.count, bytesRead, wallMs: Date.now() - t0, longestChain: sequentialChain(tracked.calls) }),
  };
}

/** Does the gap fallback run after a first diagnosis? */
export function needsGapFallback(mode: DiagnosisOptions['gaps'], first: Report): boolean {
  return mode === 'always' || (mode === 'auto' && first.verdict !== 'problem');
}

export async function runDiagnosis(clients: AwsClients, req: CollectRequest, opts: DiagnosisOptions): Promise<Diagnosed> {
  const firstLogged = clients.calls.length;
  const phases: Record<string, PhaseSpend> = {};
  const now = req.now ?? new Date();
  const windowIso = { start: iso(req.window.start)!, end: iso(req.window.end)! };
  // the log files validation reads, kept for the gap fallback (only worth it when it may run)
  const share = opts.integrity && opts.gaps !== 'never' ? new LogFileShare(opts.shareCap ?? DEFAULT_SHARE_CAP) : undefined;
  const integrity = opts.integrity ? new IntegrityPass(clients, windowIso, req.region, now, share) : undefined;
  const first = measurePhase(clients);
  const evidence = await collect(clients, { ...req, now, ...(integrity ? { onOutput: integrity.onOutput } : {}) });
  const accessLogs = evidence.steps.s4.accessLogs;
  const trailOk = evidence.steps.s1.trail.status === 'ok';
  if (trailOk) await s3ChangesPass(clients, evidence);
  phases.firstPass = first.end(accessLogs?.status === 'ok' ? accessLogs.value?.summary?.bytesRead : undefined, evidence.stats?.longestChain, integrity?.calls);

  // The first pass's verdict is the nine steps' own, told before validation is waited for.
  let report = diagnose(evidence);
  const firstPass: FirstPass = { verdict: report.verdict, causes: report.rootCauses.filter((c) => c.id !== 'healthy').length };
  const validating = integrity !== undefined && trailOk && evidence.steps.s1.trail.value?.logFileValidationEnabled === true;
  let gaps: GapPass | undefined;
  if (validating) {
    integrity.fromEvidence(evidence);
    opts.onPhase?.({ phase: 'integrity', firstPass });
    // When the first pass calls for the fallback, its event-history sampling runs beside validation;
    // its reads of log files wait for validation, whose files they then take from the share.
    if (needsGapFallback(opts.gaps, report)) gaps = startGapPass(clients, evidence, { share, after: integrity.result() }, opts, firstPass);
    const found = await integrity.result();
    if (found) evidence.integrity = found;
    phases.integrity = integrity.spend();
    report = diagnose(evidence);
    if (gaps && !needsGapFallback(opts.gaps, report)) {
      // validation found the cause: what the early sampling learned is dropped, what it spent is said
      await gaps.abandon();
      phases.gapsAbandoned = gaps.spend(0);
      gaps = undefined;
    }
  }
  if (gaps || (trailOk && needsGapFallback(opts.gaps, report))) {
    opts.onPhase?.({ phase: 'gaps', firstPass });
    // (started here when the trail does not validate, or when validation made the verdict less certain)
    gaps ??= startGapPass(clients, evidence, { share: evidence.integrity ? share : undefined }, opts, firstPass);
    gaps.show();
    evidence.gaps = await gaps.done;
    report = diagnose(evidence);
    phases.gaps = gaps.spend(evidence.gaps.stats?.bytesRead ?? 0);
  }
  share?.clear();
  opts.onPhase?.(undefined);
  const calls = clients.callCount;
  const faults = clients.guardSummary?.();
  const troubled = faults && (faults.deadlineReached || faults.services.length > 0) ? faults : undefined;
  const logged = clients.calls.slice(firstLogged);
  const depth = logged.length ? sequentialChain(logged) : undefined;
  if (evidence.stats) {
    evidence.stats.apiCalls = calls;
    evidence.stats.phases = phases;
    if (depth !== undefined) evidence.stats.depth = depth;
    if (troubled) evidence.stats.faults = troubled;
  }
  if (report.stats) {
    report.stats.apiCalls = calls;
    if (depth !== undefined) report.stats.depth = depth;
    if (troubled) report.stats.faults = troubled;
  }
  return { evidence, report };
}
