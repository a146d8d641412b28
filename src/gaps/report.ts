import type { Bounds, GapReport, GapWindow } from './model.js';
import { inertLine } from '../util/text.js';
import { rankClosers, rankTriggers, trailResources } from './triggers.js';
import { gapEstimate, hourModel, hourRows, runs } from './estimator.js';
import type { DeliveredRecords } from './delivered.js';
import type { HistorySampler } from './sampler.js';
import { DEFAULT_DELIVERY_DELAY_MS } from './model.js';
import { UNLIMITED_S3 } from './s3-reader.js';
import { isoS, type Cmp, type GapRun, type MissingExport } from './run.js';

/**
 * The report builder: the gap windows (with the change that opened and closed each), totals, the
 * hourly table, the sampling statement and its estimates, notes and stats, from what the sampler
 * compared and the delivered-record store found.
 */
export class GapReportBuilder {
  constructor(
    private readonly run: GapRun,
    private readonly sampler: HistorySampler,
    private readonly delivered: DeliveredRecords,
  ) {}

  async build(): Promise<GapReport> {
    const inScope = this.run.sorted();
    const judgedAny = inScope.filter((c) => this.run.destinations.some((d) => this.delivered.status(c, d) !== 'n/a'));
    const missingAny = judgedAny.filter((c) => this.run.destinations.some((d) => this.delivered.status(c, d) === 'missing'));
    const byDestination: Record<string, { delivered: number; missing: number }> = {};
    for (const d of this.run.destinations) {
      const j = inScope.filter((c) => this.delivered.status(c, d) !== 'n/a');
      const m = j.filter((c) => this.delivered.status(c, d) === 'missing').length;
      byDestination[d] = { delivered: j.length - m, missing: m };
    }
    const model = hourModel(this.run);
    const { rows, est, recordedEst } = hourRows(this.run, this.delivered.status, model, this.delivered.s3.hourly);
    const sampled = this.run.hours.some((h) => h.coverage !== 'full' && Math.min(h.end, this.run.pendingAfter) > h.start);

    // gap windows
    const gaps: GapWindow[] = [];
    const res = trailResources(this.run.inputs.trail, this.run.inputs.bucketKmsKeyId);
    const runsByDest = this.run.destinations.map((d) => ({ d, runs: runs(this.run, this.delivered.status, d) }));
    const spans: [number, number][] = [];
    const windowMs = (this.run.opts.triggerWindowMinutes ?? 15) * 60_000;
    for (const { runs } of runsByDest) for (const r of runs) spans.push([r.first.t - windowMs, (r.next?.t ?? r.last.t) + windowMs]);
    const changes = spans.length ? await this.sampler.changeEventsFor(spans) : [];
    for (const { d, runs } of runsByDest) {
      for (const r of runs) {
        const a = r.prev?.t ?? r.first.t;
        const b = r.next?.t ?? r.last.t;
        const ge = gapEstimate(this.run, model, r);
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
      window: { start: isoS(this.run.startMs), end: isoS(this.run.endMs) },
      totals: { recorded: judgedAny.length, delivered: judgedAny.length - missingAny.length, missing: missingAny.length, sampled },
      gaps,
      status: 'ok',
      trail: this.run.trailInfo(),
      destinations: this.run.destinations,
      byDestination,
      excluded: [...this.run.compared.values()].filter((c) => c.scope === 'excluded' || c.scope === 'unknown').length,
      pending: [...this.run.compared.values()].filter((c) => c.scope === 'pending').length,
      deliveryDelayMinutes: Math.round((this.run.opts.deliveryDelayMs ?? DEFAULT_DELIVERY_DELAY_MS) / 60_000),
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
          'LookupEvents returns ≤ 50 events a page at 2 requests/s, so a busy window cannot be read in full. Every UTC day of the window first gets one page: its newest ≤ 50 events. A day with fewer is exact in that one call, and so is every hour of a busy day after the oldest event on its page; each earlier hour of a busy day then gets one page of its own (every k-th such hour, phase fixed by the seed, when they exceed the budget; every k-th day when the days do). Quiet hours fit in that page and are exact; busy hours are a sample. Runs of missing events have their edges found by bisection (to 2 minutes) and are paged in full when the budget allows. Estimates: events per hour ≈ sample × hour length / sampled span, and for an unprobed hour the rate of its own day; a gap that was not paged in full lies between the span of its observed missing events and the span between its delivered neighbours (±95% on the rate); outside gaps the upper bound adds what the unsampled part of each sampled hour could hide (95% Wilson bound of its sample), and each unprobed hour adds all its estimated events.',
        seed: this.run.seed,
        hours: this.run.hours.length,
        hoursFull: this.run.hours.filter((h) => h.coverage === 'full').length,
        hoursSampled: this.run.hours.filter((h) => h.coverage === 'sample').length,
        hoursUnsampled: this.run.hours.filter((h) => h.coverage === 'none').length,
        eventsCompared: judgedAny.length,
        estimate: { recorded: recordedEst, missing: missingEst, missingByDestination: Object.fromEntries(est) },
        budget: { maxLookupCalls: this.run.budget, used: this.sampler.calls - this.sampler.triggerCalls },
      };
    }
    if (tooLarge.length) report.tooLargeForCloudWatch = tooLarge;
    const skipped = [...this.delivered.s3.skipped, ...this.delivered.s3Global.skipped];
    if (skipped.length) report.skippedFiles = skipped.slice(0, 200);
    if (skipped.length > 200) this.run.notes.push(`${skipped.length - 200} more skipped files not listed`);
    for (const e of [...this.delivered.s3.errors, ...this.delivered.s3Global.errors].slice(0, 5)) this.run.notes.push(`could not ${e.what}: ${e.code} (needs ${e.needs})`);
    if (this.delivered.s3.truncated) this.run.notes.push('too many log files: the S3 listing was capped');
    if (this.delivered.s3.missingBucket) this.run.notes.push(`the bucket ${inertLine(this.run.inputs.trail.s3BucketName ?? '', 100)} does not exist: nothing can have been delivered to it`);
    for (const e of this.delivered.cwl.errors.slice(0, 3)) this.run.notes.push(`could not read the CloudWatch Logs log group: ${e.code} (needs ${e.needs})`);
    if (this.delivered.cwl.truncated) this.run.notes.push('CloudWatch Logs reading was capped for some ranges');
    if (this.sampler.historyError) this.run.notes.push(`event history stopped early: ${this.sampler.historyError.code}`);
    if (this.run.opts.shared?.capped) this.run.notes.push(`the integrity pass read more log files than are kept for this measurement (${this.run.opts.shared.dropped} not kept): those needed were read again from S3`);
    if (this.delivered.s3Spend().budgetSpent) this.run.notes.push('the S3 read budget was spent: events whose log files were not read are not judged');
    const unknown = [...this.run.compared.values()].filter((c) => c.scope === 'unknown').length;
    if (unknown) this.run.notes.push(`${unknown} events were not compared: the trail's advanced selectors use fields event history cannot judge`);
    for (const d of this.run.destinations) if (this.delivered.unreadable(d)) this.run.notes.push(`${d === 's3' ? 'S3' : 'CloudWatch Logs'} could not be read, so nothing is counted missing from it`);
    if (this.run.opts.exportMissing) report.exported = await this.export(this.run.opts.exportMissing, missingAny, gaps);
    report.notes = this.run.notes;
    report.stats = this.stats();
    this.run.opts.onProgress?.({ phase: 'export', done: 1, total: 1, etaSeconds: 0, message: 'done' });
    return report;
  }

