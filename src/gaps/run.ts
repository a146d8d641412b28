import type { ChangeEvent, EventSelectors, TrailConfig } from '../evidence/schema.js';
import type { S3Budget } from './s3-reader.js';
import type { LogFileShare } from './shared-reads.js';
import { DEFAULT_DELIVERY_DELAY_MS, DEFAULT_MAX_LOOKUP_CALLS, DEFAULT_SEED, type Destination, type GapReport } from './model.js';

/**
 * What one gap measurement shares between its parts (sampler, delivered records, estimator, report):
 * the window, the budget, the events compared so far and how much of each hour event history covered.
 */

export const HOUR = 3_600_000;
/** LookupEvents requests per second (per account and region). */
export const LOOKUP_RATE = 2;

export const isoS = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface GapProgress {
  phase: 'history' | 's3' | 'cloudwatch-logs' | 'refine' | 'triggers' | 'export';
  done: number;
  total: number;
  /** Seconds left for the rate-limited LookupEvents part (2 requests/s). */
  etaSeconds?: number;
  message: string;
}

/** Where the missing events go (`gaps --export`): the CLI writes the file, the engine says what is in it. */
export interface MissingExport {
  path: string;
  /** Writes the records, one JSON object a line. */
  write(lines: readonly string[]): Promise<void>;
}

export interface EngineOptions {
  region: string;
  start: Date;
  end: Date;
  now: Date;
  /** LookupEvents calls the run may make (each ≤ 50 events; at 2/s, 400 calls ≈ 3.5 min). */
  maxLookupCalls?: number;
  /** Seed of the deterministic sampling choices (default 1). */
  seed?: number;
  /** Events newer than now − this are not yet missing (default 15 min). */
  deliveryDelayMs?: number;
  /** Log files delivered up to window end + this are read (default 1 h). */
  lateDeliveryMs?: number;
  triggerWindowMinutes?: number;
  /** Export the missing events (CloudTrail records from event history). */
  exportMissing?: MissingExport;
  onProgress?: (p: GapProgress) => void;
  /** Concurrent S3 reads (default 8). */
  concurrency?: number;
  /** Log files larger than this (compressed bytes) are skipped and reported (default 100 MiB). */
  maxFileBytes?: number;
  /** Log files and compressed bytes the S3 side may read (default: no cap but 200 000 files). */
  s3Budget?: S3Budget;
  /**
   * Hourly probes of a first round (spread over the busy hours); the rest of the probe budget is
   * spent only when that round found an event missing. Default: no rounds, every probe at once.
   */
  firstProbeHours?: number;
  /** Log files another pass of the run already read (a diagnosis's integrity validation): not fetched again. */
  shared?: LogFileShare;
  /**
   * Log files and log-group events are read only once this settles (a diagnosis's validation,
   * whose files `shared` then holds): event history is sampled meanwhile.
   */
  readsAfter?: Promise<unknown>;
  /** Aborted: no further call is made (a diagnosis that no longer needs the measurement). */
  signal?: AbortSignal;
}

export interface EngineInputs {
  trail: TrailConfig;
  selectors?: EventSelectors;
  accountId: string;
  orgId?: string;
  bucketRegion?: string;
  bucketKmsKeyId?: string;
  /** Change events already collected (evidence step 9), and the window they cover. */
  knownChanges?: { events: ChangeEvent[]; start: number; end: number; global: boolean };
  notes?: string[];
}

export type Scope = 'in' | 'excluded' | 'unknown' | 'pending';

/** One event of event history, as compared with the deliveries. */
export interface Cmp {
  id: string;
  t: number;
  name: string;
  source: string;
  historyRegion: string;
  scope: Scope;
  why?: string;
  size: number;
  s3?: boolean;
  cwl?: boolean;
  tooLarge?: boolean;
}

export interface HourState {
  start: number;
  end: number;
  coverage: 'none' | 'sample' | 'full';
  covered: [number, number][];
  token?: string;
  /** The coarse span (UTC day) the hour was first probed with: its stratum in the estimates. */
  stratum?: number;
}

export class GapRun {
  readonly compared = new Map<string, Cmp>();
  /** Raw event-history records of in-scope events, kept only for an export. */
  readonly raw = new Map<string, string>();
  readonly changes: ChangeEvent[] = [];
  readonly hours: HourState[] = [];
  /** Time spans whose event history was paged to the end (exact). */
  readonly complete: [number, number][] = [];
  readonly notes: string[];
  readonly startMs: number;
  readonly endMs: number;
  readonly nowMs: number;
  readonly pendingAfter: number;
  readonly queryEnd: number;
  readonly budget: number;
  readonly seed: number;
  readonly destinations: Destination[];
  readonly logGroupName?: string;
  readonly startedAt = Date.now();

  constructor(
    readonly opts: EngineOptions,
    readonly inputs: EngineInputs,
  ) {
    this.startMs = opts.start.getTime();
    this.endMs = opts.end.getTime();
    this.nowMs = opts.now.getTime();
    this.pendingAfter = this.nowMs - (opts.deliveryDelayMs ?? DEFAULT_DELIVERY_DELAY_MS);
    this.queryEnd = Math.min(this.endMs, this.nowMs);
    this.budget = opts.maxLookupCalls ?? DEFAULT_MAX_LOOKUP_CALLS;
    this.seed = opts.seed ?? DEFAULT_SEED;
    this.notes = [...(inputs.notes ?? [])];
    const group = inputs.trail.cloudWatchLogsLogGroupArn ? /:log-group:([^:]+)/.exec(inputs.trail.cloudWatchLogsLogGroupArn)?.[1] : undefined;
    this.logGroupName = group;
    this.destinations = ['s3', ...(group ? (['cloudwatch-logs'] as const) : [])];
    for (let h = this.startMs - (this.startMs % HOUR); h < this.queryEnd; h += HOUR) {
      this.hours.push({ start: Math.max(h, this.startMs), end: Math.min(h + HOUR, this.queryEnd), coverage: 'none', covered: [] });
    }
  }

  hourIndex(t: number): number {
    const h0 = this.startMs - (this.startMs % HOUR);
    return Math.floor((t - h0) / HOUR);
  }

  markCovered(a: number, b: number) {
    for (let i = Math.max(0, this.hourIndex(a)); i <= Math.min(this.hours.length - 1, this.hourIndex(b)); i++) {
      const h = this.hours[i]!;
      const x = Math.max(a, h.start);
      const y = Math.min(b, h.end);
      if (y > x) h.covered.push([x, y]);
    }
  }

  /** In-scope events, oldest first. */
  sorted(): Cmp[] {
    return [...this.compared.values()].filter((c) => c.scope === 'in').sort((a, b) => a.t - b.t || a.id.localeCompare(b.id));
  }

  trailInfo(): GapReport['trail'] {
    const t = this.inputs.trail;
    return { name: t.name, arn: t.arn, region: this.opts.region, homeRegion: t.homeRegion };
  }
}
