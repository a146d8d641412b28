import { describe, expect, it } from 'vitest';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { fleetStandin, MANAGEMENT } from '../../bench/scan/fleet-standin.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { assumeRoleAccess, type AccountAccess } from '../../src/scan/fleet-calls.js';
import { fleetTrailSource, watchedRegion } from '../../src/watch/fleet-source.js';
import type { Fields, Logger } from '../../src/watch/log.js';
import { WatchMetrics } from '../../src/watch/metrics.js';
import { Watcher } from '../../src/watch/watcher.js';
import { sdkError } from './fake-account.js';

/**
 * `watch --scan` against the in-process organization stand-in of the scan benchmark: what is
 * discovered and with which clients, what an interval costs, when discovery runs again, and how
 * unreachable accounts and a failed discovery show.
 */
// The stand-in's sessions expire an hour after `now`: the real clock, so that they are fresh.
const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const window = { start: new Date(now.getTime() - 86_400_000), end: now };
const regions = ['eu-west-1', 'us-east-1'];
const DISCOVERY_OPS = ['sts:GetCallerIdentity', 'sts:AssumeRole', 'organizations:DescribeOrganization', 'organizations:ListAccounts', 'ec2:DescribeRegions', 'cloudtrail:DescribeTrails'];

function recordingLogger(): Logger & { lines: { event: string; fields: Fields }[] } {
  const lines: { event: string; fields: Fields }[] = [];
  return { lines, log: (_level, event, fields = {}) => lines.push({ event, fields }) };
}

function setup(opts: { members?: number; organization?: boolean; roleRefused?: (ids: string[]) => string[]; denyAll?: (ids: string[]) => string[] } = {}) {
  const probe = fleetStandin({ members: opts.members ?? 6, regions, latencyMs: 0, now, window });
  const ids = probe.accountIds;
  const fleet = fleetStandin({ members: opts.members ?? 6, regions, latencyMs: 0, now, window, denyAll: opts.denyAll?.(ids) ?? [] });
  let listingFails = false;
  const caller: AwsClients = {
    ...fleet.caller,
    organizations: () => (listingFails ? ({ send: async () => Promise.reject(sdkError('AccessDeniedException', 403)) } as never) : fleet.caller.organizations()),
  };
  const real = assumeRoleAccess(caller, fleet.makeClients, { roleName: 'OrganizationAccountAccessRole' });
  const refused = new Set(opts.roleRefused?.(ids) ?? []);
  const access: AccountAccess = { caller, enter: (id, p) => (refused.has(id) ? Promise.reject(sdkError('AccessDenied', 403)) : real.enter(id, p)) };
  const metrics = new WatchMetrics({ processMetrics: false, fleet: true });
  const logger = recordingLogger();
  const source = fleetTrailSource({
    access,
    organization: opts.organization ?? true,
    roleName: 'OrganizationAccountAccessRole',
    regions: 'enabled',
    metrics,
    logger,
    makeClients: fleet.makeClients,
    diagnosisDeadlineMs: 120_000,
  });
  let clock = now.getTime();
  const watcher = new Watcher({
    source,
    metrics,
    logger,
    intervalMs: 60_000,
    maxDiagnosesPerHour: 6,
    now: () => clock,
    diagnose: async () => {
      throw new Error('not in this test');
    },
  });
  const snapshot = () => new Map(fleet.byOperation());
  const since = (before: Map<string, number>) => {
    const out = new Map<string, number>();
    for (const [op, n] of fleet.byOperation()) if (n - (before.get(op) ?? 0)) out.set(op, n - (before.get(op) ?? 0));
    return out;
  };
  const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  return { fleet, ids, source, metrics, logger, watcher, snapshot, since, total, tick: (ms: number) => (clock += ms), failListing: (v: boolean) => (listingFails = v) };
}

