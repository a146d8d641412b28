import type { AwsClients } from '../aws/clients.js';
import type { GapReport } from './model.js';
import { DeliveredRecords } from './delivered.js';
import { HistorySampler } from './sampler.js';
import { GapReportBuilder } from './report.js';
import { GapRun, type EngineInputs, type EngineOptions } from './run.js';

export type { EngineInputs, EngineOptions, GapProgress, MissingExport } from './run.js';
export { DEFAULT_MAX_LOOKUP_CALLS, DEFAULT_SEED } from './model.js';

/**
 * The gap engine: event history (LookupEvents) is the ground truth; every in-scope event it holds
 * must be in the trail's S3 log files and, when configured, its CloudWatch Logs log group. The
 * sampler reads event history within the call budget (sampler.ts), the delivered-record store what
 * the trail delivered (delivered.ts), the estimator bounds what sampling could not see
 * (estimator.ts), and the report builder says it all (report.ts).
 * Event history is sampled first; S3 log files are then read only where the sample put events
 * (delivered within minutes of them, up to 1 h for one not found), each streamed once; CloudWatch
 * Logs events are fetched only for the time ranges compared.
 */
export class GapEngine {
  private readonly gapRun: GapRun;
  private readonly delivered: DeliveredRecords;
  private readonly sampler: HistorySampler;
  private readonly report: GapReportBuilder;

  constructor(clients: AwsClients, opts: EngineOptions, inputs: EngineInputs) {
    const run = (this.gapRun = new GapRun(opts, inputs));
    this.delivered = new DeliveredRecords(clients, run);
    this.sampler = new HistorySampler(clients, run, this.delivered);
    this.report = new GapReportBuilder(run, this.sampler, this.delivered);
  }

  async run(): Promise<GapReport> {
    const { gapRun, delivered, sampler, report } = this;
    // Ground truth first: without event history nothing can be missing, so no log file is read.
    await sampler.probeHours();
    if (sampler.historyError && !gapRun.compared.size) return report.couldNotCheck();
    await delivered.evaluate();
    if (gapRun.destinations.every((d) => delivered.unreadable(d))) return report.deliveriesUnreadable();
    const complete = await sampler.completeIfAffordable();
    sampler.sampledMode = !complete;
    await delivered.evaluate();
    if (!complete) {
      await sampler.refineEdges();
      await sampler.fillGaps();
    }
    await sampler.globalEvents();
    return report.build();
  }
}
