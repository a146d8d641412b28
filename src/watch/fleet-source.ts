import pLimit from 'p-limit';
import type { Trail } from '@aws-sdk/client-cloudtrail';
import type { AwsClients, ClientOptions } from '../aws/clients.js';
import type { TrailConfig } from '../evidence/schema.js';
import { discoverAccount, ownerOf, reasonOf, type AccountDiscovery } from '../scan/discovery.js';
import { callerIdentity, targetsOf, type Target } from '../scan/engine.js';
import type { AccountAccess } from '../scan/fleet-calls.js';
import { inertLine } from '../util/text.js';
import type { Logger } from './log.js';
import type { WatchMetrics } from './metrics.js';
import type { TrailSource, WatchTarget } from './source.js';

/**
 * `watch --scan`: the trails to watch come from the scan's discovery (the caller's account, or every
 * active account of the organization entered by AssumeRole; enabled regions; DescribeTrails with
 * shadow trails). The watcher asks for the list at start and once an hour, never per check.
 *
 * Each trail is watched once, by the account that owns it, in its home region's log folder (or the
 * first judged region for a multi-region trail homed outside --regions): one light check per trail
 * per interval, within its four calls. An account that cannot be entered is a metric and a log line,
 * and the trails it had keep being watched with the clients they had; a discovery that fails as a
 * whole (no identity, no account list) keeps the last list.
 */
export interface FleetSourceOptions {
  access: AccountAccess;
  organization: boolean;
  /** The role entered in member accounts (for the reason of an unreachable account). */
  roleName: string;
  accounts?: readonly string[];
  regions: 'enabled' | readonly string[];
  /** Accounts, and units of AWS work (a region's listing, an AssumeRole), in flight at once. */
  concurrency?: number;
  metrics: WatchMetrics;
  logger: Logger;
  /** Makes clients (the factory the access enters accounts with): a diagnosis gets a set of its own. */
  makeClients: (opts: ClientOptions) => AwsClients | Promise<AwsClients>;
  /** Each diagnosis on alert ends within this, counted from its start (the run deadline of its clients). */
  diagnosisDeadlineMs?: number;
}

/**
 * Options of a diagnosis's own clients in one account: that account's credentials (the caller's, or
 * the assumed role's provider), in `region`, with a run deadline from now and no call log carried over.
 */
export function diagnosisOptions(account: AwsClients, region: string, deadlineMs?: number): ClientOptions {
  const { earlierCalls: _calls, deadlineAt: _deadline, ...opts } = account.options;
  return { ...opts, region, ...(deadlineMs ? { deadlineAt: Date.now() + deadlineMs } : {}) };
}

interface AccountState {
  clients?: AwsClients;
  targets: WatchTarget[];
  reachable?: boolean;
}

/** What resolveLayout and the light check need, from discovery's DescribeTrails (no GetTrail per trail). */
export const trailOf = (c: TrailConfig): Trail => ({
  Name: c.name,
  TrailARN: c.arn,
  HomeRegion: c.homeRegion,
  S3BucketName: c.s3BucketName,
  S3KeyPrefix: c.s3KeyPrefix,
  IsMultiRegionTrail: c.isMultiRegionTrail,
  IsOrganizationTrail: c.isOrganizationTrail,
  LogFileValidationEnabled: c.logFileValidationEnabled,
  CloudWatchLogsLogGroupArn: c.cloudWatchLogsLogGroupArn,
});

/** The region whose folder is watched: the home region when judged, else the first judged region a multi-region trail records. */
export function watchedRegion(t: TrailConfig, regions: readonly string[]): string | undefined {
  if (!regions.length || regions.includes(t.homeRegion)) return t.homeRegion;
  return t.isMultiRegionTrail ? [...regions].sort()[0] : undefined;
}

