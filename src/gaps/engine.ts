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
 * Deliveries: S3 log files delivered from the window start to its end + 1 h are streamed once;
 * CloudWatch Logs events are fetched only for the time ranges compared.
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
    const s3Done = delivered.startS3();
    await sampler.probeHours();
    if (sampler.historyError && !gapRun.compared.size) {
      await s3Done.catch(() => undefined);
      return report.couldNotCheck();
    }
    await s3Done;
    if (gapRun.destinations.every((d) => delivered.unreadable(d))) return report.deliveriesUnreadable();
    await delivered.evaluate();
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
