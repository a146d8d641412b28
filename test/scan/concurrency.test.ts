import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fleetStandin, MANAGEMENT } from '../../bench/scan/fleet-standin.js';
import { assumeRoleAccess } from '../../src/scan/fleet-calls.js';
import { runScan, type ScanRequest } from '../../src/scan/engine.js';
import { mergeScans } from '../../src/scan/merge.js';
import { scanExitCode } from '../../src/scan/result.js';
import { normalise } from './formats.js';

const now = new Date('2026-11-24T04:00:00Z');
const window = { start: new Date(now.getTime() - 86_400_000), end: now };
const regions = ['eu-west-1', 'us-east-1'];

function setup(members: number, over: Partial<ScanRequest> = {}) {
  const fleet = fleetStandin({ members, regions, latencyMs: 5, now, window });
  const req: ScanRequest = {
    access: assumeRoleAccess(fleet.caller, fleet.makeClients, { roleName: 'OrganizationAccountAccessRole' }),
    organization: true,
    roleName: 'OrganizationAccountAccessRole',
    regions: 'enabled',
    concurrency: 3,
    window,
    now,
    deep: false,
    ...over,
  };
  return { fleet, req };
}

describe('scan scheduling against a stand-in organization', () => {
  it('never has more accounts in flight than --concurrency, and enters each member once', async () => {
    const { fleet, req } = setup(12);
    const progress: number[] = [];
    const r = await runScan({ ...req, onProgress: (p) => progress.push(p.done) });
    expect(r.summary.accounts).toBe(13);
    expect(fleet.maxAccountsInFlight()).toBeLessThanOrEqual(3);
    expect(fleet.maxAccountsInFlight()).toBeGreaterThan(1);
    expect(fleet.byOperation().get('sts:AssumeRole')).toBe(12);
    expect(fleet.byOperation().get('organizations:ListAccounts')).toBe(1);
    // every trail is diagnosed once, in its home region: one GetTrail per trail
    expect(fleet.byOperation().get('cloudtrail:GetTrail')).toBe(r.summary.trails);
    expect(progress.at(-1)).toBe(13);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('--concurrency 1 scans one account at a time', async () => {
    const { fleet, req } = setup(4, { concurrency: 1 });
    await runScan(req);
    expect(fleet.maxAccountsInFlight()).toBe(1);
  });

  it('the four layouts give the expected coverage and verdicts; exit code 1', async () => {
    const { req } = setup(4);
    const r = await runScan(req);
    const cover = r.accounts.map((a) => [a.accountId === MANAGEMENT ? 'mgmt' : a.accountId, a.regions.map((x) => x.status).join(',')]);
    expect(cover.map((c) => c[1])).toEqual(['covered,covered', 'covered,covered', 'covered,not-covered', 'not-covered,not-covered', 'not-covered,not-covered']);
    expect(r.accounts.flatMap((a) => a.trails.map((t) => t.verdict))).toEqual(['healthy', 'healthy', 'healthy', 'problem']);
    expect(scanExitCode(r)).toBe(1);
  });

  it('shards 0..N-1 merged equal the unsharded scan, for N = 1, 2, 5', async () => {
    const whole = await runScan(setup(17).req);
    for (const count of [1, 2, 5]) {
      const parts = [];
      for (let index = 0; index < count; index++) parts.push(await runScan(setup(17, { shard: { index, count } }).req));
      expect(parts.reduce((n, p) => n + p.accounts.length, 0)).toBe(whole.accounts.length);
      expect(normalise(mergeScans(parts))).toEqual(normalise(whole));
    }
  });
});

describe('scan scope without --organization', () => {
  it('scans the caller account alone by default', async () => {
    const { fleet, req } = setup(3, { organization: false });
    const r = await runScan(req);
    expect(r.accounts.map((a) => a.accountId)).toEqual([MANAGEMENT]);
    expect(fleet.byOperation().get('organizations:ListAccounts')).toBeUndefined();
    expect(fleet.byOperation().get('sts:AssumeRole')).toBeUndefined();
  });

  it('--accounts enters other accounts by AssumeRole; an organization trail they list covers them', async () => {
    const fleet = fleetStandin({ members: 4, regions, latencyMs: 1, now, window, organizationTrail: true });
    const noTrail = fleet.accountIds[2]!; // the layout without a trail of its own
    const r = await runScan({ ...setup(0).req, access: assumeRoleAccess(fleet.caller, fleet.makeClients, { roleName: 'Auditor' }), organization: false, accounts: [noTrail] });
    const a = r.accounts[0]!;
    expect(a).toMatchObject({ accountId: noTrail, status: 'ok', trails: [] });
    expect(a.regions.map((x) => [x.status, x.coveredBy])).toEqual(regions.map(() => ['covered', [`arn:aws:cloudtrail:eu-west-1:${MANAGEMENT}:trail/main`]]));
    expect(scanExitCode(r)).toBe(0);
  });

  it('an account that refuses every read is unreachable, with the missing actions', async () => {
    const fleet = fleetStandin({ members: 2, regions, latencyMs: 1, now, window, denyAll: [] });
    const denied = fleet.accountIds[0]!;
    const f2 = fleetStandin({ members: 2, regions, latencyMs: 1, now, window, denyAll: [denied] });
    const r = await runScan({ ...setup(0).req, access: assumeRoleAccess(f2.caller, f2.makeClients, { roleName: 'OrganizationAccountAccessRole' }) });
    const a = r.accounts.find((x) => x.accountId === denied)!;
    expect(a.status).toBe('unreachable');
    expect(a.reason).toContain('needs ec2:DescribeRegions');
    expect(a.reason).toContain('needs cloudtrail:DescribeTrails');
    expect(r.findings.find((f) => f.accountId === denied)?.id).toBe('account-unreachable');
    expect(r.accounts.filter((x) => x.status === 'ok')).toHaveLength(2);
  });
});

describe('organization membership and evidence', () => {
  it('suspended accounts are not scanned, and the scope counts them; --evidence-dir keeps every trail\'s evidence', async () => {
    const ids = fleetStandin({ members: 4, regions, latencyMs: 1, now, window }).accountIds;
    const f = fleetStandin({ members: 4, regions, latencyMs: 1, now, window, suspended: [ids[0]!] });
    const dir = await mkdtemp(join(tmpdir(), 'td-scan-ev-'));
    const r = await runScan({ ...setup(0).req, access: assumeRoleAccess(f.caller, f.makeClients, { roleName: 'OrganizationAccountAccessRole' }), evidenceDir: dir });
    expect(r.accounts.map((a) => a.accountId)).not.toContain(ids[0]);
    expect(r.scope.inactiveAccounts).toBe(1);
    const files = (await readdir(dir)).sort();
    expect(files).toHaveLength(r.summary.trails);
    const one = JSON.parse(await readFile(join(dir, files[0]!), 'utf8')) as { schemaVersion: number; steps: object };
    expect(one.steps).toHaveProperty('s1');
  });
});
