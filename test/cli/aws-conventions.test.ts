import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMoto, skipWithoutMoto, type Moto } from '../support/moto.js';
import { ensureBuilt, runCli, type CliResult } from '../support/cli.js';
import { SCENARIOS } from '../../src/demo/scenarios.js';
import { serializeEvidence } from '../../src/evidence/file.js';

/**
 * AWS CLI conventions, as a user meets them: the built CLI spawned with temporary AWS config and
 * credentials files (and no AWS_* variables unless a test sets them) against moto's server.
 */
const skip = skipWithoutMoto('AWS CLI conventions (moto)');
const CLOSED = 'http://127.0.0.1:9';
const SECRET = 'wJalrXUtnFEMI-not-a-real-secret';
const SESSION = 'FwoGZXIvYXdzEXAMPLEsessiontoken';

/** No AWS_* at all from the harness: only what each test puts in its files and env. */
const CLEAN = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined };

function expectOneLineExit2(r: CliResult, pattern: RegExp) {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

describe.skipIf(skip)('AWS CLI conventions against moto', () => {
  let moto: Moto;
  let dir: string;
  let env: Record<string, string | undefined>;
  const counter = () => (existsSync(join(dir, 'process.count')) ? readFileSync(join(dir, 'process.count'), 'utf8').trim().split('\n').length : 0);

  beforeAll(async () => {
    ensureBuilt();
    moto = await startMoto();
    dir = mkdtempSync(join(tmpdir(), 'td-awscli-'));
    const helper = (name: string, expiration: string) => {
      const p = join(dir, name);
      writeFileSync(
        p,
        `#!/bin/sh\necho run >> ${join(dir, 'process.count')}\necho '{"Version":1,"AccessKeyId":"AKIAPROCESSEXAMPLE","SecretAccessKey":"${SECRET}","SessionToken":"${SESSION}","Expiration":"${expiration}"}'\n`,
      );
      chmodSync(p, 0o755);
      return p;
    };
    const fresh = helper('creds.sh', new Date(Date.now() + 3_600_000).toISOString());
    const stale = helper('stale.sh', '2020-01-01T00:00:00Z');
    writeFileSync(
      join(dir, 'config'),
      [
        '[profile dev]',
        'region = eu-west-3',
        `endpoint_url = ${moto.endpoint}`,
        '[profile viaservices]',
        'region = eu-west-1',
        'services = emulator',
        '[services emulator]',
        'sts =',
        `  endpoint_url = ${moto.endpoint}`,
        'cloudtrail =',
        `  endpoint_url = ${moto.endpoint}`,
        'health =',
        `  endpoint_url = ${moto.endpoint}`,
        '[profile unreachable]',
        'region = eu-west-1',
        `endpoint_url = ${CLOSED}`,
        '[profile ops]',
        'role_arn = arn:aws:iam::123456789012:role/trail-doctor-ops',
        'role_session_name = oncall',
        'source_profile = dev',
        'region = us-east-2',
        `endpoint_url = ${moto.endpoint}`,
        '[profile helper]',
        'region = eu-west-1',
        `endpoint_url = ${moto.endpoint}`,
        `credential_process = ${fresh}`,
        '[profile expired]',
        'region = eu-west-1',
        `endpoint_url = ${moto.endpoint}`,
        `credential_process = ${stale}`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'credentials'),
      ['[dev]', 'aws_access_key_id = AKIADEVEXAMPLE', `aws_secret_access_key = ${SECRET}`, '[viaservices]', 'aws_access_key_id = AKIASVCEXAMPLE', `aws_secret_access_key = ${SECRET}`, '[unreachable]', 'aws_access_key_id = AKIAX', `aws_secret_access_key = ${SECRET}`, ''].join('\n'),
    );
    env = { ...CLEAN, HOME: dir, AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') };
  }, 60_000);

  afterAll(async () => {
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const diagnose = (args: string[], extra: Record<string, string | undefined> = {}) =>
    runCli(['diagnose', '--trail', 'main', '--since', '1h', '--gaps', 'never', ...args], { ...env, ...extra });

  it('the region and endpoint_url of the profile, with --profile exactly as with AWS_PROFILE; --output json is --format json', async () => {
    for (const r of [await diagnose(['--profile', 'dev', '--output', 'json']), await diagnose(['--output', 'json'], { AWS_PROFILE: 'dev' })]) {
      expect(r.stderr).toBe('');
      const report = JSON.parse(r.stdout) as { trail: { region: string }; verdict: string; rootCauses: { id: string }[] };
      expect(report.trail.region).toBe('eu-west-3');
      expect(report.rootCauses[0]?.id).toBe('trail-not-found');
    }
  }, 60_000);

  it('AWS_REGION and AWS_DEFAULT_REGION come before the profile; --region before all', async () => {
    const region = async (args: string[], extra: Record<string, string>) => (JSON.parse((await diagnose(['--profile', 'dev', '--format', 'json', ...args], extra)).stdout) as { trail: { region: string } }).trail.region;
    expect(await region([], { AWS_DEFAULT_REGION: 'ca-central-1' })).toBe('ca-central-1');
    expect(await region([], { AWS_REGION: 'sa-east-1', AWS_DEFAULT_REGION: 'ca-central-1' })).toBe('sa-east-1');
    expect(await region(['--region', 'ap-south-1'], { AWS_REGION: 'sa-east-1' })).toBe('ap-south-1');
  }, 60_000);

  it('a services section of the profile gives per-service endpoints; --endpoint-url overrides every configured one', async () => {
    const viaServices = await diagnose(['--profile', 'viaservices', '--format', 'json']);
    expect(viaServices.stderr).toBe('');
    expect(JSON.parse(viaServices.stdout).trail.region).toBe('eu-west-1');
    // The profile points at a closed port; the flag wins.
    const overridden = await diagnose(['--profile', 'unreachable', '--endpoint-url', moto.endpoint, '--format', 'json']);
    expect(overridden.code).toBe(1);
    expect(overridden.stderr).toBe('');
    const notOverridden = await diagnose(['--profile', 'unreachable']);
    expectOneLineExit2(notOverridden, /could not reach AWS STS at http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)/);
  }, 90_000);

  it('an assume-role profile with source_profile assumes the role through the profile’s endpoint', async () => {
    const r = await runCli(['collect', '--trail', 'main', '--since', '1h', '--profile', 'ops', '--no-integrity', '--debug'], env);
    expect(r.stderr.split('\n')[0]).toMatch(/^trail-doctor: debug: sts\.AssumeRole  us-east-2  HTTP 200 /);
    const evidence = JSON.parse(r.stdout) as { target: { region: string; profile?: string }; steps: { s1: { caller: { status: string; value?: { arn: string } } } }; calls: { operation: string; startedAt: number }[] };
    // The role is assumed first; the identity check is the first call on its credentials (the
    // trail's read goes out in the same round trip, so the log, in order of answers, may list it first).
    const bySending = [...evidence.calls].sort((a, b) => a.startedAt - b.startedAt).map((c) => c.operation);
    expect(bySending.slice(0, 2)).toEqual(['AssumeRole', 'GetCallerIdentity']);
    expect(evidence.target).toMatchObject({ region: 'us-east-2', profile: 'ops' });
    expect(evidence.steps.s1.caller.status).toBe('ok');
    expect(evidence.steps.s1.caller.value?.arn).toMatch(/:assumed-role\/trail-doctor-ops\/oncall$/);
  }, 60_000);

  it('a credential_process runs exactly once per run, shared by every client; --debug lists the calls without secrets', async () => {
    rmSync(join(dir, 'process.count'), { force: true });
    // Environment keys as well: --profile still wins, and the SDK's "multiple credential sources" warning stays away.
    const r = await diagnose(['--profile', 'helper', '--debug', '--gaps', 'auto'], { AWS_ACCESS_KEY_ID: 'AKIAENVEXAMPLE', AWS_SECRET_ACCESS_KEY: SECRET });
    expect(counter()).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const l of lines) expect(l).toMatch(/^trail-doctor: debug: [a-z]+\.[A-Za-z]+  [a-z0-9-]+  (HTTP \d{3}|no answer)  \d+ ms  retries \d+/);
    expect(r.stderr).toMatch(/^trail-doctor: debug: sts\.GetCallerIdentity  eu-west-1  HTTP 200  \d+ ms  retries 0  request-id \S+$/m);
    expect(r.stderr).toMatch(/cloudtrail\.GetTrail  eu-west-1  HTTP 400 .*error TrailNotFoundException/);
    expect(r.stderr.match(/sts\.GetCallerIdentity/g)).toHaveLength(1);
    for (const secret of [SECRET, SESSION, 'AKIAPROCESSEXAMPLE', 'Authorization', 'Signature']) expect(r.stderr).not.toContain(secret);
    expect(r.stderr).not.toMatch(/multiple credential sources/i);
  }, 60_000);

  it('the evidence file keeps the same call log as --debug', async () => {
    const r = await runCli(['collect', '--trail', 'main', '--since', '1h', '--profile', 'dev', '--no-integrity', '--debug'], env);
    const evidence = JSON.parse(r.stdout) as { calls?: { service: string; operation: string; region: string; httpStatus?: number; startedAt: number }[] };
    const debugLines = r.stderr.trim().split('\n').filter((l) => l.includes('debug:'));
    expect(evidence.calls?.length).toBe(debugLines.length);
    // The same calls in the same order (the order of their answers).
    expect(evidence.calls?.map((c) => `${c.service}.${c.operation}`)).toEqual(debugLines.map((l) => /debug: (\S+)/.exec(l)?.[1]));
    const first = [...(evidence.calls ?? [])].sort((a, b) => a.startedAt - b.startedAt)[0];
    expect(first).toMatchObject({ service: 'sts', operation: 'GetCallerIdentity', region: 'eu-west-3', httpStatus: 200 });
    expect(JSON.stringify(evidence.calls)).not.toContain(SECRET);
  }, 60_000);

  it('unknown profile, no credentials, expired credentials: one line, exit 2, before any diagnosis', async () => {
    expectOneLineExit2(await diagnose(['--profile', 'nosuch', '--region', 'eu-west-1']), /^trail-doctor: the config profile \(nosuch\) could not be found in ~\/config and ~\/credentials/);
    expectOneLineExit2(await diagnose(['--region', 'eu-west-1'], { AWS_PROFILE: 'nosuch' }), /the config profile \(nosuch\) \(from AWS_PROFILE\) could not be found/);
    expectOneLineExit2(await diagnose(['--region', 'eu-west-1', '--endpoint-url', moto.endpoint]), /^trail-doctor: no AWS credentials found: .*profile default in ~\/config and ~\/credentials/);
    expectOneLineExit2(await diagnose(['--profile', 'expired']), /^trail-doctor: the credential_process of profile expired returned expired credentials/);
  }, 60_000);

  it('a region typo ends the run with a suggestion; a missing region names the profile', async () => {
    expectOneLineExit2(await diagnose(['--profile', 'dev', '--region', 'eu-wset-1']), /^trail-doctor: --region: "eu-wset-1" is not an AWS region \(did you mean eu-west-1\?\)$/);
    expectOneLineExit2(await diagnose(['--profile', 'dev'], { AWS_REGION: 'us-est-1' }), /^trail-doctor: AWS_REGION: "us-est-1" is not an AWS region \(did you mean us-east-1 or us-west-1\?\)$/);
    expectOneLineExit2(await diagnose([], { AWS_ACCESS_KEY_ID: 'AKIAENVEXAMPLE', AWS_SECRET_ACCESS_KEY: SECRET }), /^trail-doctor: no region: pass --region, set AWS_REGION, or set region in profile default of \S+config, or use a trail ARN$/);
  }, 60_000);

  it('an offline replay reads no AWS configuration (AWS_PROFILE naming a profile this machine lacks is fine)', async () => {
    const file = join(dir, 'evidence.json');
    writeFileSync(file, serializeEvidence(SCENARIOS.find((s) => s.id === 'healthy')!.evidence()));
    const r = await runCli(['diagnose', '--evidence', file, '--output', 'json'], { ...env, AWS_PROFILE: 'nosuch' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).verdict).toBe('healthy');
    expect(r.code).toBe(0);
  });

  it('--output is accepted on every command that has --format, and a conflict is refused', async () => {
    const demo = await runCli(['demo', 'healthy', '--output', 'json'], env);
    expect(JSON.parse(demo.stdout).verdict).toBe('healthy');
    const conflict = await runCli(['demo', 'healthy', '--output', 'json', '--format', 'text'], env);
    expectOneLineExit2(conflict, /--output json and --format text disagree/);
  }, 60_000);
});
