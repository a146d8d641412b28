import { createWriteStream } from 'node:fs';
import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pLimit from 'p-limit';
import type { AwsClients } from '../aws/clients.js';
import { lookupEvents, LOOKUP_EVENTS_NEEDS } from '../aws/lookup-events.js';
import { RateLimiter } from '../aws/rate-limit.js';
import type { ChangeEvent, EventSelectors, TrailConfig } from '../evidence/schema.js';
import { mergeChangeEvents } from '../evidence/events.js';
import { inertLine } from '../util/text.js';
import {
  exceedsCloudWatchLimit,
  DEFAULT_DELIVERY_DELAY_MS,
  DEFAULT_LATE_DELIVERY_MS,
  type Bounds,
  type Destination,
  type GapReport,
  type GapWindow,
  type HourRow,
} from './model.js';
import { inScope, GLOBAL_REGION } from './scope.js';
import { CHANGE_EVENT_NAMES, rankClosers, rankTriggers, trailResources } from './triggers.js';
import { fetchCwl, ingestS3, newCwlStore, newStore, type CwlStore, type DeliveredStore, type S3Target } from './deliveries.js';
import { seededHash } from './idset.js';
import { unionLength, wilson } from './stats.js';

/**
 * The gap engine: event history (LookupEvents) is the ground truth; every in-scope event it holds
 * must be in the trail's S3 log files and, when configured, its CloudWatch Logs log group.
 *
 * Query plan (LookupEvents: 2 requests/s, 50 events a page, one attribute per call):
 *  1. one page per hour of the window (newest ≤ 50 events of the hour). A quiet hour fits in that
 *     page and is counted exactly; a busy hour is sampled. When the window has more hours than
 *     60% of the call budget, every k-th hour is probed, from a phase fixed by the seed.
 *  2. if the whole window can be paged within the budget, it is (then nothing is sampled);
 *  3. otherwise each run of missing events has its edges located by bisection (≤ 8 calls per edge)
 *     and, budget permitting, the gap is paged in full so its count (and the export) is exact;
 *  4. global-service events (IAM, STS, CloudFront; us-east-1) by event source, for multi-region
 *     trails that include them;
 *  5. change events around each gap by resource name (bucket, trail, key, log group; role in
 *     us-east-1), unless the evidence already holds them.
 * Deliveries: S3 log files delivered from the window start to its end + 1 h are streamed once;
 * CloudWatch Logs events are fetched only for the time ranges compared.
 */
