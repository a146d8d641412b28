import type { Report } from '../report/model.js';
import { inertLine } from '../util/text.js';
import { intake, type DiagnosisRequest, type WebhookPayload } from './alerts.js';
import { lightCheck, newCheckState, type LightCheckResult, type LightCheckState } from './light-check.js';
import type { Logger } from './log.js';
import type { TrailLabels, WatchMetrics } from './metrics.js';
import { namedCauses, type Notifier } from './notify.js';
import { DiagnosisQueue } from './queue.js';
import { resolveLayout, type TrailLayout, type TrailSource, type WatchTarget } from './source.js';

/**
 * The watch loop: light checks of every trail each interval (a bounded number at once), the trail
 * list refreshed from its source now and then, and diagnoses on alert through the queue. Per-trail
 * memory is fixed (layout, two folder bookmarks, two times, the latest report), so days of checks
 * do not grow it.
 */
export interface WatcherOptions {
  source: TrailSource;
  metrics: WatchMetrics;
  logger: Logger;
  intervalMs: number;
  /** How often the trail list and layouts are read again (default 1 h). */
  refreshMs?: number;
  checkConcurrency?: number;
  maxDiagnosesPerHour: number;
  /** The whole diagnosis of one trail (the `diagnose` pipeline). */
  diagnose: (target: WatchTarget, req: DiagnosisRequest) => Promise<Report>;
  notifier?: Notifier;
  now?: () => number;
}

interface Watched {
  target: WatchTarget;
  labels: TrailLabels;
  layout?: TrailLayout;
  /** When the layout was read: again after each refresh of the trail list. */
  layoutAt: number;
  state: LightCheckState;
  last?: LightCheckResult;
}

const keyOf = (arn: string, region: string) => `${arn}\u0000${region}`;
const errText = (e: unknown) => inertLine((e as Error)?.message ?? String(e), 300);

export class Watcher {
  private trails = new Map<string, Watched>();
  private readonly reports = new Map<string, Report>();
  private readonly queue: DiagnosisQueue;
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;
  private loop?: Promise<void>;
  private stopping = false;
  private lastRefresh = -Infinity;
  private lastRound?: number;
  /** A slow source's list in flight, and the one read, waiting for the next round. */
  private listing?: Promise<void>;
  private pending?: WatchTarget[];
  rounds = 0;

  constructor(private readonly o: WatcherOptions) {
    this.now = o.now ?? Date.now;
    this.queue = new DiagnosisQueue({ maxPerHour: o.maxDiagnosesPerHour, now: this.now, run: (req) => this.runDiagnosis(req) });
  }

  get trailCount(): number {
    return this.trails.size;
  }

  /** Reads the trail list; a trail that left it stops being watched and its series go. */
  async refresh(): Promise<void> {
    this.apply(await this.o.source.list());
  }

  /** The list a slow source is reading in the background, if any (resolved once it is ready for the next round). */
  listed(): Promise<void> {
    return this.listing ?? Promise.resolve();
  }

  private apply(targets: WatchTarget[]): void {
    const next = new Map<string, Watched>();
    for (const t of targets) {
      const key = keyOf(t.trailArn, t.region);
      const old = this.trails.get(key);
      // The layout is read again (bucket, prefix or log group may have changed); bookmarks stay.
      next.set(key, { target: t, labels: { account: t.account, region: t.region, trail_arn: t.trailArn }, layout: old?.layout, layoutAt: -Infinity, state: old?.state ?? newCheckState(), last: old?.last });
    }
    for (const [key, w] of this.trails) {
      if (!next.has(key)) {
        this.o.metrics.forget(w.labels);
        this.reports.delete(key);
        this.o.logger.log('info', 'trail_unwatched', { trail_arn: w.labels.trail_arn, region: w.labels.region });
      }
    }
    this.trails = next;
    this.lastRefresh = this.now();
  }

  /** One round: a light check of every trail. */
  async checkAll(): Promise<void> {
    if (this.pending) {
      const targets = this.pending;
      this.pending = undefined;
      this.apply(targets);
    }
    if (this.now() - this.lastRefresh >= (this.o.refreshMs ?? 3_600_000)) {
      if (this.o.source.slow && this.trails.size > 0) this.listInBackground();
      else {
        try {
          await this.refresh();
        } catch (e) {
          this.o.logger.log('warn', 'trail_list_failed', { error: errText(e) });
        }
      }
    }
    const all = [...this.trails.values()];
    const limit = Math.max(1, this.o.checkConcurrency ?? 8);
    let next = 0;
    const worker = async () => {
      while (next < all.length && !this.stopping) await this.checkOne(all[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(limit, all.length) }, worker));
    this.rounds++;
    this.lastRound = this.now();
  }

