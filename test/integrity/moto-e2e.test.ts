import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { startMoto, skipWithoutMoto, useMotoCredentials, type Moto } from '../support/moto.js';
import { startStandin, type Standin } from '../support/standin.js';
import { run } from '../../src/cli/main.js';
import { register } from '../../src/cli/validate.js';
import { createClients } from '../../src/aws/clients.js';
import type { CliContext } from '../../src/cli/context.js';
import { buildChain, makeKey, type BuiltChain, type FixtureKey, type Store } from './fixtures.js';
import { ensureBuilt, runCli } from '../support/cli.js';
import { awsCli, awsCliEnv, deleteObject, listPublicKeysOverride, MOTO_ACCOUNT, putAll, runProcess, s3For, seedMoto, summaryLines, verdictLines } from './moto-seed.js';

/**
 * The whole `validate` command against moto's server on the wire (S3 + CloudTrail DescribeTrails),
 * with ListPublicKeys answered by the stand-in; then the same tampered chain through
 * `aws cloudtrail validate-logs`, comparing every verdict.
 */
const skip = skipWithoutMoto('validate e2e (moto)');
const cli = awsCli();
if (!skip && !cli.available) console.warn(`\n!!! validate vs AWS CLI: SKIPPED — ${cli.reason} (CI needs the AWS CLI: Debian package awscli or pip awscli >= 1.29) !!!\n`);

const ARN = `arn:aws:cloudtrail:us-east-1:${MOTO_ACCOUNT}:trail/test-trail`;
const WINDOW = ['--start', '2026-01-10T00:00:00Z', '--end', '2026-01-10T06:00:00Z'];