export interface GapProgress {
  phase: 'history' | 's3' | 'cloudwatch-logs' | 'refine' | 'triggers' | 'export';
  done: number;
  total: number;
  /** Seconds left for the rate-limited LookupEvents part (2 requests/s). */
  etaSeconds?: number;
  message: string;
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
  /** Write the missing events (CloudTrail records from event history) to this .jsonl.gz file. */
  exportPath?: string;
  onProgress?: (p: GapProgress) => void;
  /** Concurrent S3 reads (default 8). */
  concurrency?: number;
  /** Log files larger than this (compressed bytes) are skipped and reported (default 100 MiB). */
  maxFileBytes?: number;
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

import { DEFAULT_MAX_LOOKUP_CALLS, DEFAULT_SEED } from './model.js';
export { DEFAULT_MAX_LOOKUP_CALLS, DEFAULT_SEED };
const HOUR = 3_600_000;
const EDGE_PRECISION_MS = 2 * 60_000;
const MAX_EDGE_CALLS = 8;
const LOOKUP_RATE = 2;

type Scope = 'in' | 'excluded' | 'unknown' | 'pending';

interface Cmp {
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

interface HourState {
  start: number;
  end: number;
  coverage: 'none' | 'sample' | 'full';
  covered: [number, number][];
  token?: string;
}

interface QueryResult {
  ok: boolean;
  events: Cmp[];
  truncated: boolean;
  nextToken?: string;
  oldest?: number;
}

const isoS = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export class GapEngine {
  private readonly compared = new Map<string, Cmp>();
  private readonly raw = new Map<string, string>();
  private changes: ChangeEvent[] = [];
  private readonly hours: HourState[] = [];
  private readonly notes: string[];
  private calls = 0;
  /** Calls spent on the trigger search (outside the comparison budget). */
  private triggerCalls = 0;
  private throttled = 0;
  private historyError?: { code: string; reason: string; needs?: string };
  private readonly s3 = newStore();
  private readonly s3Global = newStore();
  private readonly cwl: CwlStore = newCwlStore();
  private readonly startMs: number;
  private readonly endMs: number;
  private readonly nowMs: number;
  private readonly pendingAfter: number;
  private readonly queryEnd: number;
  private readonly budget: number;
  private readonly seed: number;
  private readonly destinations: Destination[];
  private readonly logGroupName?: string;
  private readonly startedAt = Date.now();
  private plannedCalls = 0;
  /**
   * Our own pacing on top of the shared limiter: no burst (one request per 1/rate s), so network
   * jitter never lets two requests reach AWS closer together than its 2/s bucket allows.
   */
  private readonly pacers = new Map<string, RateLimiter>();
  /** Time spans whose event history was paged to the end (exact). */
  private readonly complete: [number, number][] = [];
  private sampledMode = false;

  constructor(
    private readonly clients: AwsClients,
    private readonly opts: EngineOptions,
    private readonly inputs: EngineInputs,
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

  // ---- event history --------------------------------------------------------------------------

  private progress(phase: GapProgress['phase'], message: string, done = this.calls, total = this.plannedCalls) {
    const left = Math.max(0, total - done);
    this.opts.onProgress?.({ phase, done, total, etaSeconds: Math.ceil(left / LOOKUP_RATE), message });
  }

  private hourIndex(t: number): number {
    const h0 = this.startMs - (this.startMs % HOUR);
    return Math.floor((t - h0) / HOUR);
  }

  private judge(record: Record<string, unknown> | undefined, ev: ChangeEvent, historyRegion: string): { scope: Scope; why?: string } {
    const t = Date.parse(ev.eventTime);
    const r = record ?? {};
    const ident = r.userIdentity as { arn?: unknown } | undefined;
    const ro = r.readOnly;
    const v = inScope(this.inputs.trail, this.inputs.selectors, this.opts.region, historyRegion, {
      eventSource: ev.eventSource,
      eventName: ev.eventName,
      readOnly: typeof ro === 'boolean' ? ro : ro === 'true' ? true : ro === 'false' ? false : undefined,
      eventType: typeof r.eventType === 'string' ? r.eventType : undefined,
      eventCategory: typeof r.eventCategory === 'string' ? r.eventCategory : undefined,
      errorCode: ev.errorCode,
      userIdentityArn: typeof ident?.arn === 'string' ? ident.arn : undefined,
      awsRegion: ev.awsRegion,
    });
    if (v.verdict !== 'selected') return { scope: v.verdict === 'excluded' ? 'excluded' : 'unknown', why: v.why };
    if (t > this.pendingAfter) return { scope: 'pending' };
    return { scope: 'in' };
  }

  /** One LookupEvents query (paged up to maxPages, within the budget), retried on throttling. */
  private async query(region: string, a: number, b: number, o: { maxPages: number; attribute?: { key: string; value: string }; nextToken?: string; compare?: boolean; ignoreBudget?: boolean }): Promise<QueryResult> {
    const out: Cmp[] = [];
    let token = o.nextToken;
    let oldest: number | undefined;
    let pagesLeft = o.ignoreBudget ? o.maxPages : Math.min(o.maxPages, this.budget - this.calls);
    let attempts = 0;
    let truncated = false;
    let gotAny = false;
    while (pagesLeft > 0) {
      // Pages of *this* query: `this.calls` is shared with the queries running beside it, so a
      // difference of it would charge their pages here (and end a throttled retry loop early).
      let pages = 0;
      const limiterKey = `cloudtrail:LookupEvents@${region}`;
      const shared = this.clients.limiters.get(limiterKey);
      let pacer = this.pacers.get(region);
      if (!pacer) this.pacers.set(region, (pacer = new RateLimiter(shared.ratePerSecond, 1)));
      await pacer.acquire();
      const res = await lookupEvents(this.clients, {
        region,
        start: new Date(a),
        end: new Date(b),
        attribute: o.attribute as never,
        nextToken: token,
        maxPages: 1,
        maxEvents: 50,
        onPage: () => {
          pages++;
          this.calls++;
          this.progress(this.sampledMode ? 'refine' : 'history', 'reading CloudTrail event history');
        },
        onRecord: (record, ev, rawJson) => {
          const t = Date.parse(ev.eventTime);
          oldest = oldest === undefined ? t : Math.min(oldest, t);
          if (CHANGE_EVENT_NAMES.includes(ev.eventName)) this.changes.push(ev);
          if (o.compare === false) return;
          let c = this.compared.get(ev.eventId);
          if (!c) {
            const j = this.judge(record, ev, region);
            c = { id: ev.eventId, t, name: ev.eventName, source: ev.eventSource, historyRegion: region, scope: j.scope, why: j.why, size: rawJson?.length ?? 0 };
            this.compared.set(ev.eventId, c);
            if (this.opts.exportPath && rawJson && j.scope === 'in') this.raw.set(ev.eventId, rawJson);
          }
          out.push(c);
        },
      });
      pagesLeft -= pages;
      if (res.status !== 'ok') {
        const throttled = res.errorCode && /thrott|limit|toomany/i.test(res.errorCode);
        if (throttled && attempts < 4) {
          attempts++;
          this.throttled++;
          await new Promise((r) => setTimeout(r, 500 * attempts));
          continue;
        }
        if (!gotAny) {
          this.historyError ??= { code: res.errorCode ?? 'Error', reason: res.reason ?? 'LookupEvents failed', needs: res.needs ?? LOOKUP_EVENTS_NEEDS };
          return { ok: false, events: out, truncated: true };
        }
        truncated = true;
        break;
      }
      gotAny = true;
      attempts = 0;
      token = res.value!.nextToken;
      truncated = Boolean(token);
      if (res.reason && token) {
        // stopped early on an error after some pages: throttling → retry from the token
        const throttled = res.errorCode && /thrott|limit|toomany/i.test(res.errorCode);
        if (throttled && attempts < 4 && pagesLeft > 0) {
          attempts++;
          this.throttled++;
          await new Promise((r) => setTimeout(r, 500 * attempts));
          continue;
        }
        break;
      }
      if (!token) break;
    }
    return { ok: true, events: out, truncated, nextToken: token, oldest };
  }

  private markCovered(a: number, b: number) {
    for (let i = Math.max(0, this.hourIndex(a)); i <= Math.min(this.hours.length - 1, this.hourIndex(b)); i++) {
      const h = this.hours[i]!;
      const x = Math.max(a, h.start);
      const y = Math.min(b, h.end);
      if (y > x) h.covered.push([x, y]);
    }
  }

  /** Step 1: a page per (possibly strided) hour. */
  private async probeHours(): Promise<void> {
    const n = this.hours.length;
    const allowed = Math.max(1, Math.floor(this.budget * 0.6));
    const k = n <= allowed ? 1 : Math.ceil(n / allowed);
    const phase = k > 1 ? seededHash('phase', this.seed) % k : 0;
    const chosen = this.hours.filter((_, i) => (i + phase) % k === 0);
    if (k > 1) this.notes.push(`window of ${n} hours exceeds the probe budget: every ${k}th hour probed (phase ${phase}, seed ${this.seed})`);
    this.plannedCalls = chosen.length;
    const limit = pLimit(2);
    await Promise.all(
      chosen.map((h) =>
        limit(async () => {
          if (this.historyError) return;
          const r = await this.query(this.opts.region, h.start, h.end, { maxPages: 1 });
          if (!r.ok) return;
          if (!r.truncated) {
            h.coverage = 'full';
            h.covered = [[h.start, h.end]];
            this.complete.push([h.start, h.end]);
          } else {
            h.coverage = 'sample';
            h.token = r.nextToken;
            h.covered.push([Math.max(h.start, r.oldest ?? h.start), h.end]);
          }
        }),
      ),
    );
  }

  /** Step 2: page every sampled hour to the end, when the whole window fits the budget. */
  private async completeIfAffordable(): Promise<boolean> {
    const sampled = this.hours.filter((h) => h.coverage === 'sample');
    const unprobed = this.hours.filter((h) => h.coverage === 'none');
    if (!sampled.length && !unprobed.length) return true;
    if (unprobed.length) return false;
    let pages = 0;
    for (const h of sampled) {
      const frac = unionLength(h.covered) / (h.end - h.start);
      pages += Math.ceil(50 / Math.max(frac, 1e-3) / 50) - 1;
    }
    if (pages > (this.budget - this.calls) * 0.9) return false;
    this.plannedCalls = this.calls + pages;
    for (const h of sampled) {
      const r = await this.query(this.opts.region, h.start, h.end, { maxPages: this.budget, nextToken: h.token });
      if (r.ok && !r.truncated) {
        h.coverage = 'full';
        h.covered = [[h.start, h.end]];
        this.complete.push([h.start, h.end]);
      } else {
        if (r.oldest !== undefined) h.covered.push([Math.max(h.start, r.oldest), h.end]);
        return false;
      }
    }
    return true;
  }

  // ---- deliveries -------------------------------------------------------------------------------

  private s3Target(region: string): S3Target | undefined {
    const t = this.inputs.trail;
    if (!t.s3BucketName) return undefined;
    return {
      bucket: t.s3BucketName,
      bucketRegion: this.inputs.bucketRegion ?? t.homeRegion ?? this.opts.region,
      prefix: t.s3KeyPrefix,
      accountId: this.inputs.accountId,
      orgId: t.isOrganizationTrail ? this.inputs.orgId : undefined,
      region,
    };
  }

  private startS3(): Promise<void> {
    const target = this.s3Target(this.opts.region);
    if (!target) {
      this.notes.push('the trail has no S3 bucket');
      return Promise.resolve();
    }
    const late = this.opts.lateDeliveryMs ?? DEFAULT_LATE_DELIVERY_MS;
    return ingestS3(
      this.clients,
      target,
      {
        from: this.startMs - (this.startMs % 60_000),
        to: this.endMs + late,
        concurrency: this.opts.concurrency,
        maxFileBytes: this.opts.maxFileBytes,
        onProgress: (done, total) => {
          if (done % 50 === 0 || done === total) this.opts.onProgress?.({ phase: 's3', done, total, message: 'reading S3 log files' });
        },
      },
      this.s3,
    );
  }

  /** Marks S3 and CloudWatch Logs delivery for every compared event not yet judged. */
  private async evaluate(): Promise<void> {
    const needCwl: [number, number][] = [];
    for (const c of this.compared.values()) {
      if (c.scope !== 'in') continue;
      if (c.s3 === undefined) {
        const store = c.historyRegion === this.opts.region ? this.s3 : this.s3Global;
        c.s3 = store.ids.has(c.id);
        const size = store.large.get(c.id);
        if (size !== undefined) c.size = size;
      }
      if (this.logGroupName && c.cwl === undefined) needCwl.push([c.t - 1000, c.t + 1000]);
    }
    if (this.logGroupName && needCwl.length) {
      this.opts.onProgress?.({ phase: 'cloudwatch-logs', done: 0, total: 1, message: 'reading the CloudWatch Logs log group' });
      // Fetch the hours' covered ranges (not event by event): few FilterLogEvents calls.
      const ranges: [number, number][] = [];
      for (const h of this.hours) for (const [a, b] of h.covered) ranges.push([a - 1000, b + 1000]);
      for (const r of needCwl) ranges.push(r);
      await fetchCwl(this.clients, this.opts.region, this.logGroupName, ranges, this.cwl);
      for (const c of this.compared.values()) {
        if (c.scope !== 'in' || c.cwl !== undefined) continue;
        if (!this.cwl.fetched.some(([a, b]) => a <= c.t && c.t <= b)) continue;
        c.cwl = this.cwl.ids.has(c.id);
        if (!c.cwl && c.s3 && exceedsCloudWatchLimit(c.size)) c.tooLarge = true;
      }
    }
  }

  /** A destination whose listing or reading failed cannot prove anything missing. */
  private unreadable(d: Destination, historyRegion = this.opts.region): boolean {
    if (d === 's3') return (historyRegion === this.opts.region ? this.s3 : this.s3Global).errors.length > 0;
    return this.cwl.errors.length > 0;
  }

  private status(c: Cmp, d: Destination): 'delivered' | 'missing' | 'n/a' {
    if (c.scope !== 'in' || this.unreadable(d, c.historyRegion)) return 'n/a';
    if (d === 's3') return c.s3 === undefined ? 'n/a' : c.s3 ? 'delivered' : 'missing';
    if (c.cwl === undefined || c.tooLarge) return 'n/a';
    return c.cwl ? 'delivered' : 'missing';
  }

  private sorted(): Cmp[] {
    return [...this.compared.values()].filter((c) => c.scope === 'in').sort((a, b) => a.t - b.t || a.id.localeCompare(b.id));
  }

  private runs(d: Destination): { first: Cmp; last: Cmp; missing: Cmp[]; prev?: Cmp; next?: Cmp }[] {
    const out: { first: Cmp; last: Cmp; missing: Cmp[]; prev?: Cmp; next?: Cmp }[] = [];
    let prev: Cmp | undefined;
    let cur: { first: Cmp; last: Cmp; missing: Cmp[]; prev?: Cmp; next?: Cmp } | undefined;
    for (const c of this.sorted()) {
      const s = this.status(c, d);
      if (s === 'n/a') continue;
      if (s === 'missing') {
        if (!cur) cur = { first: c, last: c, missing: [], prev };
        cur.last = c;
        cur.missing.push(c);
      } else {
        if (cur) {
          cur.next = c;
          out.push(cur);
          cur = undefined;
        }
        prev = c;
      }
    }
    if (cur) out.push(cur);
    return out;
  }

  /** Step 3a: bisect the edges of each run of missing events. */
  private async refineEdges(): Promise<void> {
    for (const d of this.destinations) {
      for (let guard = 0; guard < 50; guard++) {
        const target = this.runs(d).find((r) => (r.prev && r.first.t - r.prev.t > EDGE_PRECISION_MS && !this.edgeDone.has(`o:${d}:${r.first.id}`)) || (r.next && r.next.t - r.last.t > EDGE_PRECISION_MS && !this.edgeDone.has(`c:${d}:${r.last.id}`)));
        if (!target || this.calls >= this.budget) break;
        if (target.prev && target.first.t - target.prev.t > EDGE_PRECISION_MS && !this.edgeDone.has(`o:${d}:${target.first.id}`)) {
          await this.bisect(d, target.prev.t, target.first.t, 'open', `o:${d}:${target.first.id}`);
        } else if (target.next) {
          await this.bisect(d, target.last.t, target.next.t, 'close', `c:${d}:${target.last.id}`);
        }
      }
    }
  }

  private readonly edgeDone = new Set<string>();

  private async bisect(d: Destination, lo: number, hi: number, edge: 'open' | 'close', key: string): Promise<void> {
    for (let i = 0; i < MAX_EDGE_CALLS && hi - lo > EDGE_PRECISION_MS && this.calls < this.budget; i++) {
      const mid = Math.floor((lo + hi) / 2);
      // LookupEvents answers newest first: a page over [lo, mid] holds the events just before mid,
      // so either way the interval halves (querying [mid, hi] would only creep back from hi).
      const [a, b] = [lo + 1, mid];
      this.plannedCalls = Math.max(this.plannedCalls, this.calls + 1);
      const r = await this.query(this.opts.region, a, b, { maxPages: 1 });
      if (!r.ok) break;
      this.markCovered(r.truncated ? Math.max(a, r.oldest ?? a) : a, b);
      await this.evaluate();
      const judged = r.events.filter((c) => this.status(c, d) !== 'n/a').sort((x, y) => x.t - y.t);
      if (!judged.length) {
        // nothing in scope just before mid: the change happened after it (or in [lo, oldest])
        lo = r.truncated ? Math.max(lo, r.oldest ?? lo) : mid;
        continue;
      }
      if (edge === 'open') {
        const firstMissing = judged.find((c) => this.status(c, d) === 'missing');
        const lastDelivered = [...judged].reverse().find((c) => this.status(c, d) === 'delivered' && (!firstMissing || c.t <= firstMissing.t));
        if (firstMissing) hi = firstMissing.t;
        if (lastDelivered) lo = Math.max(lo, lastDelivered.t);
        if (!firstMissing) lo = r.truncated ? Math.max(lo, judged[judged.length - 1]!.t) : mid;
        if (firstMissing && !r.truncated && !lastDelivered) break; // [lo, firstMissing) holds no event: edge found
      } else {
        const lastMissing = [...judged].reverse().find((c) => this.status(c, d) === 'missing');
        const firstDelivered = judged.find((c) => this.status(c, d) === 'delivered' && (!lastMissing || c.t >= lastMissing.t));
        if (lastMissing) lo = Math.max(lo, lastMissing.t);
        if (firstDelivered) hi = Math.min(hi, firstDelivered.t);
        if (!lastMissing) hi = Math.min(hi, judged[0]!.t);
        if (lastMissing && !firstDelivered) lo = Math.max(lo, mid);
      }
    }
    this.edgeDone.add(key);
  }

  /** Step 3b: page each gap in full, oldest first, while the budget lasts. */
  private async fillGaps(): Promise<void> {
    const rate = this.rate();
    const spans: [number, number][] = [];
    for (const d of this.destinations) for (const r of this.runs(d)) spans.push([r.prev?.t ?? r.first.t, r.next?.t ?? r.last.t]);
    spans.sort((x, y) => x[0] - y[0]);
    for (const [a, b] of spans) {
      if (this.isExact(a, b)) continue;
      const pages = Math.ceil((rate * (b - a)) / 1000 / 50) + 1;
      if (pages > this.budget - this.calls) {
        this.notes.push(`gap ${isoS(a)}–${isoS(b)} is too large to page in full within the call budget: its count is estimated`);
        continue;
      }
      this.plannedCalls = this.calls + pages;
      const r = await this.query(this.opts.region, a, b, { maxPages: pages + 20 });
      if (!r.ok) break;
      if (!r.truncated) {
        this.markCovered(a, b);
        this.complete.push([a, b]);
        for (const h of this.hours) if (h.start >= a && h.end <= b) h.coverage = 'full';
      } else if (r.oldest !== undefined) this.markCovered(r.oldest, b);
    }
    await this.evaluate();
  }

  /** Was all of [a, b] paged to the end? */
  private isExact(a: number, b: number): boolean {
    const spans = mergeSpans(this.complete);
    return spans.some(([x, y]) => x <= a && b <= y) || (a === b && spans.some(([x, y]) => x <= a && a <= y));
  }

  /** In-scope events per second, from the hours compared. */
  private rate(): number {
    const ts = this.sorted().map((c) => c.t);
    let n = 0;
    let ms = 0;
    for (const h of this.hours) {
      const cov = unionLength(h.covered);
      if (!cov) continue;
      ms += cov;
      for (const t of ts) if (t >= h.start && t < h.end) n++;
    }
    return ms ? (n * 1000) / ms : 0;
  }

  /** Step 4: global-service events in us-east-1 for a multi-region trail studied from another region. */
  private async globalEvents(): Promise<void> {
    const t = this.inputs.trail;
    if (this.opts.region === GLOBAL_REGION || !t.isMultiRegionTrail || !t.includeGlobalServiceEvents) return;
    const pages = Math.min(4, this.budget - this.calls);
    if (pages <= 0) {
      this.notes.push('global-service events (us-east-1) not compared: call budget spent');
      return;
    }
    const r = await this.query(GLOBAL_REGION, this.startMs, this.queryEnd, { maxPages: pages, attribute: { key: 'EventSource', value: 'iam.amazonaws.com' } });
    if (!r.ok) {
      this.notes.push('global-service events (us-east-1) could not be read from event history');
      return;
    }
    const times = r.events.filter((c) => c.scope === 'in').map((c) => c.t);
    if (!times.length) return;
    this.notes.push(`global-service events: ${times.length} IAM events from us-east-1 event history compared with the us-east-1 log files`);
    const target = this.s3Target(GLOBAL_REGION);
    if (!target) return;
    const late = this.opts.lateDeliveryMs ?? DEFAULT_LATE_DELIVERY_MS;
    times.sort((a, b) => a - b);
    await ingestS3(this.clients, target, { from: times[0]! - 60_000, to: times[times.length - 1]! + late, keep: (ms) => times.some((x) => ms >= x - 60_000 && ms <= x + late), concurrency: this.opts.concurrency, maxFileBytes: this.opts.maxFileBytes }, this.s3Global);
    await this.evaluate();
  }

  // ---- triggers ---------------------------------------------------------------------------------

  private async changeEventsFor(spans: [number, number][]): Promise<ChangeEvent[]> {
    const known = this.inputs.knownChanges;
    const covered = (a: number, b: number) => known && known.start <= a && b <= known.end;
    const toQuery = spans.filter(([a, b]) => !covered(a, b));
    const fetched: ChangeEvent[] = [];
    if (toQuery.length) {
      const t = this.inputs.trail;
      const res = trailResources(t, this.inputs.bucketKmsKeyId);
      const regional = [t.s3BucketName, t.name, t.arn, res.kms.find((k) => !k.startsWith('arn:')), res.logGroup.find((g) => !g.startsWith('arn:'))].filter((x): x is string => !!x);
      const globalNames = res.role.filter((r) => !r.startsWith('arn:'));
      const planned: { region: string; value: string }[] = [...regional.map((value) => ({ region: this.opts.region, value })), ...globalNames.map((value) => ({ region: GLOBAL_REGION, value }))];
      const merged = mergeSpans(toQuery);
      this.plannedCalls = this.calls + planned.length * merged.length;
      for (const [a, b] of merged) {
        for (const p of planned) {
          this.opts.onProgress?.({ phase: 'triggers', done: this.calls, total: this.plannedCalls, etaSeconds: Math.ceil((this.plannedCalls - this.calls) / LOOKUP_RATE), message: 'looking for the changes that opened and closed each gap' });
          // Trigger lookups are few and outside the comparison budget.
          const before = this.calls;
          await this.query(p.region, a, b, { maxPages: 3, attribute: { key: 'ResourceName', value: p.value }, compare: false, ignoreBudget: true });
          this.triggerCalls += this.calls - before;
        }
      }
    }
    return mergeChangeEvents(known?.events, this.changes, fetched);
  }

  // ---- report -----------------------------------------------------------------------------------

  async run(): Promise<GapReport> {
    const s3Done = this.startS3();
    await this.probeHours();
    if (this.historyError && !this.compared.size) {
      await s3Done.catch(() => undefined);
      return this.couldNotCheck();
    }
    await s3Done;
    if (this.destinations.every((d) => this.unreadable(d))) return this.deliveriesUnreadable();
    await this.evaluate();
    const complete = await this.completeIfAffordable();
    this.sampledMode = !complete;
    await this.evaluate();
    if (!complete) {
      await this.refineEdges();
      await this.fillGaps();
    }
    await this.globalEvents();
    return this.build();
  }

  private couldNotCheck(): GapReport {
    const e = this.historyError!;
    return {
      window: { start: isoS(this.startMs), end: isoS(this.endMs) },
      totals: { recorded: 0, delivered: 0, missing: 0, sampled: false },
      gaps: [],
      status: 'could-not-check',
      reason: `could not read CloudTrail event history: ${inertLine(e.reason, 500)}`,
      needs: e.needs,
      trail: this.trailInfo(),
      notes: this.notes,
      stats: this.stats(),
    };
  }

  private deliveriesUnreadable(): GapReport {
    const e = this.s3.errors[0] ?? { code: 'Error', message: 'unknown', needs: 's3:ListBucket', what: 'read the log files' };
    return {
      window: { start: isoS(this.startMs), end: isoS(this.endMs) },
      totals: { recorded: 0, delivered: 0, missing: 0, sampled: false },
      gaps: [],
      status: 'could-not-check',
      reason: `could not ${inertLine(e.what, 300)}: ${e.code}: ${inertLine(e.message, 300)}`,
      needs: e.needs,
      trail: this.trailInfo(),
      notes: this.notes,
      stats: this.stats(),
    };
  }

  private trailInfo(): GapReport['trail'] {
    const t = this.inputs.trail;
    return { name: t.name, arn: t.arn, region: this.opts.region, homeRegion: t.homeRegion };
  }

  private stats(): NonNullable<GapReport['stats']> {
    return {
      durationMs: Date.now() - this.startedAt,
      lookupEventsCalls: this.calls,
      lookupEventsThrottled: this.throttled,
      filesRead: this.s3.files + this.s3Global.files,
      bytesRead: this.s3.bytes + this.s3Global.bytes,
      deliveredRecordsRead: this.s3.records + this.s3Global.records,
      cloudWatchEventsRead: this.cwl.events,
      eventsCompared: [...this.compared.values()].filter((c) => c.scope === 'in').length,
    };
  }

  /** Per hour: its effective length (up to the delivery delay), compared events, and estimated events. */
  private hourModel(): { h: HourState; cs: Cmp[]; inScope: Cmp[]; len: number; nHat: number }[] {
    const byHour = new Map<number, Cmp[]>();
    for (const c of this.compared.values()) {
      const i = this.hourIndex(c.t);
      if (i < 0 || i >= this.hours.length) continue;
      (byHour.get(i) ?? byHour.set(i, []).get(i)!).push(c);
    }
    let rateN = 0;
    let rateMs = 0;
    const base = this.hours.map((h, i) => {
      const cs = byHour.get(i) ?? [];
      const inScope = cs.filter((c) => c.scope === 'in');
      const effEnd = Math.min(h.end, this.pendingAfter);
      const len = Math.max(0, effEnd - h.start);
      const cov = Math.min(len, unionLength(h.covered.map(([a, b]) => [a, Math.min(b, effEnd)] as [number, number])));
      if (h.coverage !== 'none' && cov > 0) {
        rateN += inScope.length;
        rateMs += cov;
      }
      return { h, cs, inScope, len, cov };
    });
    const rate = rateMs ? rateN / rateMs : 0;
    return base.map((x) => ({
      ...x,
      nHat: x.h.coverage === 'full' ? x.inScope.length : x.h.coverage === 'sample' && x.cov > 0 ? Math.max(x.inScope.length, (x.inScope.length * x.len) / x.cov) : rate * x.len,
    }));
  }

  /** Estimated in-scope events in [a, b], and the relative error of that rate (95%). */
  private expected(model: ReturnType<GapEngine['hourModel']>, a: number, b: number): { n: number; err: number } {
    let n = 0;
    let seen = 0;
    for (const m of model) {
      if (m.len <= 0) continue;
      const lo = Math.max(a, m.h.start);
      const hi = Math.min(b, m.h.start + m.len);
      if (hi <= lo) continue;
      n += (m.nHat * (hi - lo)) / m.len;
      seen += m.inScope.length;
    }
    return { n, err: seen ? 1.96 / Math.sqrt(seen) : 1 };
  }

  /** A gap's size: exact when paged in full; else between the span of its observed missing events and the span between its delivered neighbours. */
  private gapEstimate(model: ReturnType<GapEngine['hourModel']>, r: { first: Cmp; last: Cmp; missing: Cmp[]; prev?: Cmp; next?: Cmp }): Bounds & { exact: boolean } {
    const m = r.missing.length;
    const a = r.prev?.t ?? this.startMs;
    const b = r.next?.t ?? Math.min(this.queryEnd, this.pendingAfter);
    if (this.isExact(r.prev?.t ?? r.first.t, r.next?.t ?? r.last.t)) return { value: m, low: m, high: m, exact: true };
    const inner = this.expected(model, r.first.t, r.last.t);
    const outer = this.expected(model, a, b);
    const low = Math.max(m, Math.floor(inner.n * (1 - inner.err)));
    const high = Math.max(m, Math.ceil(outer.n * (1 + outer.err)));
    const value = Math.min(high, Math.max(low, Math.round((inner.n + outer.n) / 2)));
    return { value, low, high, exact: false };
  }

  private hourRows(model: ReturnType<GapEngine['hourModel']>): { rows: HourRow[]; est: Map<Destination, Bounds>; recordedEst: number } {
    const rows: HourRow[] = [];
    const est = new Map<Destination, Bounds>(this.destinations.map((d) => [d, { value: 0, low: 0, high: 0 }]));
    let recordedEst = 0;
    // gap runs carry their own estimate; the rest of the window adds only what sampling could have missed
    const spans = new Map<Destination, [number, number][]>();
    for (const d of this.destinations) {
      const e = est.get(d)!;
      const list: [number, number][] = [];
      for (const r of this.runs(d)) {
        const g = this.gapEstimate(model, r);
        e.value += g.value;
        e.low += g.low;
        e.high += g.high;
        list.push([r.prev?.t ?? this.startMs, r.next?.t ?? Math.min(this.queryEnd, this.pendingAfter)]);
      }
      spans.set(d, mergeSpans(list));
    }
    for (const { h, cs, inScope, len, nHat } of model) {
      const row: HourRow = {
        hour: isoS(h.start - (h.start % HOUR)),
        recorded: inScope.length,
        delivered: {},
        missing: {},
        excluded: cs.filter((c) => c.scope === 'excluded' || c.scope === 'unknown').length,
        pending: cs.filter((c) => c.scope === 'pending').length,
        coverage: h.coverage,
      };
      const recs = this.s3.hourly.get(h.start - (h.start % HOUR));
      if (recs !== undefined) row.s3Records = recs;
      if (len > 0) recordedEst += nHat;
      for (const d of this.destinations) {
        const judged = inScope.filter((c) => this.status(c, d) !== 'n/a');
        const m = judged.filter((c) => this.status(c, d) === 'missing').length;
        row.delivered[d] = judged.length - m;
        row.missing[d] = m;
        if (len <= 0 || h.coverage === 'full') continue;
        // the part of the hour outside every gap span
        const end = h.start + len;
        const inGaps = unionLength(spans.get(d)!.map(([a, b]) => [Math.max(a, h.start), Math.min(b, end)] as [number, number]));
        const outside = Math.max(0, len - inGaps) / len;
        if (outside <= 0) continue;
        const e = est.get(d)!;
        if (h.coverage === 'sample') {
          const n = judged.filter((c) => !spans.get(d)!.some(([a, b]) => c.t >= a && c.t <= b)).length;
          e.high += wilson(0, n)[1] * nHat * outside;
        } else {
          e.high += nHat * outside;
        }
      }
      rows.push(row);
    }
    for (const e of est.values()) {
      e.value = Math.round(e.value);
      e.low = Math.floor(e.low);
      e.high = Math.ceil(e.high);
    }
    return { rows, est, recordedEst: Math.round(recordedEst) };
  }

  private async build(): Promise<GapReport> {
    const inScope = this.sorted();
    const judgedAny = inScope.filter((c) => this.destinations.some((d) => this.status(c, d) !== 'n/a'));
    const missingAny = judgedAny.filter((c) => this.destinations.some((d) => this.status(c, d) === 'missing'));
    const byDestination: Record<string, { delivered: number; missing: number }> = {};
    for (const d of this.destinations) {
      const j = inScope.filter((c) => this.status(c, d) !== 'n/a');
      const m = j.filter((c) => this.status(c, d) === 'missing').length;
      byDestination[d] = { delivered: j.length - m, missing: m };
    }
    const model = this.hourModel();
    const { rows, est, recordedEst } = this.hourRows(model);
    const sampled = this.hours.some((h) => h.coverage !== 'full' && Math.min(h.end, this.pendingAfter) > h.start);

    // gap windows
    const gaps: GapWindow[] = [];
    const res = trailResources(this.inputs.trail, this.inputs.bucketKmsKeyId);
    const runsByDest = this.destinations.map((d) => ({ d, runs: this.runs(d) }));
    const spans: [number, number][] = [];
    const windowMs = (this.opts.triggerWindowMinutes ?? 15) * 60_000;
    for (const { runs } of runsByDest) for (const r of runs) spans.push([r.first.t - windowMs, (r.next?.t ?? r.last.t) + windowMs]);
    const changes = spans.length ? await this.changeEventsFor(spans) : [];
    for (const { d, runs } of runsByDest) {
      for (const r of runs) {
        const a = r.prev?.t ?? r.first.t;
        const b = r.next?.t ?? r.last.t;
        const ge = this.gapEstimate(model, r);
        const exact = ge.exact;
        const triggers = rankTriggers(changes, res, { destination: d, at: r.first.t, windowMs, slackMs: 2 * 60_000 });
        const closers = r.next ? rankClosers(changes, res, { destination: d, at: r.last.t, until: r.next.t, windowMs, slackMs: 2 * 60_000 }) : [];
        const g: GapWindow = {
          destination: d,
          start: isoS(r.first.t),
          end: isoS(r.last.t),
          eventsMissing: r.missing.length,
          trigger: triggers[0] ?? null,
          closedBy: closers[0] ?? null,
          exact,
        };
        if (r.prev) g.lastDeliveredBefore = isoS(r.prev.t);
        if (r.next) g.firstDeliveredAfter = isoS(r.next.t);
        else g.open = true;
        if (triggers.length > 1) g.candidates = triggers.slice(1, 5);
        if (!exact) g.estimatedMissing = { value: ge.value, low: ge.low, high: ge.high };
        gaps.push(g);
      }
    }
    gaps.sort((x, y) => Date.parse(x.start) - Date.parse(y.start) || x.destination.localeCompare(y.destination));

    const tooLarge = inScope
      .filter((c) => c.tooLarge)
      .map((c) => ({ eventId: c.id, eventName: c.name, eventTime: isoS(c.t), sizeBytes: c.size }));

    const report: GapReport = {
      window: { start: isoS(this.startMs), end: isoS(this.endMs) },
      totals: { recorded: judgedAny.length, delivered: judgedAny.length - missingAny.length, missing: missingAny.length, sampled },
      gaps,
      status: 'ok',
      trail: this.trailInfo(),
      destinations: this.destinations,
      byDestination,
      excluded: [...this.compared.values()].filter((c) => c.scope === 'excluded' || c.scope === 'unknown').length,
      pending: [...this.compared.values()].filter((c) => c.scope === 'pending').length,
      deliveryDelayMinutes: Math.round((this.opts.deliveryDelayMs ?? DEFAULT_DELIVERY_DELAY_MS) / 60_000),
      hourly: rows,
    };
    if (sampled) {
      const missingEst: Bounds = { value: 0, low: 0, high: 0 };
      // an event missing anywhere: the destination with most missing bounds the union from below
      for (const b of est.values()) {
        missingEst.value = Math.max(missingEst.value, b.value);
        missingEst.low = Math.max(missingEst.low, b.low);
        missingEst.high += b.high;
      }
      missingEst.high = Math.min(missingEst.high, Math.max(recordedEst, missingEst.value));
      report.sampling = {
        mode: 'hourly-probe',
        method:
          'LookupEvents returns ≤ 50 events a page at 2 requests/s, so a busy window cannot be read in full. Every hour (or every k-th hour, phase fixed by the seed, when the window has more hours than the budget allows) gets one page: its newest ≤ 50 events. Quiet hours fit in that page and are exact; busy hours are a sample. Runs of missing events have their edges found by bisection (to 2 minutes) and are paged in full when the budget allows. Estimates: events per hour ≈ sample × hour length / sampled span; a gap that was not paged in full lies between the span of its observed missing events and the span between its delivered neighbours (±95% on the rate); outside gaps the upper bound adds what the unsampled part of each sampled hour could hide (95% Wilson bound of its sample), and each unprobed hour adds all its estimated events.',
        seed: this.seed,
        hours: this.hours.length,
        hoursFull: this.hours.filter((h) => h.coverage === 'full').length,
        hoursSampled: this.hours.filter((h) => h.coverage === 'sample').length,
        hoursUnsampled: this.hours.filter((h) => h.coverage === 'none').length,
        eventsCompared: judgedAny.length,
        estimate: { recorded: recordedEst, missing: missingEst, missingByDestination: Object.fromEntries(est) },
        budget: { maxLookupCalls: this.budget, used: this.calls - this.triggerCalls },
      };
    }
    if (tooLarge.length) report.tooLargeForCloudWatch = tooLarge;
    const skipped = [...this.s3.skipped, ...this.s3Global.skipped];
    if (skipped.length) report.skippedFiles = skipped.slice(0, 200);
    if (skipped.length > 200) this.notes.push(`${skipped.length - 200} more skipped files not listed`);
    for (const e of [...this.s3.errors, ...this.s3Global.errors].slice(0, 5)) this.notes.push(`could not ${e.what}: ${e.code} (needs ${e.needs})`);
    if (this.s3.truncated) this.notes.push('too many log files: the S3 listing was capped');
    if (this.s3.missingBucket) this.notes.push(`the bucket ${inertLine(this.inputs.trail.s3BucketName ?? '', 100)} does not exist: nothing can have been delivered to it`);
    for (const e of this.cwl.errors.slice(0, 3)) this.notes.push(`could not read the CloudWatch Logs log group: ${e.code} (needs ${e.needs})`);
    if (this.cwl.truncated) this.notes.push('CloudWatch Logs reading was capped for some ranges');
    if (this.historyError) this.notes.push(`event history stopped early: ${this.historyError.code}`);
    const unknown = [...this.compared.values()].filter((c) => c.scope === 'unknown').length;
    if (unknown) this.notes.push(`${unknown} events were not compared: the trail's advanced selectors use fields event history cannot judge`);
    for (const d of this.destinations) if (this.unreadable(d)) this.notes.push(`${d === 's3' ? 'S3' : 'CloudWatch Logs'} could not be read, so nothing is counted missing from it`);
    if (this.opts.exportPath) report.exported = await this.export(missingAny, gaps);
    report.notes = this.notes;
    report.stats = this.stats();
    this.opts.onProgress?.({ phase: 'export', done: 1, total: 1, etaSeconds: 0, message: 'done' });
    return report;
  }

  private async export(missing: Cmp[], gaps: GapWindow[]): Promise<NonNullable<GapReport['exported']>> {
    const path = this.opts.exportPath!;
    this.opts.onProgress?.({ phase: 'export', done: 0, total: missing.length, message: `writing ${path}` });
    const lines = missing.map((c) => this.raw.get(c.id)).filter((x): x is string => !!x);
    async function* gen() {
      for (const l of lines) yield `${JSON.stringify(JSON.parse(l))}\n`;
    }
    await pipeline(Readable.from(gen()), createGzip(), createWriteStream(path));
    const complete = gaps.every((g) => g.exact) && lines.length === missing.length;
    return {
      path,
      events: lines.length,
      complete,
      source: 'event-history',
      note: `These ${lines.length} management events come from CloudTrail event history (LookupEvents), not from the trail's log files: they are what the trail should have delivered.${complete ? '' : ' The window was sampled, so the export holds only the missing events found, not every missing event.'}`,
    };
  }
}

function mergeSpans(spans: [number, number][]): [number, number][] {
  const s = [...spans].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const r of s) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