  couldNotCheck(): GapReport {
    const e = this.sampler.historyError!;
    return {
      window: { start: isoS(this.run.startMs), end: isoS(this.run.endMs) },
      totals: { recorded: 0, delivered: 0, missing: 0, sampled: false },
      gaps: [],
      status: 'could-not-check',
      reason: `could not read CloudTrail event history: ${inertLine(e.reason, 500)}`,
      needs: e.needs,
      trail: this.run.trailInfo(),
      notes: [...this.run.notes, 'no log file was read: without event history, the ground truth, nothing can be counted missing'],
      stats: this.stats(),
    };
  }

  deliveriesUnreadable(): GapReport {
    const e = this.delivered.s3.errors[0] ?? { code: 'Error', message: 'unknown', needs: 's3:ListBucket', what: 'read the log files' };
    const skipped = [...this.delivered.s3.skipped, ...this.delivered.s3Global.skipped];
    return {
      ...(skipped.length ? { skippedFiles: skipped.slice(0, 200) } : {}),
      window: { start: isoS(this.run.startMs), end: isoS(this.run.endMs) },
      totals: { recorded: 0, delivered: 0, missing: 0, sampled: false },
      gaps: [],
      status: 'could-not-check',
      reason: `could not ${inertLine(e.what, 300)}: ${e.code}: ${inertLine(e.message, 300)}`,
      needs: e.needs,
      trail: this.run.trailInfo(),
      notes: this.run.notes,
      stats: this.stats(),
    };
  }