describe.skipIf(skip)('trail-doctor validate against moto', () => {
  let moto: Moto;
  let standin: Standin;
  let key: FixtureKey;
  let chain: BuiltChain;
  const store: Store = new Map();

  beforeAll(async () => {
    useMotoCredentials();
    key = makeKey();
    moto = await startMoto();
    standin = await startStandin({ upstream: moto.endpoint, overrides: listPublicKeysOverride([key]) });
    chain = buildChain(store, { bucket: 'ct-bucket', prefix: 'pfx', account: MOTO_ACCOUNT, region: 'us-east-1', trail: 'test-trail', firstStart: new Date('2026-01-10T00:01:31Z'), digests: 4, logsPerDigest: 2, key });
    await seedMoto(moto.endpoint, store, { name: 'test-trail', bucket: 'ct-bucket', prefix: 'pfx' });
  });
  afterAll(async () => {
    await standin?.stop();
    await moto?.stop();
  });

  async function ours(args: string[]) {
    const out = new PassThrough();
    const err = new PassThrough();
    let stdout = '';
    let stderr = '';
    out.on('data', (d: Buffer) => (stdout += d.toString()));
    err.on('data', (d: Buffer) => (stderr += d.toString()));
    const ctx: CliContext = { stdout: out, stderr: err, env: { ...process.env }, now: () => new Date('2026-01-10T05:00:00Z'), makeClients: createClients, exitCode: 0 };
    const code = await run(['validate', '--trail', ARN, ...WINDOW, '--region', 'us-east-1', '--endpoint-url', standin.endpoint, ...args], ctx, [register]);
    return { code, stdout, stderr };
  }

  it('validates a good chain on the wire (ListPublicKeys via the stand-in, Value base64 → Uint8Array)', async () => {
    const r = await ours(['--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.summary.digests).toEqual({ valid: 4, invalid: 0, missing: 0 });
    expect(j.summary.logs).toEqual({ valid: 8, invalid: 0, missing: 0, unlisted: 0 });
    expect(standin.counts.get('CloudTrail_20131101.ListPublicKeys')).toBe(1);
  });

  describe('a tampered chain', () => {
    beforeAll(async () => {
      const s3 = s3For(moto.endpoint);
      const tampered: Store = new Map();
      const l1 = chain.logs[0]!;
      tampered.set(`ct-bucket/${l1.key}`, { body: gzipSync(Buffer.concat([l1.raw.subarray(0, -2), Buffer.from(' ]}')])), metadata: {} });
      const d3 = chain.digests[2]!;
      const json = structuredClone(d3.json);
      (json.logFiles as unknown[]).pop();
      tampered.set(`ct-bucket/${d3.key}`, { body: gzipSync(JSON.stringify(json)), metadata: store.get(`ct-bucket/${d3.key}`)!.metadata });
      await putAll(s3, tampered);
      s3.destroy();
      await deleteObject(moto.endpoint, 'ct-bucket', chain.logs[7]!.key); // a log of D4
      await deleteObject(moto.endpoint, 'ct-bucket', chain.digests[1]!.key); // D2
    });

    it('reports each tampering with the CLI wording and exits 1', async () => {
      const r = await ours(['--verbose']);
      expect(r.code).toBe(1);
      const v = verdictLines(r.stdout + r.stderr);
      const s3url = (k: string) => `s3://ct-bucket/${k}`;
      expect(v.get(s3url(chain.logs[0]!.key))).toBe("INVALID: hash value doesn't match");
      expect(v.get(s3url(chain.logs[7]!.key))).toBe('INVALID: not found');
      expect(v.get(s3url(chain.digests[2]!.key))).toBe('INVALID: signature verification failed');
      // D2, deleted right behind the invalid D3, is not in the listing: the CLI never reports it (§5.3)
      expect(v.has(s3url(chain.digests[1]!.key))).toBe(false);
      expect(summaryLines(r.stdout)).toEqual([
        'Results requested for 2026-01-10T00:00:00Z to 2026-01-10T06:00:00Z',
        'Results found for 2026-01-10T00:01:31Z to 2026-01-10T04:01:31Z:',
        '2/3 digest files valid, 1/3 digest files INVALID',
        '2/4 log files valid, 2/4 log files INVALID',
      ]);
    });

    it('the compiled CLI as shipped (hashing threads, lean signed GETs) gives the same verdicts and exit code', async () => {
      ensureBuilt();
      const args = ['validate', '--trail', ARN, ...WINDOW, '--region', 'us-east-1', '--endpoint-url', standin.endpoint, '--verbose'];
      const [shipped, inProcess] = await Promise.all([runCli([...args, '--hash-threads', '2']), ours(['--verbose'])]);
      expect(shipped.code).toBe(1);
      expect(Object.fromEntries(verdictLines(shipped.stdout + shipped.stderr))).toEqual(Object.fromEntries(verdictLines(inProcess.stdout + inProcess.stderr)));
      expect(summaryLines(shipped.stdout)).toEqual(summaryLines(inProcess.stdout));
      const json = await runCli([...args, '--format', 'json']);
      expect(JSON.parse(json.stdout).summary).toMatchObject({ digests: { valid: 2, invalid: 1, missing: 0 }, logs: { valid: 2, invalid: 1, missing: 1 } });
    });

    it.skipIf(!cli.available)(`gives the same verdicts as aws cloudtrail validate-logs (${cli.version ?? 'not installed'})`, async () => {
      const theirs = await runProcess(
        'aws',
        ['cloudtrail', 'validate-logs', '--trail-arn', ARN, '--start-time', '2026-01-10T00:00:00Z', '--end-time', '2026-01-10T06:00:00Z', '--verbose', '--region', 'us-east-1'],
        awsCliEnv(standin.endpoint),
        120_000,
      );
      const mine = await ours(['--verbose']);
      const theirVerdicts = verdictLines(theirs.stdout + theirs.stderr);
      expect(theirVerdicts.size, `aws cloudtrail validate-logs printed:\n${theirs.stdout}\n${theirs.stderr}`).toBeGreaterThan(0);
      expect(Object.fromEntries(verdictLines(mine.stdout + mine.stderr))).toEqual(Object.fromEntries(theirVerdicts));
      expect(summaryLines(mine.stdout)).toEqual(summaryLines(theirs.stdout));
      expect(theirs.code).toBe(1);
      expect(mine.code).toBe(1);
    });
  });
});
