import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { run } from '../../src/cli/main.js';
import type { CliContext } from '../../src/cli/context.js';
import { DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { startMoto, skipWithoutMoto, useMotoCredentials, type Moto } from '../support/moto.js';
import { createClients, type AwsClients, type ClientOptions } from '../../src/aws/clients.js';
import { actionForCall } from '../../src/collect/permissions.js';
import { scanPolicies } from '../../src/scan/policy.js';
import { assumeRoleAccess } from '../../src/scan/fleet-calls.js';
import { runScan, type ScanRequest } from '../../src/scan/engine.js';
import { scanExitCode } from '../../src/scan/result.js';
import { mergeScans } from '../../src/scan/merge.js';
import { CSV_COLUMNS, renderScanCsv } from '../../src/report/scan-csv.js';
import { renderScanOcsf } from '../../src/report/scan-ocsf.js';
import { anchorOf, renderScanMarkdown } from '../../src/report/scan-markdown.js';
import { renderScanHtml } from '../../src/report/scan-html.js';
import { missingOcsfRequired, normalise, parseCsv } from './formats.js';
import type { ScanResult } from '../../src/scan/model.js';
import { clientsFor, createOrganization, MANAGEMENT, memberClients, seedTrail, startStsGate, type StsGate } from './moto-org.js';

const skip = skipWithoutMoto('scan against moto');
const REGIONS = ['eu-west-1', 'us-east-1', 'us-west-2'];

describe.skipIf(skip)('scan --organization end to end against moto', () => {
  let moto: Moto;
  let gate: StsGate;
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const window = { start: new Date(now.getTime() - 2 * 3_600_000), end: now };
  const ids: Record<string, string> = {};
  let orgId = '';
  let result: ScanResult;
  const made: AwsClients[] = [];
  let calls: string[] = [];

  const request = (over: Partial<ScanRequest> = {}): ScanRequest => {
    const opts: ClientOptions = { region: 'us-east-1', endpointUrl: gate.endpoint, maxAttempts: 1, rateLimits: { 'cloudtrail:LookupEvents': 50 } };
    const caller = createClients(opts);
    made.push(caller);
    const make = (o: ClientOptions) => {
      const c = createClients(o);
      made.push(c);
      return c;
    };
    return {
      access: assumeRoleAccess(caller, make, { roleName: 'OrganizationAccountAccessRole' }),
      organization: true,
      roleName: 'OrganizationAccountAccessRole',
      regions: REGIONS,
      concurrency: 4,
      window,
      now,
      deep: false,
      ...over,
    };
  };

  beforeAll(async () => {
    useMotoCredentials();
    moto = await startMoto();
    const names = ['healthy', 'single', 'empty', 'stopped', 'locked'];
    const created = await createOrganization(moto.endpoint, names);
    names.forEach((n, i) => (ids[n] = created[i]!));
    orgId = (await new OrganizationsClient({ region: 'us-east-1', endpoint: moto.endpoint }).send(new DescribeOrganizationCommand({}))).Organization!.Id!;
    gate = await startStsGate(moto.endpoint, [ids.locked!]);
    const base = { now, hours: 2 };
    await seedTrail(clientsFor(moto.endpoint), {
      ...base, account: MANAGEMENT, name: 'org-trail', region: 'us-east-1', bucket: 'org-trail-logs', multiRegion: false, organization: true, logging: true, keyRoot: `${orgId}/${MANAGEMENT}`,
    });
    await seedTrail(await memberClients(moto.endpoint, ids.healthy!), {
      ...base, account: ids.healthy!, name: 'main', region: 'eu-west-1', bucket: 'healthy-logs', multiRegion: true, logging: true, deliveredRegions: REGIONS,
    });
    await seedTrail(await memberClients(moto.endpoint, ids.single!), {
      ...base, account: ids.single!, name: 'local', region: 'eu-west-1', bucket: 'single-logs', multiRegion: false, logging: true,
    });
    await seedTrail(await memberClients(moto.endpoint, ids.stopped!), {
      ...base, account: ids.stopped!, name: 'paused', region: 'us-west-2', bucket: 'stopped-logs', multiRegion: true, logging: false,
    });
    result = await runScan(request());
    calls = [...new Set(made.flatMap((c) => c.calls.map((x) => actionForCall(`${x.service}:${x.operation}`))))].sort();
  }, 180_000);

  afterAll(async () => {
    await gate?.stop();
    await moto?.stop();
  });

  const account = (name: string) => result.accounts.find((a) => a.accountId === ids[name])!;
  const regionOf = (name: string, region: string) => account(name).regions.find((r) => r.region === region)!;
  const ORG_TRAIL = `arn:aws:cloudtrail:us-east-1:${MANAGEMENT}:trail/org-trail`;

  it('follows the JSON contract: kind, window, summary counts', () => {
    expect(result).toMatchObject({ schemaVersion: 1, kind: 'scan', generatedAt: now.toISOString(), window: { start: window.start.toISOString(), end: window.end.toISOString() } });
    expect(result.scope).toMatchObject({ organization: true, organizationId: orgId, managementAccountId: MANAGEMENT });
    // management + five members; four trails (the locked account is never entered)
    expect(result.summary).toEqual({ accounts: 6, reachable: 5, trails: 4, healthy: 3, problem: 1, inconclusive: 0, uncoveredRegions: 7 });
    for (const a of result.accounts) expect(Object.keys(a)).toEqual(expect.arrayContaining(['accountId', 'status', 'regions', 'trails']));
  });

  it('a healthy multi-region trail covers every region of its account', () => {
    expect(account('healthy').regions.map((r) => [r.region, r.status])).toEqual(REGIONS.map((r) => [r, 'covered']));
    const main = `arn:aws:cloudtrail:eu-west-1:${ids.healthy}:trail/main`;
    expect(regionOf('healthy', 'us-west-2').coveredBy).toEqual([main]);
    expect(regionOf('healthy', 'us-east-1').coveredBy).toEqual([main, ORG_TRAIL]);
    expect(account('healthy').trails).toMatchObject([{ arn: main, verdict: 'healthy', isMultiRegionTrail: true, isLogging: true }]);
  });

  it('a single-region trail covers its home region; the organization trail covers members in its region only', () => {
    expect(regionOf('single', 'eu-west-1').coveredBy).toEqual([`arn:aws:cloudtrail:eu-west-1:${ids.single}:trail/local`]);
    expect(regionOf('single', 'us-east-1').coveredBy).toEqual([ORG_TRAIL]);
    expect(regionOf('single', 'us-west-2')).toMatchObject({ status: 'not-covered', coveredBy: [] });
    const f = result.findings.find((x) => x.accountId === ids.single && x.region === 'us-west-2')!;
    expect(f).toMatchObject({ id: 'region-not-covered', confidence: 'confirmed' });
    expect(f.remediation!.commands[0]).toContain(`update-trail --name arn:aws:cloudtrail:eu-west-1:${ids.single}:trail/local --region eu-west-1 --is-multi-region-trail`);
  });

  it('an account with no trail is uncovered wherever the organization trail does not record', () => {
    expect(account('empty').trails).toEqual([]);
    expect(account('empty').regions.map((r) => [r.region, r.status])).toEqual([['eu-west-1', 'not-covered'], ['us-east-1', 'covered'], ['us-west-2', 'not-covered']]);
    const f = result.findings.filter((x) => x.accountId === ids.empty);
    expect(f.map((x) => [x.id, x.region])).toEqual([['region-not-covered', 'eu-west-1'], ['region-not-covered', 'us-west-2']]);
    // the organization trail records us-east-1 only: widening it fixes every member at once
    expect(f[0]!.remediation!.commands[0]).toBe(`aws cloudtrail update-trail --name ${ORG_TRAIL} --region us-east-1 --is-multi-region-trail --include-global-service-events`);
  });

  it('a stopped trail covers nothing and is a problem: logging-stopped, and start-logging fixes the coverage', () => {
    const paused = `arn:aws:cloudtrail:us-west-2:${ids.stopped}:trail/paused`;
    expect(account('stopped').trails).toMatchObject([{ arn: paused, verdict: 'problem', isLogging: false, recordsManagementEvents: false }]);
    expect(account('stopped').trails[0]!.rootCauses[0]).toMatchObject({ id: 'logging-stopped', confidence: 'confirmed' });
    expect(regionOf('stopped', 'us-west-2').status).toBe('not-covered');
    expect(regionOf('stopped', 'us-east-1').coveredBy).toEqual([ORG_TRAIL]);
    const ids_ = result.findings.filter((x) => x.accountId === ids.stopped).map((x) => x.id);
    expect(ids_).toEqual(['region-not-covered', 'region-not-covered', 'logging-stopped']);
    const fix = result.findings.find((x) => x.accountId === ids.stopped && x.region === 'us-west-2' && x.id === 'region-not-covered')!;
    expect(fix.remediation!.commands[0]).toBe(`aws cloudtrail start-logging --name ${paused} --region us-west-2`);
    expect(result.details.map((d) => d.trailArn)).toEqual([paused]);
  });

  it('the management account is scanned with the caller\'s credentials; its organization trail is healthy and single-region', () => {
    expect(account('healthy').status).toBe('ok');
    const m = result.accounts.find((a) => a.accountId === MANAGEMENT)!;
    expect(m.trails).toMatchObject([{ arn: ORG_TRAIL, isOrganizationTrail: true, verdict: 'healthy' }]);
    expect(m.regions.filter((r) => r.status === 'not-covered').map((r) => r.region)).toEqual(['eu-west-1', 'us-west-2']);
  });

  it('an account whose role cannot be assumed is unreachable with the reason, and the scan goes on', () => {
    expect(account('locked')).toMatchObject({ status: 'unreachable', name: 'locked', regions: [], trails: [] });
    expect(account('locked').reason).toContain('AccessDenied');
    expect(account('locked').reason).toContain(`arn:aws:iam::${ids.locked}:role/OrganizationAccountAccessRole`);
    expect(result.findings.find((f) => f.accountId === ids.locked)).toMatchObject({ id: 'account-unreachable', confidence: 'confirmed' });
  });

  it('exit codes: 1 with problems, 3 when only an unreachable account is wrong, 0 when all is covered and healthy', async () => {
    expect(scanExitCode(result)).toBe(1);
    const partial = await runScan(request({ accounts: [ids.healthy!, ids.locked!] }));
    expect(partial.accounts.map((a) => a.status)).toEqual([ids.healthy!, ids.locked!].sort().map((id) => (id === ids.locked ? 'unreachable' : 'ok')));
    expect(scanExitCode(partial)).toBe(3);
    const clean = await runScan(request({ accounts: [ids.healthy!] }));
    expect(clean.findings).toEqual([]);
    expect(scanExitCode(clean)).toBe(0);
  }, 60_000);

  it('the CLI prints the same contract as JSON and exits 1', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    stderr.on('data', (d: Buffer) => (err += d.toString()));
    const ctx: CliContext = { stdout, stderr, env: { ...process.env, NO_COLOR: '1' }, now: () => now, makeClients: (o) => createClients({ ...o, maxAttempts: 1 }), exitCode: 0 };
    const code = await run(['scan', '--organization', '--regions', REGIONS.join(','), '--since', '2h', '--endpoint-url', gate.endpoint, '--region', 'us-east-1', '--format', 'json'], ctx);
    expect(err).toBe('');
    expect(code).toBe(1);
    const json = JSON.parse(out) as ScanResult;
    expect(json.summary).toEqual(result.summary);
    expect(json.findings.map((f) => [f.accountId, f.region, f.id])).toEqual(result.findings.map((f) => [f.accountId, f.region, f.id]));
  }, 60_000);

  it('N shards merged equal one unsharded scan', async () => {
    const parts = [];
    for (let index = 0; index < 3; index++) parts.push(await runScan(request({ shard: { index, count: 3 } })));
    expect(parts.reduce((n, p) => n + p.accounts.length, 0)).toBe(result.accounts.length);
    expect(parts.filter((p) => p.accounts.length > 0).length).toBeGreaterThan(1);
    const merged = mergeScans(parts.map((p) => JSON.parse(JSON.stringify(p)) as ScanResult));
    expect(normalise(merged)).toEqual(normalise(result));
  }, 120_000);

  it('CSV: one row per account × region × trail, RFC 4180', () => {
    const rows = parseCsv(renderScanCsv(result));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    for (const r of rows) expect(r).toHaveLength(CSV_COLUMNS.length);
    const col = (name: string) => CSV_COLUMNS.indexOf(name as never);
    const of = (acct: string, region: string) => rows.filter((r) => r[col('account_id')] === acct && r[col('region')] === region);
    expect(of(ids.healthy!, 'us-east-1').map((r) => r[col('trail_name')]).sort()).toEqual(['main', 'org-trail']);
    expect(of(ids.empty!, 'eu-west-1')).toHaveLength(1);
    expect(of(ids.empty!, 'eu-west-1')[0]![col('coverage')]).toBe('not-covered');
    expect(of(ids.empty!, 'eu-west-1')[0]![col('findings')]).toBe('region-not-covered');
    const locked = rows.filter((r) => r[col('account_id')] === ids.locked);
    expect(locked).toHaveLength(1);
    expect(locked[0]![col('account_status')]).toBe('unreachable');
    // the stopped trail covers no region, and still has its row with its verdict
    const paused = rows.filter((r) => r[col('trail_name')] === 'paused');
    expect(paused.map((r) => [r[col('trail_verdict')], r[col('top_root_cause')]])).toEqual([['problem', 'logging-stopped']]);
  });

  it('OCSF: one Detection Finding (class 2004) per problem with every required field', () => {
    const lines = renderScanOcsf(result).trim().split('\n');
    expect(lines).toHaveLength(result.findings.length);
    for (const line of lines) {
      const f = JSON.parse(line) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(missingOcsfRequired(f)).toEqual([]);
      expect(f).toMatchObject({ class_uid: 2004, category_uid: 2, activity_id: 1, type_uid: 200401 });
      expect(f.cloud.account.uid).toMatch(/^\d{12}$/);
    }
    const ids_ = lines.map((l) => (JSON.parse(l) as { finding_info: { uid: string } }).finding_info.uid);
    expect(new Set(ids_).size).toBe(ids_.length);
  });

  it('markdown and HTML: the coverage matrix and links from problems to diagnoses', () => {
    const md = renderScanMarkdown(result);
    expect(md).toContain('### Coverage');
    expect(md).toContain(`| ${ids.empty} \\(empty\\) | ✗ | ✓ | ✗ |`);
    expect(md).not.toMatch(/\| healthy \| healthy \|/);
    const anchor = anchorOf(ids.stopped!, `arn:aws:cloudtrail:us-west-2:${ids.stopped}:trail/paused`);
    expect(md).toContain(`](#${anchor})`);
    expect(md).toContain(`<a id="${anchor}"></a>`);
    const page = renderScanHtml(result);
    expect(page).toContain(`href="#${anchor}"`);
    expect(page).toContain(`id="${anchor}"`);
    expect(page).not.toMatch(/<script/i);
  });

  it('every call the scan sent is allowed by `policy --scan`, and AssumeRole only in the management policy', () => {
    const p = scanPolicies() as unknown as Record<string, { Statement: { Action: string | string[] }[] }>;
    const actions = (doc: { Statement: { Action: string | string[] }[] }) => new Set(doc.Statement.flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action])));
    const management = actions(p.ManagementAccount!);
    expect(calls).toEqual(expect.arrayContaining(['ec2:DescribeRegions', 'organizations:ListAccounts', 'sts:AssumeRole', 'cloudtrail:DescribeTrails']));
    expect(calls.filter((c) => !management.has(c))).toEqual([]);
    const member = actions(p.MemberAccountRole!);
    expect(calls.filter((c) => !member.has(c))).toEqual(['organizations:ListAccounts', 'sts:AssumeRole']);
  });

  it('--deep adds the audit-gap fallback for a trail the first pass finds healthy (event history read), and stays healthy', async () => {
    const before = made.length;
    const deep = await runScan(request({ accounts: [ids.healthy!], deep: true }));
    const deepCalls = made.slice(before).flatMap((c) => c.calls.map((x) => `${x.service}:${x.operation}`));
    expect(deep.accounts[0]!.trails[0]).toMatchObject({ verdict: 'healthy' });
    expect(deep.scope.deep).toBe(true);
    // the first pass reads no log file bodies; the gap engine reads event history first, and this
    // world's event history is empty, so no log file can hold a missing event and none is read
    expect(deepCalls.filter((c) => c === 'cloudtrail:LookupEvents').length).toBeGreaterThan(0);
    expect(deepCalls).not.toContain('s3:GetObject');
    expect(calls).not.toContain('s3:GetObject');
  }, 120_000);
});