describe('watch --scan: the fleet trail source', () => {
  it('watches every trail once, by its owner, with that account\'s clients and labels; unreachable accounts are a metric and a log line', async () => {
    // layouts cycle multi, single, none, stopped: ids[4] (multi) refuses the role, ids[5] (single) refuses every read
    const s = setup({ roleRefused: (ids) => [ids[4]!], denyAll: (ids) => [ids[5]!] });
    const arns = (await s.source.list()).map((t) => `${t.account} ${t.region} ${t.trailArn}`).sort();
    expect(arns).toEqual(
      [
        `${MANAGEMENT} eu-west-1 arn:aws:cloudtrail:eu-west-1:${MANAGEMENT}:trail/main`,
        `${s.ids[0]} eu-west-1 arn:aws:cloudtrail:eu-west-1:${s.ids[0]}:trail/main`,
        `${s.ids[1]} eu-west-1 arn:aws:cloudtrail:eu-west-1:${s.ids[1]}:trail/local`,
        `${s.ids[3]} eu-west-1 arn:aws:cloudtrail:eu-west-1:${s.ids[3]}:trail/main`,
      ].sort(),
    );
    await s.watcher.refresh();
    expect(s.watcher.trailCount).toBe(4);
    await s.watcher.checkAll();
    const text = await s.metrics.render();
    for (const id of [MANAGEMENT, s.ids[0], s.ids[1], s.ids[2], s.ids[3]]) expect(text).toContain(`trail_doctor_account_reachable{account="${id}"} 1`);
    expect(text).toContain(`trail_doctor_account_reachable{account="${s.ids[4]}"} 0`);
    expect(text).toContain(`trail_doctor_account_reachable{account="${s.ids[5]}"} 0`);
    expect(text).toContain('trail_doctor_discovery_success 1');
    // the stopped trail answers from its own account's clients (the caller's would say logging)
    expect(text).toContain(`trail_doctor_trail_logging{account="${s.ids[3]}",region="eu-west-1",trail_arn="arn:aws:cloudtrail:eu-west-1:${s.ids[3]}:trail/main"} 0`);
    expect(text).toContain(`trail_doctor_trail_logging{account="${s.ids[0]}",region="eu-west-1",trail_arn="arn:aws:cloudtrail:eu-west-1:${s.ids[0]}:trail/main"} 1`);
    const unreachable = s.logger.lines.filter((l) => l.event === 'account_unreachable');
    expect([...new Set(unreachable.map((l) => l.fields.account))].sort()).toEqual([s.ids[4], s.ids[5]].sort());
    expect(String(unreachable.find((l) => l.fields.account === s.ids[4])!.fields.reason)).toMatch(/AssumeRole into arn:aws:iam::\d{12}:role\/OrganizationAccountAccessRole failed: AccessDenied: needs sts:AssumeRole/);
  });

  it('an interval costs at most 4 calls a trail and no discovery; discovery runs again after an hour, entering each account once', async () => {
    const s = setup({ members: 8 });
    let before = s.snapshot();
    await s.watcher.refresh();
    const discovery = s.since(before);
    expect(discovery.get('sts:AssumeRole')).toBe(8);
    expect(discovery.get('organizations:ListAccounts')).toBe(1);
    const trails = s.watcher.trailCount;
    expect(trails).toBe(7);
    for (let round = 0; round < 5; round++) {
      before = s.snapshot();
      await s.watcher.checkAll();
      const spent = s.since(before);
      expect(s.total(spent)).toBeLessThanOrEqual(4 * trails);
      for (const op of DISCOVERY_OPS) expect(spent.get(op), `${op} in round ${round}`).toBeUndefined();
      // discovery's DescribeTrails already gave each trail's layout
      expect(spent.get('cloudtrail:GetTrail')).toBeUndefined();
      expect(spent.get('cloudtrail:GetTrailStatus')).toBe(trails);
      s.tick(60_000);
    }
    s.tick(3_600_000);
    before = s.snapshot();
    // the round does not wait for the discovery: it checks the trails it has meanwhile
    await s.watcher.checkAll();
    await s.watcher.listed();
    const hourly = s.since(before);
    expect(hourly.get('cloudtrail:GetTrailStatus')).toBe(trails);
    expect(hourly.get('organizations:ListAccounts')).toBe(1);
    expect(hourly.get('cloudtrail:DescribeTrails')).toBe(9 * regions.length);
    // the assumed roles' providers refresh their sessions; accounts are not entered again
    expect(hourly.get('sts:AssumeRole')).toBeUndefined();
    s.tick(60_000);
    before = s.snapshot();
    await s.watcher.checkAll();
    expect(s.watcher.trailCount).toBe(trails);
    for (const op of DISCOVERY_OPS) expect(s.since(before).get(op)).toBeUndefined();
  });

  it('a discovery that fails keeps the last list, says so, and sets discovery_success 0', async () => {
    const s = setup();
    await s.watcher.refresh();
    const trails = s.watcher.trailCount;
    s.failListing(true);
    s.tick(3_600_000);
    await s.watcher.checkAll();
    await s.watcher.listed();
    s.tick(60_000);
    await s.watcher.checkAll();
    expect(s.watcher.trailCount).toBe(trails);
    const text = await s.metrics.render();
    expect(text).toContain('trail_doctor_discovery_success 0');
    expect(text).toMatch(/trail_doctor_check_success\{[^}]*\} 1/);
    const failed = s.logger.lines.find((l) => l.event === 'discovery_failed');
    expect(failed?.fields.trails_kept).toBe(trails);
    expect(String(failed?.fields.error)).toMatch(/organizations:ListAccounts/);
  });

  it('with no list yet, a failed discovery is an error the watcher retries', async () => {
    const s = setup();
    s.failListing(true);
    await expect(s.watcher.refresh()).rejects.toThrow(/--organization: the organization's accounts could not be listed/);
    s.failListing(false);
    await s.watcher.checkAll();
    expect(s.watcher.trailCount).toBe(6);
  });

  it('a diagnosis gets fresh clients in the trail\'s account, with a run deadline counted from its start', async () => {
    const s = setup();
    const targets = await s.source.list();
    const member = targets.find((t) => t.account === s.ids[1])!;
    const t0 = Date.now();
    const dc = await member.diagnosisClients!('us-east-1');
    expect(dc).not.toBe(member.clients);
    expect(dc.region).toBe('us-east-1');
    expect(dc.options.deadlineAt).toBeGreaterThanOrEqual(t0 + 120_000);
    expect(dc.options.deadlineAt).toBeLessThanOrEqual(Date.now() + 120_000);
    expect((await dc.sts().send(new GetCallerIdentityCommand({}))).Account).toBe(s.ids[1]);
    const mine = targets.find((t) => t.account === MANAGEMENT)!;
    expect((await (await mine.diagnosisClients!('eu-west-1')).sts().send(new GetCallerIdentityCommand({}))).Account).toBe(MANAGEMENT);
  });

  it('without --organization only the caller\'s account is watched, nothing is assumed', async () => {
    const s = setup({ organization: false });
    const before = s.snapshot();
    const targets = await s.source.list();
    expect(targets.map((t) => t.account)).toEqual([MANAGEMENT]);
    expect(s.since(before).get('sts:AssumeRole')).toBeUndefined();
    expect(s.since(before).get('organizations:ListAccounts')).toBeUndefined();
  });

  it('watches a trail in its home region, or in the first judged region a multi-region trail records', () => {
    const t = { name: 'main', arn: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/main', homeRegion: 'us-east-1', isMultiRegionTrail: true } as Parameters<typeof watchedRegion>[0];
    expect(watchedRegion(t, ['eu-west-1', 'us-east-1'])).toBe('us-east-1');
    expect(watchedRegion(t, ['us-west-2', 'eu-west-1'])).toBe('eu-west-1');
    expect(watchedRegion({ ...t, isMultiRegionTrail: false }, ['eu-west-1'])).toBeUndefined();
  });

  it('a slow discovery never holds a round: the rounds go on with the last list, the new one is taken at the round after', async () => {
    let release: (() => void) | undefined;
    let calls = 0;
    const base = setup();
    const first = await base.source.list();
    const source = {
      slow: true,
      list: async () => {
        if (calls++ === 0) return first.slice(0, 2);
        await new Promise<void>((r) => (release = r));
        return first;
      },
    };
    let clock = now.getTime();
    const w = new Watcher({ source, metrics: new WatchMetrics({ processMetrics: false }), logger: base.logger, intervalMs: 60_000, maxDiagnosesPerHour: 6, now: () => clock, diagnose: async () => Promise.reject(new Error('no')) });
    await w.refresh();
    expect(w.trailCount).toBe(2);
    clock += 3_600_000;
    await w.checkAll();
    expect(w.rounds).toBe(1);
    clock += 60_000;
    await w.checkAll();
    expect(w.rounds).toBe(2);
    expect(calls).toBe(2);
    expect(w.trailCount).toBe(2);
    release!();
    await w.listed();
    clock += 60_000;
    await w.checkAll();
    expect(w.trailCount).toBe(first.length);
    expect(calls).toBe(2);
  });
});
