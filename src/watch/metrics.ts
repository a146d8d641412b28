import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { CallResult, LightCheckResult } from './light-check.js';

/**
 * The metrics contract (README "watch"): names and labels are public, alert rules depend on them.
 * One registry per watcher (not prom-client's global one), so tests and several watchers in one
 * process never share series. Series of a trail are replaced, not accumulated: a trail's label sets
 * are bounded by its destinations and the errors GetTrailStatus reports now.
 */
export interface TrailLabels {
  account: string;
  region: string;
  trail_arn: string;
}

export class WatchMetrics {
  readonly registry = new Registry();
  readonly logging: Gauge<'account' | 'region' | 'trail_arn'>;
  readonly deliveryAge: Gauge<'account' | 'region' | 'trail_arn' | 'destination'>;
  readonly deliveryError: Gauge<'account' | 'region' | 'trail_arn' | 'destination' | 'error'>;
  readonly checkSuccess: Gauge<'account' | 'region' | 'trail_arn'>;
  readonly checkFailed: Gauge<'account' | 'region' | 'trail_arn' | 'operation' | 'outcome'>;
  readonly lastCheck: Gauge<'account' | 'region' | 'trail_arn'>;
  readonly rootCause: Gauge<'account' | 'region' | 'trail_arn' | 'root_cause'>;
  readonly apiCalls: Counter<'service' | 'outcome'>;
  readonly alerts: Counter<'status'>;
  readonly diagnoses: Counter<'outcome'>;
  readonly notifications: Counter<'outcome'>;
  /** `--scan` only: whether each account's trails could be discovered at the last discovery. */
  readonly accountReachable: Gauge<'account'>;
  readonly discoverySuccess: Gauge;
  /** Label sets currently exported per trail, to remove exactly the stale ones. */
  private readonly errorSeries = new Map<string, { destination: string; error: string }[]>();
  private readonly failedSeries = new Map<string, { operation: string; outcome: string }[]>();
  private readonly causeSeries = new Map<string, string[]>();

