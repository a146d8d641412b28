import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, MOTO_ENV, skipWithoutMoto, startMoto, useMotoCredentials, type Moto } from '../support/moto.js';
import { BIN, ensureBuilt, ROOT } from '../support/cli.js';
import { clientsFor, createOrganization, MANAGEMENT, memberClients, seedTrail, startStsGate, type StsGate } from '../scan/moto-org.js';
import { webhook } from './payloads.js';

/**
 * `watch --organization` end to end against moto's server with an organization: the built CLI
 * discovers every member's trails through AssumeRole, light-checks them with each account's
 * credentials, reports the account it cannot enter as unreachable, and diagnoses a member's trail
 * on alert with that member's clients.
 */
const skip = skipWithoutMoto('watch --scan against moto');
const REGIONS = ['eu-west-1', 'us-east-1'];

describe.skipIf(skip)('watch --organization against moto', () => {
  let moto: Moto;
  let gate: StsGate;
  let watch: ChildProcess;
  let watchUrl = '';
  let watchErr = '';
  const ids: Record<string, string> = {};
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const exited = () => new Promise<number | null>((r) => (watch.exitCode !== null ? r(watch.exitCode) : watch.once('exit', (c) => r(c))));

  beforeAll(async () => {
    ensureBuilt();
    useMotoCredentials();
    moto = await startMoto();
    const names = ['healthy', 'stopped', 'locked'];
    const created = await createOrganization(moto.endpoint, names);
    names.forEach((n, i) => (ids[n] = created[i]!));
    gate = await startStsGate(moto.endpoint, [ids.locked!]);
    const base = { now, hours: 2 };
    await seedTrail(clientsFor(moto.endpoint), { ...base, account: MANAGEMENT, name: 'mgmt', region: 'us-east-1', bucket: 'mgmt-logs', multiRegion: false, logging: true });
    await seedTrail(await memberClients(moto.endpoint, ids.healthy!), {
      ...base, account: ids.healthy!, name: 'main', region: 'eu-west-1', bucket: 'healthy-logs', multiRegion: true, logging: true, deliveredRegions: REGIONS,
    });
    await seedTrail(await memberClients(moto.endpoint, ids.stopped!), { ...base, account: ids.stopped!, name: 'paused', region: 'eu-west-1', bucket: 'stopped-logs', multiRegion: false, logging: false });

    const port = await freePort();
    watchUrl = `http://127.0.0.1:${port}`;
    watch = spawn(
      process.execPath,
      [BIN, 'watch', '--organization', '--regions', REGIONS.join(','), '--region', 'us-east-1', '--endpoint-url', gate.endpoint, '--interval', '1s', '--listen', `127.0.0.1:${port}`, '--since', '2h', '--log-format', 'json'],
      { cwd: ROOT, env: { PATH: process.env.PATH, HOME: '/nonexistent-home', ...MOTO_ENV, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    watch.stderr!.on('data', (d: Buffer) => {
      if (watchErr.length < 500_000) watchErr += d.toString();
    });
    await waitFor('watch /healthz', async () => (await fetch(`${watchUrl}/healthz`).catch(() => undefined))?.ok === true, 60_000);
  }, 180_000);

  afterAll(async () => {
    if (watch && watch.exitCode === null) watch.kill('SIGKILL');
    await gate?.stop();
    await moto?.stop();
  });

  const metrics = async () => (await fetch(`${watchUrl}/metrics`)).text();
  const arn = (region: string, account: string, name: string) => `arn:aws:cloudtrail:${region}:${account}:trail/${name}`;

  it('light-checks every member\'s trail with its own account\'s credentials, and reports the account it cannot enter', async () => {
    const paused = arn('eu-west-1', ids.stopped!, 'paused');
    await waitFor('every trail checked', async () => (await metrics()).includes(`trail_doctor_trail_logging{account="${ids.stopped}",region="eu-west-1",trail_arn="${paused}"}`), 30_000);
    const text = await metrics();
    expect(text).toContain(`trail_doctor_trail_logging{account="${ids.stopped}",region="eu-west-1",trail_arn="${paused}"} 0`);
    expect(text).toContain(`trail_doctor_trail_logging{account="${ids.healthy}",region="eu-west-1",trail_arn="${arn('eu-west-1', ids.healthy!, 'main')}"} 1`);
    expect(text).toContain(`trail_doctor_trail_logging{account="${MANAGEMENT}",region="us-east-1",trail_arn="${arn('us-east-1', MANAGEMENT, 'mgmt')}"} 1`);
    expect(text).toMatch(new RegExp(`trail_doctor_delivery_age_seconds\\{account="${ids.healthy}",region="eu-west-1",trail_arn="[^"]+",destination="s3"\\} \\d+`));
    expect(text).toContain(`trail_doctor_account_reachable{account="${ids.locked}"} 0`);
    for (const id of [MANAGEMENT, ids.healthy, ids.stopped]) expect(text).toContain(`trail_doctor_account_reachable{account="${id}"} 1`);
    expect(text).toContain('trail_doctor_discovery_success 1');
    // each trail once: a multi-region trail is not watched again from its other regions
    expect(text.match(/^trail_doctor_check_success\{/gm)?.length).toBe(3);
    const lines = watchErr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const locked = lines.find((l) => l.event === 'account_unreachable');
    expect(locked).toMatchObject({ level: 'warn', account: ids.locked });
    expect(String(locked!.reason)).toMatch(/AssumeRole into .*OrganizationAccountAccessRole failed: AccessDenied/);
    expect(lines.filter((l) => l.event === 'discovery_completed')).toHaveLength(1);
  });

  it('diagnoses a member\'s trail on alert with that member\'s clients: logging-stopped', async () => {
    const paused = arn('eu-west-1', ids.stopped!, 'paused');
    const r = await fetch(`${watchUrl}/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(webhook([{ status: 'firing', labels: { alertname: 'CloudTrailEventsMissing', trail_arn: paused, region: 'eu-west-1', account: ids.stopped! } }])),
    });
    expect(r.status).toBe(202);
    let report: { verdict?: string; rootCauses?: { id: string }[]; evidence?: { callerIdentity?: { account?: string } } } = {};
    await waitFor(
      'the diagnosis',
      async () => {
        const res = await fetch(`${watchUrl}/reports/latest?trail_arn=${encodeURIComponent(paused)}`);
        if (!res.ok) return false;
        report = (await res.json()) as typeof report;
        return true;
      },
      90_000,
    );
    expect(report.verdict).toBe('problem');
    expect(report.rootCauses?.[0]?.id).toBe('logging-stopped');
    expect(await metrics()).toContain(`trail_doctor_diagnosis_root_cause{account="${ids.stopped}",region="eu-west-1",trail_arn="${paused}",root_cause="logging-stopped"} 1`);
  }, 120_000);

  it('stops on SIGTERM with exit 0', async () => {
    watch.kill('SIGTERM');
    expect(await exited()).toBe(0);
  }, 30_000);
});

async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs: number, everyMs = 300): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}
