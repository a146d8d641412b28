import type { CliContext } from './context.js';
import { UsageError } from './args.js';
import type { AwsClients, ClientOptions } from '../aws/clients.js';
import { gather } from './pipeline.js';
import { instrumentClients, type CallListener } from '../watch/instrument.js';
import { createLogger, type LogFormat, type Logger } from '../watch/log.js';
import { WatchMetrics } from '../watch/metrics.js';
import { createNotifier, type NotifyFormat } from '../watch/notify.js';
import { closeServer, createWatchServer, listen } from '../watch/server.js';
import { staticTrailSource, TrailNotResolved, type TrailSpec } from '../watch/source.js';
import { Watcher } from '../watch/watcher.js';

/**
 * Wires a running `watch` (loaded only by that command): clients (counted), the trail source, the loop, the HTTP server, the
 * notifier, and the shutdown on SIGTERM/SIGINT. Returns the exit code.
 */
export interface RunWatchOptions {
  ctx: CliContext;
  specs: TrailSpec[];
  /** `--scan`: the trails come from the fleet discovery instead of `specs`. */
  fleet?: { organization: boolean; accounts?: string[]; regions: 'enabled' | string[]; roleName: string; externalId?: string };
  clientOptions: ClientOptions;
  /** Each diagnosis on alert ends within this (the run deadline of its own clients). */
  diagnosisDeadlineMs?: number;
  intervalMs: number;
  listen: { host: string; port: number };
  notify: { url?: string; format: NotifyFormat };
  maxPerHour: number;
  sinceMs: number;
  logFormat: LogFormat;
  /** Resolves to stop the watch (default: the first SIGTERM or SIGINT). */
  until?: Promise<void>;
}

export async function runWatch(o: RunWatchOptions): Promise<number> {
  const logger = createLogger(o.ctx.stderr, o.logFormat);
  const metrics = new WatchMetrics({ fleet: Boolean(o.fleet) });
  const count = (service: string, _op: string, outcome: string) => metrics.countCall(service, outcome);
  const clients = instrumentClients(await o.ctx.makeClients(o.clientOptions), count);
  // A diagnosis gets clients of its own, with a run deadline counted from its start.
  const deadline = () => (o.diagnosisDeadlineMs ? { deadlineAt: Date.now() + o.diagnosisDeadlineMs } : {});
  const source = o.fleet
    ? await fleetSource(o, o.fleet, clients, metrics, logger, count)
    : staticTrailSource(o.specs, clients, async (region) => instrumentClients(await o.ctx.makeClients({ ...o.clientOptions, region, ...deadline() }), count));

  const notifier = o.notify.url ? createNotifier({ url: o.notify.url, format: o.notify.format }) : undefined;
  const watcher = new Watcher({
    source,
    metrics,
    logger,
    intervalMs: o.intervalMs,
    maxDiagnosesPerHour: o.maxPerHour,
    notifier,
    diagnose: async (target, req) => {
      const dc = target.diagnosisClients ? await target.diagnosisClients(req.region) : target.clients;
      const now = new Date(Math.floor(o.ctx.now().getTime() / 1000) * 1000);
      try {
        const { report } = await gather(
          dc,
          { trail: target.trailArn, region: req.region, window: { start: new Date(now.getTime() - o.sinceMs), end: now }, now, profile: o.clientOptions.profile, endpointUrl: o.clientOptions.endpointUrl },
          { integrity: true, gaps: 'auto' },
        );
        return report;
      } finally {
        if (dc !== target.clients) (dc as { release?: () => void }).release?.();
      }
    },
  });

  try {
    await watcher.refresh();
  } catch (e) {
    // A trail that does not exist is bad input; anything else (network, permissions) is retried.
    if (e instanceof TrailNotResolved && e.kind === 'absent') throw new UsageError(e.message);
    logger.log('warn', 'trail_list_failed', { error: (e as Error).message, retry: 'every interval' });
  }

  const server = createWatchServer({
    metrics: async () => ({ contentType: metrics.contentType, body: await metrics.render() }),
    health: () => watcher.health(),
    webhook: (p) => watcher.onWebhook(p),
    latestReport: (arn, region) => watcher.latestReport(arn, region),
  });
  let bound;
  try {
    bound = await listen(server, o.listen.host, o.listen.port);
  } catch (e) {
    throw new UsageError(`--listen ${o.listen.host}:${o.listen.port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  logger.log('info', 'watch_started', {
    listen: `${bound.host}:${bound.port}`,
    trails: watcher.trailCount,
    interval_s: o.intervalMs / 1000,
    notify: o.notify.url ? new URL(o.notify.url).origin : 'none',
    max_diagnoses_per_hour: o.maxPerHour,
  });
  watcher.start();

  await (o.until ?? signalled());
  logger.log('info', 'watch_stopping', { grace_s: 10 });
  const [finished] = await Promise.all([watcher.stop(10_000), closeServer(server)]);
  clients.release();
  logger.log('info', 'watch_stopped', { clean: finished });
  if (o.ctx.stdout === process.stdout && !o.until) {
    // Abandoned diagnoses may still hold sockets: the process ends now rather than when they do.
    setTimeout(() => process.exit(0), 200).unref();
  }
  return 0;
}

async function fleetSource(
  o: RunWatchOptions,
  fleet: NonNullable<RunWatchOptions['fleet']>,
  caller: AwsClients,
  metrics: WatchMetrics,
  logger: Logger,
  count: CallListener,
) {
  const { assumeRoleAccess } = await import('../scan/fleet-calls.js');
  const { fleetTrailSource } = await import('../watch/fleet-source.js');
  const make = async (opts: ClientOptions) => instrumentClients(await o.ctx.makeClients(opts), count);
  return fleetTrailSource({
    access: assumeRoleAccess(caller, make, { roleName: fleet.roleName, externalId: fleet.externalId, sessionName: 'trail-doctor-watch' }),
    organization: fleet.organization,
    roleName: fleet.roleName,
    accounts: fleet.accounts,
    regions: fleet.regions,
    metrics,
    logger,
    makeClients: make,
    diagnosisDeadlineMs: o.diagnosisDeadlineMs,
  });
}

function signalled(): Promise<void> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      // A second signal ends it at once.
      process.once(sig, () => process.exit(130));
      resolve();
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}
