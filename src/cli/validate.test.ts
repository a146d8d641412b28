import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { run } from './main.js';
import { register } from './validate.js';
import type { CliContext } from './context.js';
import { buildChain, makeKey, type FixtureKey, type Store } from '../../test/integrity/fixtures.js';
import { fakeAws, trailOf, type FakeAws } from '../../test/integrity/fake-aws.js';

const ACCOUNT = '111122223333';
const ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/test-trail`;
let key: FixtureKey;
let fake: FakeAws | undefined;
beforeAll(() => {
  key = makeKey();
});
afterEach(() => {
  fake?.restore();
  fake = undefined;
});

function sink() {
  const s = new PassThrough();
  let text = '';
  s.on('data', (d: Buffer) => (text += d.toString()));
  return { stream: s, text: () => text };
}

async function cli(argv: string[], mutate?: (store: Store, chain: ReturnType<typeof buildChain>) => void, deny?: (chain: ReturnType<typeof buildChain>) => string) {
  const store: Store = new Map();
  const chain = buildChain(store, { bucket: 'ct-bucket', prefix: 'pfx', account: ACCOUNT, region: 'us-east-1', trail: 'test-trail', firstStart: new Date('2026-01-10T00:01:31Z'), digests: 4, logsPerDigest: 2, key });
  mutate?.(store, chain);
  fake = fakeAws({ store, trails: [trailOf({ account: ACCOUNT, region: 'us-east-1', name: 'test-trail', bucket: 'ct-bucket', prefix: 'pfx' })], keys: [key] });
  if (deny) fake.denied.add(deny(chain));
  const out = sink();
  const err = sink();
  const ctx: CliContext = { stdout: out.stream, stderr: err.stream, env: {}, now: () => new Date('2026-01-10T05:00:00Z'), makeClients: () => fake!.clients, exitCode: 0 };
  const code = await run(['validate', ...argv], ctx, [register]);
  return { code, stdout: out.text(), stderr: err.text(), chain };
}

const WINDOW = ['--start', '2026-01-10T00:00:00Z', '--end', '2026-01-10T06:00:00Z', '--region', 'us-east-1'];

describe('trail-doctor validate (CLI)', () => {
  it('prints the CLI summary and exits 0 on a valid chain', async () => {
    const r = await cli(['--trail', ARN, ...WINDOW]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `Validating log files for trail ${ARN} between 2026-01-10T00:00:00Z and 2026-01-10T06:00:00Z\n\n` +
        'Results requested for 2026-01-10T00:00:00Z to 2026-01-10T06:00:00Z\n' +
        'Results found for 2026-01-10T00:01:31Z to 2026-01-10T04:01:31Z:\n\n4/4 digest files valid\n8/8 log files valid\n',
    );
    expect(r.stderr).toBe('');
  });

  it('--verbose: one line per file; a deleted log goes to stderr and exits 1', async () => {
    const r = await cli(['--trail', 'test-trail', ...WINDOW, '--verbose'], (store, chain) => store.delete(`ct-bucket/${chain.logs[3]!.key}`));
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('Digest file\t') || l.startsWith('Log file\t'))).toHaveLength(4 + 7);
    expect(r.stdout.startsWith(`Validating log files for trail ${ARN} between`)).toBe(true);
    expect(r.stderr).toContain(`Log file\ts3://ct-bucket/${r.chain.logs[3]!.key}\tINVALID: not found\n\n`);
    expect(r.stdout).toContain('4/4 digest files valid\n7/8 log files valid, 1/8 log files INVALID\n');
  });

  it('--format json: summary, chains and (with --verbose) files', async () => {
    const r = await cli(['--trail', ARN, ...WINDOW, '--format', 'json', '--verbose']);
    const j = JSON.parse(r.stdout);
    expect(j.summary).toMatchObject({ digests: { valid: 4, invalid: 0, missing: 0 }, logs: { valid: 8, invalid: 0, missing: 0, unlisted: 0 } });
    expect(j.window).toEqual({ start: '2026-01-10T00:00:00Z', end: '2026-01-10T06:00:00Z' });
    expect(j.chains).toEqual([expect.objectContaining({ account: ACCOUNT, region: 'us-east-1', endReason: 'chain-start' })]);
    expect(j.files).toHaveLength(12);
    const quiet = await cli(['--trail', ARN, ...WINDOW, '--format', 'json']);
    expect(JSON.parse(quiet.stdout).files).toBeUndefined();
  });

  it('bad input exits 2 with one line; AccessDenied exits 3 naming the permission', async () => {
    const bad = await cli(['--trail', ARN, '--start', 'yesterday', '--region', 'us-east-1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^trail-doctor: --start: "yesterday" is not an ISO-8601 time/);
    const conc = await cli(['--trail', ARN, ...WINDOW, '--concurrency', '0']);
    expect(conc.code).toBe(2);
    const unknown = await cli(['--trail', 'no-such-trail', ...WINDOW]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/A trail could not be found for no-such-trail/);
    const denied = await cli(['--trail', ARN, ...WINDOW], undefined, (chain) => chain.digests[2]!.key);
    expect(denied.code).toBe(3);
    expect(denied.stderr).toMatch(/could not check: could not read digest .*AccessDenied.*\(needs s3:GetObject/);
  });
});