export function fleetTrailSource(o: FleetSourceOptions): TrailSource & { readonly accounts: number } {
  const known = new Map<string, AccountState>();
  let identity: { accountId: string; partition: string } | undefined;
  let last: WatchTarget[] | undefined;
  const limit = Math.max(1, o.concurrency ?? 8);

  const unreachable = (t: Target, state: AccountState, reason: string) => {
    o.metrics.accountReachable.set({ account: t.id }, 0);
    o.logger.log('warn', 'account_unreachable', { account: t.id, reason: inertLine(reason, 500), trails_kept: state.targets.length });
    state.reachable = false;
  };

  const targetsOfAccount = (t: Target, clients: AwsClients, d: AccountDiscovery): WatchTarget[] => {
    const out: WatchTarget[] = [];
    // Another account's trail (a member seeing the organization trail) is watched by its owner.
    for (const c of d.trails.filter((x) => ownerOf(x) === t.id)) {
      const region = watchedRegion(c, d.regions);
      if (!region) continue;
      out.push({ account: t.id, region, trailArn: c.arn, clients, trail: trailOf(c), diagnosisClients: async (r) => o.makeClients(diagnosisOptions(clients, r, o.diagnosisDeadlineMs)) });
    }
    return out;
  };

  const visit = async (t: Target, slot: <T>(fn: () => Promise<T>) => Promise<T>): Promise<void> => {
    let state = known.get(t.id);
    if (!state) known.set(t.id, (state = { targets: [] }));
    if (t.skip) return unreachable(t, state, t.skip);
    if (!state.clients) {
      if (t.id === identity!.accountId) state.clients = o.access.caller;
      else {
        try {
          // Entered once: the clients' provider assumes the role again before its session expires.
          state.clients = await slot(() => o.access.enter(t.id, identity!.partition));
        } catch (err) {
          return unreachable(t, state, `AssumeRole into arn:${identity!.partition}:iam::${t.id}:role/${o.roleName} failed: ${reasonOf(err, 'sts:AssumeRole')}`);
        }
      }
    }
    let d: AccountDiscovery;
    try {
      d = await discoverAccount(state.clients, t.id, o.regions, slot);
    } catch (err) {
      return unreachable(t, state, reasonOf(err, 'cloudtrail:DescribeTrails'));
    }
    if (d.regions.length > 0 && d.unlisted.size === d.regions.length) {
      // Not one region answered: what was watched before is kept rather than dropped for a failed read.
      return unreachable(t, state, `no region's trails could be listed: ${d.unverified.join('; ')}`);
    }
    if (d.unverified.length) o.logger.log('warn', 'account_partly_listed', { account: t.id, unverified: inertLine(d.unverified.join('; '), 500) });
    // A region that did not answer keeps the trails it had (by home region), the others are replaced.
    const kept = state.targets.filter((w) => d.unlisted.has(w.region) && !d.trails.some((c) => c.arn === w.trailArn));
    state.targets = [...targetsOfAccount(t, state.clients, d), ...kept];
    if (state.reachable !== true) o.logger.log('info', 'account_reachable', { account: t.id, trails: state.targets.length, regions: d.regions.length });
    state.reachable = true;
    o.metrics.accountReachable.set({ account: t.id }, 1);
  };

  return {
    slow: true,
    get accounts() {
      return known.size;
    },
    async list() {
      const started = Date.now();
      let targets: Target[];
      try {
        identity ??= await callerIdentity(o.access.caller);
        ({ targets } = await targetsOf({ organization: o.organization, accounts: o.accounts, access: o.access }, identity.accountId));
      } catch (err) {
        o.metrics.discoverySuccess.set(0);
        const error = inertLine((err as Error).message ?? String(err), 500);
        if (!last) throw err;
        o.logger.log('warn', 'discovery_failed', { error, trails_kept: last.length, retry: 'at the next hourly discovery' });
        return last;
      }
      const units = pLimit(limit);
      const slot = <T>(fn: () => Promise<T>) => units(fn);
      const accountLimit = pLimit(limit);
      await Promise.all(targets.map((t) => accountLimit(() => visit(t, slot))));
      // An account that left the organization (or --accounts) is no longer watched.
      const ids = new Set(targets.map((t) => t.id));
      for (const id of [...known.keys()]) {
        if (ids.has(id)) continue;
        known.delete(id);
        o.metrics.accountReachable.remove({ account: id });
        o.logger.log('info', 'account_unwatched', { account: id });
      }
      o.metrics.discoverySuccess.set(1);
      last = [...known.values()].flatMap((s) => s.targets);
      const unreachableCount = [...known.values()].filter((s) => s.reachable === false).length;
      o.logger.log('info', 'discovery_completed', { accounts: targets.length, unreachable: unreachableCount, trails: last.length, duration_ms: Date.now() - started });
      return last;
    },
  };
}