  private stats(): NonNullable<GapReport['stats']> {
    const b = this.run.opts.s3Budget;
    return {
      durationMs: Date.now() - this.run.startedAt,
      lookupEventsCalls: this.sampler.calls,
      lookupEventsThrottled: this.sampler.throttled,
      filesRead: this.delivered.s3.files + this.delivered.s3Global.files,
      bytesRead: this.delivered.s3.bytes + this.delivered.s3Global.bytes,
      deliveredRecordsRead: this.delivered.s3.records + this.delivered.s3Global.records,
      cloudWatchEventsRead: this.delivered.cwl.events,
      eventsCompared: [...this.run.compared.values()].filter((c) => c.scope === 'in').length,
      s3ListCalls: this.delivered.s3Spend().listCalls,
      budget: {
        lookupEventsCalls: this.run.budget,
        ...(b && b.maxFiles < UNLIMITED_S3.maxFiles ? { s3Files: b.maxFiles } : {}),
        ...(b && b.maxBytes < UNLIMITED_S3.maxBytes ? { s3Bytes: b.maxBytes } : {}),
        ...(this.delivered.s3Spend().budgetSpent ? { s3Spent: true } : {}),
      },
      ...(this.sampler.halted ? { historyStoppedBy: this.sampler.halted } : {}),
      ...(this.run.opts.shared ? this.shareStats() : {}),
    };
  }

  /** How many of the files read came from the integrity pass, and whether its share was capped. */
  private shareStats(): Pick<NonNullable<GapReport['stats']>, 'filesFromIntegrity' | 'filesFetched' | 'shareCapped'> {
    const { s3, s3Global } = this.delivered;
    const fromIntegrity = s3.shared + s3Global.shared;
    return {
      filesFromIntegrity: fromIntegrity,
      filesFetched: s3.files + s3Global.files - fromIntegrity,
      ...(this.run.opts.shared!.capped ? { shareCapped: true } : {}),
    };
  }

  /** Hands the missing events' records to the export and says what it holds. */
  private async export(to: MissingExport, missing: Cmp[], gaps: GapWindow[]): Promise<NonNullable<GapReport['exported']>> {
    this.run.opts.onProgress?.({ phase: 'export', done: 0, total: missing.length, message: `writing ${to.path}` });
    const lines = missing
      .map((c) => this.run.raw.get(c.id))
      .filter((x): x is string => !!x)
      .map((l) => JSON.stringify(JSON.parse(l)));
    await to.write(lines);
    const complete = gaps.every((g) => g.exact) && lines.length === missing.length;
    return {
      path: to.path,
      events: lines.length,
      complete,
      source: 'event-history',
      note: `These ${lines.length} management events come from CloudTrail event history (LookupEvents), not from the trail's log files: they are what the trail should have delivered.${complete ? '' : ' The window was sampled, so the export holds only the missing events found, not every missing event.'}`,
    };
  }
}