  /** A slow source's next list, read while the rounds go on with the last one; applied at the next round. */
  private listInBackground(): void {
    if (this.listing) return;
    this.lastRefresh = this.now();
    this.listing = this.o.source
      .list()
      .then(
        (targets) => {
          if (!this.stopping) this.pending = targets;
        },
        (e) => this.o.logger.log('warn', 'trail_list_failed', { error: errText(e) }),
      )
      .finally(() => (this.listing = undefined));
  }

  private async checkOne(w: Watched): Promise<void> {
    if (!w.layout || w.layoutAt < this.lastRefresh) {
      try {
        const layout = await resolveLayout(w.target);
        // Another bucket, prefix or organization: the folder bookmarks and times belong to the old one.
        const old = w.layout;
        if (old && (old.bucket !== layout.bucket || old.prefix !== layout.prefix || old.orgId !== layout.orgId || old.logGroupName !== layout.logGroupName)) w.state = newCheckState();
        w.layout = layout;
        w.layoutAt = this.now();
      } catch (e) {
        // The last layout known stays in use: a failed read is never a reason to stop checking.
        this.o.logger.log('warn', 'trail_unreadable', { trail_arn: w.labels.trail_arn, region: w.labels.region, error: errText(e) });
        if (!w.layout) {
          this.o.metrics.checkSuccess.set(w.labels, 0);
          this.o.metrics.lastCheck.set(w.labels, Math.floor(this.now() / 1000));
          return;
        }
      }
    }
    const r = await lightCheck({ clients: w.target.clients, layout: w.layout, region: w.target.region, state: w.state, now: this.now() });
    this.o.metrics.recordCheck(w.labels, r);
    this.logChanges(w, r);
    w.last = r;
  }

  /** Logs what changed (not every check): a trail that stops or resumes, errors that appear. */
  private logChanges(w: Watched, r: LightCheckResult): void {
    const prev = w.last;
    const f = { trail_arn: w.labels.trail_arn, region: w.labels.region };
    if (prev?.logging !== r.logging && r.logging !== undefined) this.o.logger.log(r.logging ? 'info' : 'warn', r.logging ? 'trail_logging' : 'trail_not_logging', f);
    const errs = (x?: LightCheckResult) => (x?.errors ?? []).map((e) => `${e.destination}:${e.error}`).join(',');
    if (errs(prev) !== errs(r) && r.errors.length) this.o.logger.log('warn', 'delivery_error', { ...f, errors: errs(r) });
    const failed = (x?: LightCheckResult) => (x?.calls ?? []).filter((c) => c.outcome !== 'ok').map((c) => `${c.operation}:${c.outcome}`).join(',');
    if (failed(prev) !== failed(r) && failed(r)) this.o.logger.log('warn', 'check_incomplete', { ...f, failed: failed(r), reason: r.calls.find((c) => c.outcome !== 'ok')?.message });
    if (!prev) this.o.logger.log('info', 'trail_checked', { ...f, logging: r.logging, s3_age_s: r.ageSeconds.s3 && Math.round(r.ageSeconds.s3), cloudwatch_logs_age_s: r.ageSeconds.cloudwatch_logs && Math.round(r.ageSeconds.cloudwatch_logs) });
  }

  /** Checks now, then every interval until stop(). */
  start(): void {
    const tick = async () => {
      const started = this.now();
      try {
        await this.checkAll();
      } catch (e) {
        this.o.logger.log('error', 'check_round_failed', { error: errText(e) });
      }
      if (this.stopping) return;
      const wait = Math.max(0, this.o.intervalMs - (this.now() - started));
      this.timer = setTimeout(() => (this.loop = tick()), wait);
    };
    this.loop = tick();
  }

