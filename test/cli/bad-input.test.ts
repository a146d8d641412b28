import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, runCli } from '../support/cli.js';

/**
 * Bad input gets one clear line on stderr and exit 2 — never a stack trace, never an AWS call.
 * AWS_ENDPOINT_URL points at a closed port so an accidental call would fail loudly, not reach AWS.
 */
const NO_AWS = { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_REGION: 'eu-west-1' };

function expectCleanUsageError(r: { code: number | null; stdout: string; stderr: string }, pattern: RegExp) {
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack frames
  expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
}

describe('CLI bad input', () => {
  let dir: string;
  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'td-cli-'));
  });

  it('unknown flag', async () => {
    expectCleanUsageError(await runCli(['diagnose', '--trail', 'main', '--bogus'], NO_AWS), /unknown option '--bogus'/);
  });

  it('unknown command', async () => {
    const r = await runCli(['diagnoze'], NO_AWS);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'diagnoze'/);
  });

  it('malformed trail ARN', async () => {
    expectCleanUsageError(await runCli(['diagnose', '--trail', 'arn:aws:cloudtrail:eu-west-1:12345:trail/main'], NO_AWS), /malformed trail ARN/);
  });

  it('invalid trail name', async () => {
    expectCleanUsageError(await runCli(['diagnose', '--trail', 'no spaces allowed'], NO_AWS), /invalid trail name/);
  });

  it('bad region', async () => {
    expectCleanUsageError(await runCli(['diagnose', '--trail', 'main', '--region', 'mars-1'], NO_AWS), /not an AWS region/);
  });

  it('no region anywhere', async () => {
    expectCleanUsageError(await runCli(['diagnose', '--trail', 'main'], { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }), /no region/);
  });

  it('--since garbage', async () => {
    expectCleanUsageError(await runCli(['diagnose', '--trail', 'main', '--since', 'yesterday'], NO_AWS), /--since: "yesterday" is not a duration/);
  });

  it('--start after --end', async () => {
    expectCleanUsageError(
      await runCli(['diagnose', '--trail', 'main', '--start', '2026-11-20T00:00Z', '--end', '2026-11-19T00:00Z'], NO_AWS),
      /window is empty/,
    );
  });

  it('bad --format', async () => {
    expectCleanUsageError(await runCli(['diagnose', '--trail', 'main', '--format', 'yaml'], NO_AWS), /--format: "yaml"/);
  });

  it('missing evidence file', async () => {
    expectCleanUsageError(await runCli(['diagnose', '--evidence', join(dir, 'nope.json')], NO_AWS), /evidence file not found/);
  });

  it('corrupt evidence file', async () => {
    const f = join(dir, 'corrupt.json');
    writeFileSync(f, '{"schemaVersion": 1, "steps": ');
    expectCleanUsageError(await runCli(['diagnose', '--evidence', f], NO_AWS), /not valid JSON/);
  });

  it('evidence of another shape', async () => {
    const f = join(dir, 'other.json');
    writeFileSync(f, JSON.stringify({ schemaVersion: 1, hello: 'world' }));
    expectCleanUsageError(await runCli(['diagnose', '--evidence', f], NO_AWS), /not valid evidence/);
  });

  it('evidence of a future schema version', async () => {
    const f = join(dir, 'future.json');
    writeFileSync(f, JSON.stringify({ schemaVersion: 99 }));
    expectCleanUsageError(await runCli(['diagnose', '--evidence', f], NO_AWS), /schemaVersion 99/);
  });

  it('an escape sequence in bad input is not echoed raw to the terminal', async () => {
    const r = await runCli(['diagnose', '--trail', 'bad\u001b]0;pwned\u0007name'], NO_AWS);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('\u001b');
    expect(r.stderr).not.toContain('\u0007');
  });

  it('unknown demo scenario', async () => {
    expectCleanUsageError(await runCli(['demo', 'no-such-scenario'], NO_AWS), /unknown demo scenario/);
  });
});

describe('CLI offline commands, spawned', () => {
  beforeAll(() => ensureBuilt());

  it('--version and --help exit 0', async () => {
    const v = await runCli(['--version'], NO_AWS);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = await runCli(['--help'], NO_AWS);
    expect(h.code).toBe(0);
    for (const c of ['diagnose', 'collect', 'validate', 'gaps', 'demo', 'policy']) expect(h.stdout).toContain(c);
  });

  it('demo <scenario> prints the report and exits with its verdict code; stdout carries only the report', async () => {
    const r = await runCli(['demo', 'logging-stopped', '--format', 'json'], NO_AWS);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).rootCauses[0].id).toBe('logging-stopped');
    expect(r.stderr).toBe('');
  });

  it('policy prints JSON only', async () => {
    const r = await runCli(['policy'], NO_AWS);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).Version).toBe('2012-10-17');
  });
});
