import pLimit from 'p-limit';
import type { AwsClients } from '../aws/clients.js';
import { lookupEvents, LOOKUP_EVENTS_NEEDS } from '../aws/lookup-events.js';
import { RateLimiter } from '../aws/rate-limit.js';
import type { ChangeEvent } from '../evidence/schema.js';
import { mergeChangeEvents } from '../evidence/events.js';
import type { Destination } from './model.js';
import { inScope, GLOBAL_REGION } from './scope.js';
import { CHANGE_EVENT_NAMES, trailResources } from './triggers.js';
import { unionLength } from './stats.js';
import { isExact, mergeSpans, rate, runs } from './estimator.js';
import type { DeliveredRecords } from './delivered.js';
import { applyDayPage, applyHourPage, coarseSpans, strided, type QueryResult } from './coverage.js';
import { isoS, LOOKUP_RATE, type Cmp, type GapProgress, type GapRun, type HourState, type Scope } from './run.js';

/** The IAM action behind the event-history reads. */
export const SAMPLER_ACTIONS = ['cloudtrail:LookupEvents'] as const;

const EDGE_PRECISION_MS = 2 * 60_000;

/** The run guard's refusals: no later call of this run can be answered. */
const HALTING_CODES = /^(ServiceCircuitOpen|ThrottleBudgetSpent|DeadlineExceeded)$/;

/** Throttling worth a paced retry; not the guard's spent throttle budget. */
const isRetriableThrottle = (code: string | undefined): boolean => !!code && code !== 'ThrottleBudgetSpent' && /thrott|limit|toomany/i.test(code);
const MAX_EDGE_CALLS = 8;

/**
 * The event-history sampler. Event history (LookupEvents) is the ground truth; it answers ≤ 50
 * events a page at 2 requests/s, one attribute per call, so within a call budget:
 *  1. one page per UTC day of the window (its newest ≤ 50 events): a day with fewer is exact in one
 *     call, and so is every hour after a busy day's oldest event on its page; then one page per
 *     remaining hour of the busy days only (a quiet hour is exact, a busy one sampled). Within 60%
 *     of the call budget: past it, every k-th day or hour, from a phase fixed by the seed. The
 *     log files of the events found are read while the next pages are asked for.
 *  2. if the whole window can be paged within the budget, it is (then nothing is sampled);
 *  3. otherwise each run of missing events has its edges located by bisection (≤ 8 calls per edge)
 *     and, budget permitting, the gap is paged in full so its count (and the export) is exact;
 *  4. global-service events (IAM, STS, CloudFront; us-east-1) by event source, for multi-region
 *     trails that include them;
 *  5. change events around each gap by resource name (bucket, trail, key, log group; role in
 *     us-east-1), unless the evidence already holds them.
 * Requests are paced (no burst) on top of the clients' shared limiter, and retried on throttling.
 */
export class HistorySampler {
  calls = 0;
  /** Calls spent on the trigger search (outside the comparison budget). */
  triggerCalls = 0;
  throttled = 0;
  historyError?: { code: string; reason: string; needs?: string };
  /**
   * Event history refused for the rest of the run (denied, the run guard's open circuit after two
   * 5xx answers, its throttle budget spent, the deadline): no further LookupEvents call is made.
   */
  halted?: string;
  private plannedCalls = 0;
  /** Past the exact first pass: pages now refine a sampled window. */
  sampledMode = false;
  /**
   * Our own pacing on top of the shared limiter: no burst (one request per 1/rate s), so network
   * jitter never lets two requests reach AWS closer together than its 2/s bucket allows.
   */
  private readonly pacers = new Map<string, RateLimiter>();
  private readonly edgeDone = new Set<string>();

  constructor(
    private readonly clients: AwsClients,
    private readonly run: GapRun,
    private readonly delivered: DeliveredRecords,
  ) {}