  constructor(opts: { processMetrics?: boolean; /** watch --scan: export the discovery's metrics too. */ fleet?: boolean } = {}) {
    const registers = [this.registry];
    this.logging = new Gauge({ name: 'trail_doctor_trail_logging', help: 'GetTrailStatus IsLogging: 1 logging, 0 stopped', labelNames: ['account', 'region', 'trail_arn'], registers });
    this.deliveryAge = new Gauge({
      name: 'trail_doctor_delivery_age_seconds',
      help: 'Seconds since the newest delivery: s3 from the newest log file key timestamp, cloudwatch_logs from the newest log event',
      labelNames: ['account', 'region', 'trail_arn', 'destination'],
      registers,
    });
    this.deliveryError = new Gauge({
      name: 'trail_doctor_delivery_error',
      help: 'GetTrailStatus reports this delivery error now (LatestDeliveryError, LatestCloudWatchLogsDeliveryError, LatestDigestDeliveryError, LatestNotificationError)',
      labelNames: ['account', 'region', 'trail_arn', 'destination', 'error'],
      registers,
    });
    this.checkSuccess = new Gauge({ name: 'trail_doctor_check_success', help: '1 when the last light check completed with every read answered', labelNames: ['account', 'region', 'trail_arn'], registers });
    this.checkFailed = new Gauge({
      name: 'trail_doctor_check_failed',
      help: 'A call of the last light check that failed, by operation and outcome (denied, throttled, not_found, timeout, error)',
      labelNames: ['account', 'region', 'trail_arn', 'operation', 'outcome'],
      registers,
    });
    this.lastCheck = new Gauge({ name: 'trail_doctor_last_check_timestamp_seconds', help: 'Unix time of the last light check of the trail', labelNames: ['account', 'region', 'trail_arn'], registers });
    this.rootCause = new Gauge({
      name: 'trail_doctor_diagnosis_root_cause',
      help: 'Root causes (confirmed or likely) of the latest diagnosis of the trail',
      labelNames: ['account', 'region', 'trail_arn', 'root_cause'],
      registers,
    });
    this.apiCalls = new Counter({ name: 'trail_doctor_api_calls_total', help: 'AWS API calls sent by watch (light checks and diagnoses), by outcome', labelNames: ['service', 'outcome'], registers });
    this.alerts = new Counter({ name: 'trail_doctor_alerts_received_total', help: 'Alerts received from Alertmanager, by status (firing, resolved, ignored)', labelNames: ['status'], registers });
    this.diagnoses = new Counter({
      name: 'trail_doctor_diagnoses_total',
      help: 'Diagnoses on alert, by outcome (completed, failed, deduplicated, rate_limited)',
      labelNames: ['outcome'],
      registers,
    });
    this.notifications = new Counter({ name: 'trail_doctor_notifications_total', help: 'Verdicts posted to --notify-url, by outcome (sent, failed)', labelNames: ['outcome'], registers });
    // Only a fleet watch exports them (an unlabelled gauge would read 0 in a --trail watch).
    const fleet = opts.fleet ? registers : [];
    this.accountReachable = new Gauge({
      name: 'trail_doctor_account_reachable',
      help: 'watch --scan: 1 when the account was entered and its trails listed at the last discovery, 0 when it could not be (AssumeRole refused, every read denied, inactive)',
      labelNames: ['account'],
      registers: fleet,
    });
    this.discoverySuccess = new Gauge({ name: 'trail_doctor_discovery_success', help: 'watch --scan: 1 when the last discovery of accounts and trails completed, 0 when it failed (the trails found before are still watched)', registers: fleet });
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'trail_doctor_' });
  }

  countCall(service: string, outcome: string): void {
    this.apiCalls.inc({ service, outcome });
  }

  countCalls(calls: readonly CallResult[]): void {
    for (const c of calls) this.countCall(c.service, c.outcome);
  }

  recordCheck(t: TrailLabels, r: LightCheckResult): void {
    const key = t.trail_arn + '\u0000' + t.region;
    if (r.logging === undefined) this.logging.remove(t);
    else this.logging.set(t, r.logging ? 1 : 0);
    for (const destination of ['s3', 'cloudwatch_logs'] as const) {
      const age = r.ageSeconds[destination];
      if (age === undefined) this.deliveryAge.remove({ ...t, destination });
      else this.deliveryAge.set({ ...t, destination }, Math.round(age));
    }
    // A status that could not be read says nothing about errors: keep the last known ones.
    if (r.calls.some((c) => c.operation === 'GetTrailStatus' && c.outcome === 'ok')) {
      for (const old of this.errorSeries.get(key) ?? []) this.deliveryError.remove({ ...t, ...old });
      for (const e of r.errors) this.deliveryError.set({ ...t, ...e }, 1);
      this.errorSeries.set(key, r.errors.map((e) => ({ ...e })));
    }
    for (const old of this.failedSeries.get(key) ?? []) this.checkFailed.remove({ ...t, ...old });
    const failed = r.calls.filter((c) => c.outcome !== 'ok').map((c) => ({ operation: c.operation, outcome: c.outcome }));
    for (const f of failed) this.checkFailed.set({ ...t, ...f }, 1);
    this.failedSeries.set(key, failed);
    this.checkSuccess.set(t, r.complete ? 1 : 0);
    this.lastCheck.set(t, Math.floor(r.checkedAt / 1000));
  }

  recordRootCauses(t: TrailLabels, ids: readonly string[]): void {
    const key = t.trail_arn + '\u0000' + t.region;
    for (const old of this.causeSeries.get(key) ?? []) this.rootCause.remove({ ...t, root_cause: old });
    const unique = [...new Set(ids)];
    for (const id of unique) this.rootCause.set({ ...t, root_cause: id }, 1);
    this.causeSeries.set(key, unique);
  }

  /** A trail no longer watched: all its series go. */
  forget(t: TrailLabels): void {
    const key = t.trail_arn + '\u0000' + t.region;
    this.recordRootCauses(t, []);
    for (const old of this.errorSeries.get(key) ?? []) this.deliveryError.remove({ ...t, ...old });
    for (const old of this.failedSeries.get(key) ?? []) this.checkFailed.remove({ ...t, ...old });
    this.errorSeries.delete(key);
    this.failedSeries.delete(key);
    this.causeSeries.delete(key);
    for (const g of [this.logging, this.checkSuccess, this.lastCheck]) g.remove(t);
    for (const destination of ['s3', 'cloudwatch_logs']) this.deliveryAge.remove({ ...t, destination });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