  /** Alertmanager's webhook: firing alerts become diagnoses; resolved ones are acknowledged. */
  onWebhook(payload: WebhookPayload): Record<string, unknown> {
    const i = intake(payload);
    this.o.metrics.alerts.inc({ status: 'firing' }, i.firing);
    this.o.metrics.alerts.inc({ status: 'resolved' }, i.resolved);
    this.o.metrics.alerts.inc({ status: 'ignored' }, i.ignored);
    const outcomes: { trail_arn: string; region: string; diagnosis: string }[] = [];
    for (const req of i.requests) {
      let outcome: string;
      if (!this.findWatched(req)) outcome = 'not_watched';
      else {
        outcome = this.queue.submit(req);
        if (outcome !== 'started') this.o.metrics.diagnoses.inc({ outcome });
      }
      outcomes.push({ trail_arn: req.trailArn, region: req.region, diagnosis: outcome });
      this.o.logger.log('info', 'alert_received', { alertname: req.alertname, trail_arn: req.trailArn, region: req.region, diagnosis: outcome });
    }
    if (i.resolved) this.o.logger.log('info', 'alerts_resolved', { count: i.resolved });
    return { status: 'accepted', firing: i.firing, resolved: i.resolved, ignored: i.ignored, diagnoses: outcomes };
  }

  /** The watched trail an alert names: the same region, else the same trail seen from another region. */
  private findWatched(req: DiagnosisRequest): Watched | undefined {
    return this.trails.get(keyOf(req.trailArn, req.region)) ?? [...this.trails.values()].find((w) => w.target.trailArn === req.trailArn);
  }

  private async runDiagnosis(req: DiagnosisRequest): Promise<void> {
    const w = this.findWatched(req);
    if (!w) return;
    const started = this.now();
    const f = { trail_arn: req.trailArn, region: req.region, alertname: req.alertname };
    this.o.logger.log('info', 'diagnosis_started', f);
    let report: Report;
    try {
      report = await this.o.diagnose({ ...w.target, region: req.region }, req);
    } catch (e) {
      this.o.metrics.diagnoses.inc({ outcome: 'failed' });
      this.o.logger.log('error', 'diagnosis_failed', { ...f, error: errText(e) });
      return;
    }
    const labels = { ...w.labels, region: req.region };
    this.reports.set(keyOf(req.trailArn, req.region), report);
    const causes = namedCauses(report).map((c) => c.id);
    this.o.metrics.recordRootCauses(labels, causes);
    this.o.metrics.diagnoses.inc({ outcome: 'completed' });
    this.o.logger.log('info', 'diagnosis_completed', { ...f, verdict: report.verdict, root_causes: causes.join(','), duration_ms: this.now() - started });
    if (!this.o.notifier || this.stopping) return;
    try {
      await this.o.notifier.send(report, { alertname: req.alertname, labels: req.labels });
      this.o.metrics.notifications.inc({ outcome: 'sent' });
      this.o.logger.log('info', 'verdict_posted', f);
    } catch (e) {
      this.o.metrics.notifications.inc({ outcome: 'failed' });
      this.o.logger.log('error', 'verdict_post_failed', { ...f, error: errText(e) });
    }
  }

  latestReport(trailArn: string, region?: string): Report | undefined {
    if (region) return this.reports.get(keyOf(trailArn, region));
    for (const [k, r] of this.reports) if (k.startsWith(trailArn + '\u0000')) return r;
    return undefined;
  }

  health(): { ok: boolean; body: Record<string, unknown> } {
    const stale = this.lastRound !== undefined && this.now() - this.lastRound > 3 * this.o.intervalMs + 60_000;
    const ok = !this.stopping && !stale;
    return {
      ok,
      body: {
        status: this.stopping ? 'stopping' : stale ? 'stale' : 'ok',
        trails: this.trails.size,
        rounds: this.rounds,
        lastRound: this.lastRound !== undefined ? new Date(this.lastRound).toISOString() : null,
        diagnosesInProgress: this.queue.inProgress,
      },
    };
  }

  /** Stops the loop; running checks and diagnoses get `graceMs` to finish, then are abandoned. */
  async stop(graceMs = 10_000): Promise<boolean> {
    this.stopping = true;
    clearTimeout(this.timer);
    const deadline = this.now() + graceMs;
    let timer: NodeJS.Timeout | undefined;
    const checks = await Promise.race([
      (this.loop ?? Promise.resolve()).then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs))),
    ]);
    clearTimeout(timer);
    const diagnoses = await this.queue.stop(Math.max(0, deadline - this.now()));
    return checks && diagnoses;
  }
}