  private progress(phase: GapProgress['phase'], message: string, done = this.calls, total = this.plannedCalls) {
    const left = Math.max(0, total - done);
    this.run.opts.onProgress?.({ phase, done, total, etaSeconds: Math.ceil(left / LOOKUP_RATE), message });
  }

  private judge(record: Record<string, unknown> | undefined, ev: ChangeEvent, historyRegion: string): { scope: Scope; why?: string } {
    const t = Date.parse(ev.eventTime);
    const r = record ?? {};
    const ident = r.userIdentity as { arn?: unknown } | undefined;
    const ro = r.readOnly;
    const v = inScope(this.run.inputs.trail, this.run.inputs.selectors, this.run.opts.region, historyRegion, {
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
    if (t > this.run.pendingAfter) return { scope: 'pending' };
    return { scope: 'in' };
  }
  /** The run was abandoned (its signal aborted): no more calls, and what it learned is dropped. */
  private abandoned(): boolean {
    if (!this.run.opts.signal?.aborted) return false;
    this.halted ??= 'Abandoned';
    return true;
  }

  /** One LookupEvents query (paged up to maxPages, within the budget), retried on throttling. */
  private async query(region: string, a: number, b: number, o: { maxPages: number; attribute?: { key: string; value: string }; nextToken?: string; compare?: boolean; ignoreBudget?: boolean }): Promise<QueryResult> {
    const out: Cmp[] = [];
    let token = o.nextToken;
    let oldest: number | undefined;
    if (this.halted || this.abandoned()) return { ok: false, events: out, truncated: true };
    let pagesLeft = o.ignoreBudget ? o.maxPages : Math.min(o.maxPages, this.run.budget - this.calls);
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
      if (this.abandoned()) return { ok: false, events: out, truncated: true };
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
          if (CHANGE_EVENT_NAMES.includes(ev.eventName)) this.run.changes.push(ev);
          if (o.compare === false) return;
          let c = this.run.compared.get(ev.eventId);
          if (!c) {
            const j = this.judge(record, ev, region);
            c = { id: ev.eventId, t, name: ev.eventName, source: ev.eventSource, historyRegion: region, scope: j.scope, why: j.why, size: rawJson?.length ?? 0 };
            this.run.compared.set(ev.eventId, c);
            if (this.run.opts.exportMissing && rawJson && j.scope === 'in') this.run.raw.set(ev.eventId, rawJson);
          }
          out.push(c);
        },
      });
      pagesLeft -= pages;
      if (res.status !== 'ok') {
        const throttled = isRetriableThrottle(res.errorCode);
        if (throttled && attempts < 4) {
          attempts++;
          this.throttled++;
          await new Promise((r) => setTimeout(r, 500 * attempts));
          continue;
        }
        // Refused, failed or throttled past the retries: the rest of the run works with what it has.
        this.halted ??= res.errorCode ?? res.status;
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
        const throttled = isRetriableThrottle(res.errorCode);
        if (HALTING_CODES.test(res.errorCode ?? '')) this.halted ??= res.errorCode;
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

  /**
   * Step 1: first one page per day of the window (its newest ≤ 50 events): a day with fewer is
   * exact in one call, however many hours it has, so the hours where the trail had no events cost
   * nothing more. Then a page per (possibly strided) hour, only in the days that had more.
   */
  async probeHours(): Promise<void> {
    const allowed = Math.max(1, Math.floor(this.run.budget * 0.6));
    const days = strided(coarseSpans(this.run.hours), allowed, this.run, 'day-phase', (k, phase) => `window of ${this.run.hours.length} hours exceeds the probe budget: every ${k}th day probed (phase ${phase}, seed ${this.run.seed})`);
    this.plannedCalls = days.length;
    const busy: HourState[] = [];
    const limit = pLimit(2);
    const probe = async (a: number, b: number, apply: (r: QueryResult) => void) => {
      if (this.historyError || this.halted) return;
      const r = await this.query(this.run.opts.region, a, b, { maxPages: 1 });
      if (!r.ok) return;
      apply(r);
      // the log files of these events are read while event history is still being sampled
      this.delivered.readAhead(r.events);
    };
    const probeDay = (day: HourState[]) => probe(day[0]!.start, day[day.length - 1]!.end, (r) => busy.push(...applyDayPage(this.run, day, r)));
    // The newest day alone first: when event history cannot answer, one call says so.
    const newestFirst = [...days].reverse();
    if (newestFirst.length) await probeDay(newestFirst[0]!);
    await Promise.all(newestFirst.slice(1).map((d) => limit(() => probeDay(d))));
    busy.sort((x, y) => x.start - y.start);
    const left = allowed - this.calls;
    if (!busy.length) return;
    if (left <= 0) {
      this.run.notes.push(`the probe budget went to the ${days.length} days of the window: the ${busy.length} busy hours before each day's newest 50 events are estimated, not probed`);
      return;
    }
    const chosen = strided(busy, left, this.run, 'phase', (k, phase) => `${busy.length} hours of the days with more than 50 events exceed the probe budget: every ${k}th of them probed (phase ${phase}, seed ${this.run.seed})`);
    const probeAll = (hs: HourState[]) => Promise.all(hs.map((h) => limit(() => probe(h.start, h.end, (r) => applyHourPage(this.run, h, r)))));
    const firstRound = this.run.opts.firstProbeHours;
    if (firstRound === undefined || chosen.length <= firstRound) {
      this.plannedCalls = this.calls + chosen.length;
      await probeAll(chosen);
      return;
    }
    // A first round spread over the busy hours; the rest only when it found something missing.
    const first = strided(chosen, firstRound, this.run, 'round');
    this.plannedCalls = this.calls + first.length;
    await probeAll(first);
    await this.delivered.evaluate();
    const missing = this.run.sorted().some((c) => this.run.destinations.some((d) => this.delivered.status(c, d) === 'missing'));
    if (!missing) {
      this.run.notes.push(`the ${first.length} busy hours probed first (spread over the ${busy.length}) found every compared event delivered: the other busy hours are estimated, not probed`);
      return;
    }
    const rest = chosen.filter((h) => !first.includes(h));
    this.plannedCalls = this.calls + rest.length;
    await probeAll(rest);
  }

  /** Step 2: page every sampled hour to the end, when the whole window fits the budget. */
  async completeIfAffordable(): Promise<boolean> {
    const sampled = this.run.hours.filter((h) => h.coverage === 'sample');
    const unprobed = this.run.hours.filter((h) => h.coverage === 'none');
    if (!sampled.length && !unprobed.length) return true;
    if (unprobed.length) return false;
    let pages = 0;
    for (const h of sampled) {
      const frac = unionLength(h.covered) / (h.end - h.start);
      pages += Math.ceil(50 / Math.max(frac, 1e-3) / 50) - 1;
    }
    if (pages > (this.run.budget - this.calls) * 0.9) return false;
    this.plannedCalls = this.calls + pages;
    for (const h of sampled) {
      const r = await this.query(this.run.opts.region, h.start, h.end, { maxPages: this.run.budget, nextToken: h.token });
      if (r.ok && !r.truncated) {
        h.coverage = 'full';
        h.covered = [[h.start, h.end]];
        this.run.complete.push([h.start, h.end]);
      } else {
        if (r.oldest !== undefined) h.covered.push([Math.max(h.start, r.oldest), h.end]);
        return false;
      }
    }
    return true;
  }

  /** Step 3a: bisect the edges of each run of missing events. */
  async refineEdges(): Promise<void> {
    for (const d of this.run.destinations) {
      for (let guard = 0; guard < 50; guard++) {
        const target = runs(this.run, this.delivered.status, d).find((r) => (r.prev && r.first.t - r.prev.t > EDGE_PRECISION_MS && !this.edgeDone.has(`o:${d}:${r.first.id}`)) || (r.next && r.next.t - r.last.t > EDGE_PRECISION_MS && !this.edgeDone.has(`c:${d}:${r.last.id}`)));
        if (!target || this.calls >= this.run.budget) break;
        if (target.prev && target.first.t - target.prev.t > EDGE_PRECISION_MS && !this.edgeDone.has(`o:${d}:${target.first.id}`)) {
          await this.bisect(d, target.prev.t, target.first.t, 'open', `o:${d}:${target.first.id}`);
        } else if (target.next) {
          await this.bisect(d, target.last.t, target.next.t, 'close', `c:${d}:${target.last.id}`);
        }
      }
    }
  }

  private async bisect(d: Destination, lo: number, hi: number, edge: 'open' | 'close', key: string): Promise<void> {
    for (let i = 0; i < MAX_EDGE_CALLS && hi - lo > EDGE_PRECISION_MS && this.calls < this.run.budget; i++) {
      const mid = Math.floor((lo + hi) / 2);
      // LookupEvents answers newest first: a page over [lo, mid] holds the events just before mid,
      // so either way the interval halves (querying [mid, hi] would only creep back from hi).
      const [a, b] = [lo + 1, mid];
      this.plannedCalls = Math.max(this.plannedCalls, this.calls + 1);
      const r = await this.query(this.run.opts.region, a, b, { maxPages: 1 });
      if (!r.ok) break;
      this.run.markCovered(r.truncated ? Math.max(a, r.oldest ?? a) : a, b);
      await this.delivered.evaluate();
      const judged = r.events.filter((c) => this.delivered.status(c, d) !== 'n/a').sort((x, y) => x.t - y.t);
      if (!judged.length) {
        // nothing in scope just before mid: the change happened after it (or in [lo, oldest])
        lo = r.truncated ? Math.max(lo, r.oldest ?? lo) : mid;
        continue;
      }
      if (edge === 'open') {
        const firstMissing = judged.find((c) => this.delivered.status(c, d) === 'missing');
        const lastDelivered = [...judged].reverse().find((c) => this.delivered.status(c, d) === 'delivered' && (!firstMissing || c.t <= firstMissing.t));
        if (firstMissing) hi = firstMissing.t;
        if (lastDelivered) lo = Math.max(lo, lastDelivered.t);
        if (!firstMissing) lo = r.truncated ? Math.max(lo, judged[judged.length - 1]!.t) : mid;
        if (firstMissing && !r.truncated && !lastDelivered) break; // [lo, firstMissing) holds no event: edge found
      } else {
        const lastMissing = [...judged].reverse().find((c) => this.delivered.status(c, d) === 'missing');
        const firstDelivered = judged.find((c) => this.delivered.status(c, d) === 'delivered' && (!lastMissing || c.t >= lastMissing.t));
        if (lastMissing) lo = Math.max(lo, lastMissing.t);
        if (firstDelivered) hi = Math.min(hi, firstDelivered.t);
        if (!lastMissing) hi = Math.min(hi, judged[0]!.t);
        if (lastMissing && !firstDelivered) lo = Math.max(lo, mid);
      }
    }
    this.edgeDone.add(key);
  }

  /** Step 3b: page each gap in full, oldest first, while the budget lasts. */
  async fillGaps(): Promise<void> {
    const perSecond = rate(this.run);
    const spans: [number, number][] = [];
    for (const d of this.run.destinations) for (const r of runs(this.run, this.delivered.status, d)) spans.push([r.prev?.t ?? r.first.t, r.next?.t ?? r.last.t]);
    spans.sort((x, y) => x[0] - y[0]);
    for (const [a, b] of spans) {
      if (isExact(this.run.complete, a, b)) continue;
      const pages = Math.ceil((perSecond * (b - a)) / 1000 / 50) + 1;
      if (pages > this.run.budget - this.calls) {
        this.run.notes.push(`gap ${isoS(a)}–${isoS(b)} is too large to page in full within the call budget: its count is estimated`);
        continue;
      }
      this.plannedCalls = this.calls + pages;
      const r = await this.query(this.run.opts.region, a, b, { maxPages: pages + 20 });
      if (!r.ok) break;
      if (!r.truncated) {
        this.run.markCovered(a, b);
        this.run.complete.push([a, b]);
        for (const h of this.run.hours) if (h.start >= a && h.end <= b) h.coverage = 'full';
      } else if (r.oldest !== undefined) this.run.markCovered(r.oldest, b);
    }
    await this.delivered.evaluate();
  }

  /** Step 4: global-service events in us-east-1 for a multi-region trail studied from another region. */
  async globalEvents(): Promise<void> {
    const t = this.run.inputs.trail;
    if (this.run.opts.region === GLOBAL_REGION || !t.isMultiRegionTrail || !t.includeGlobalServiceEvents) return;
    const pages = Math.min(4, this.run.budget - this.calls);
    if (pages <= 0) {
      this.run.notes.push('global-service events (us-east-1) not compared: call budget spent');
      return;
    }
    const r = await this.query(GLOBAL_REGION, this.run.startMs, this.run.queryEnd, { maxPages: pages, attribute: { key: 'EventSource', value: 'iam.amazonaws.com' } });
    if (!r.ok) {
      this.run.notes.push('global-service events (us-east-1) could not be read from event history');
      return;
    }
    const times = r.events.filter((c) => c.scope === 'in').map((c) => c.t);
    if (!times.length) return;
    this.run.notes.push(`global-service events: ${times.length} IAM events from us-east-1 event history compared with the us-east-1 log files`);
    if (!this.delivered.s3Target(GLOBAL_REGION)) return;
    times.sort((a, b) => a - b);
    await this.delivered.ingestGlobal(times);
    await this.delivered.evaluate();
  }

  // ---- triggers ---------------------------------------------------------------------------------

  async changeEventsFor(spans: [number, number][]): Promise<ChangeEvent[]> {
    const known = this.run.inputs.knownChanges;
    const covered = (a: number, b: number) => known && known.start <= a && b <= known.end;
    const toQuery = spans.filter(([a, b]) => !covered(a, b));
    const fetched: ChangeEvent[] = [];
    if (toQuery.length) {
      const t = this.run.inputs.trail;
      const res = trailResources(t, this.run.inputs.bucketKmsKeyId);
      const regional = [t.s3BucketName, t.name, t.arn, res.kms.find((k) => !k.startsWith('arn:')), res.logGroup.find((g) => !g.startsWith('arn:'))].filter((x): x is string => !!x);
      const globalNames = res.role.filter((r) => !r.startsWith('arn:'));
      const planned: { region: string; value: string }[] = [...regional.map((value) => ({ region: this.run.opts.region, value })), ...globalNames.map((value) => ({ region: GLOBAL_REGION, value }))];
      const merged = mergeSpans(toQuery);
      this.plannedCalls = this.calls + planned.length * merged.length;
      for (const [a, b] of merged) {
        for (const p of planned) {
          this.run.opts.onProgress?.({ phase: 'triggers', done: this.calls, total: this.plannedCalls, etaSeconds: Math.ceil((this.plannedCalls - this.calls) / LOOKUP_RATE), message: 'looking for the changes that opened and closed each gap' });
          // Trigger lookups are few and outside the comparison budget.
          const before = this.calls;
          await this.query(p.region, a, b, { maxPages: 3, attribute: { key: 'ResourceName', value: p.value }, compare: false, ignoreBudget: true });
          this.triggerCalls += this.calls - before;
        }
      }
    }
    return mergeChangeEvents(known?.events, this.run.changes, fetched);
  }
}
