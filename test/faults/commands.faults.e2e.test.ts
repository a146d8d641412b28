import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pLimit from 'p-limit';
import { skipWithoutMoto, startMoto, useMotoCredentials, type Moto } from '../support/moto.js';
import { startStandin, type Standin } from '../support/standin.js';
import { ensureBuilt, runCli } from '../support/cli.js';
import { startFaultProxy, type FaultKind } from '../support/fault-proxy.js';
import { stopLogging } from '../e2e/seed.js';
import { buildChain, makeKey, type Store } from '../integrity/fixtures.js';
import { listPublicKeysOverride, MOTO_ACCOUNT, seedMoto } from '../integrity/moto-seed.js';
import { CRASH, REGION, startFaultWorld, strongCauses, TRAIL, type FaultWorld } from './harness.js';

/**
 * The fault guarantees beyond a healthy diagnosis: a real cause survives faults on reads unrelated
 * to it, and `validate` and `gaps` never turn a fault on their own reads into a verdict about the
 * trail (an invalid file, missing events).
 */
const skip = skipWithoutMoto('commands under injected faults (moto)');
const limit = pLimit(3);
const DEADLINE_S = 20;
const KINDS: FaultKind[] = ['server-error', 'denied', 'throttle', 'truncate', 'hang'];

describe.skipIf(skip)('a real cause survives faults on unrelated reads', () => {
  let world: FaultWorld;
  beforeAll(async () => {
    world = await startFaultWorld();
    await stopLogging(world.moto.endpoint, REGION, TRAIL);
  });
  afterAll(async () => {
    await world?.stop();
  });
  const unrelated = ['s3:GetBucketPolicy', 'logs:StartQuery', 'cloudwatch:GetMetricData', 'iam:GetRole', 's3:ListObjectsV2'];
  const cells = unrelated.flatMap((a) => KINDS.map((k) => [a, k] as [string, FaultKind]));
  it.concurrent.each(cells)('logging-stopped is still found with %s answering %s', { timeout: 600_000 }, async (action, kind) => {
    const r = await limit(() =>
      world.run(['diagnose', '--trail', TRAIL, '--region', REGION, '--since', '2h', '--format', 'json', '--timeout', '2', '--deadline', String(DEADLINE_S)], [{ action, kind }]),
    );
    const where = `exit ${r.code} after ${r.wallMs} ms; stderr: ${r.stderr.slice(0, 600)}`;
    expect(r.stderr, where).not.toMatch(CRASH);
    expect(r.code, where).toBe(1);
    expect(strongCauses(r.json)[0], where).toBe('logging-stopped');
    expect(r.wallMs, where).toBeLessThan((DEADLINE_S + 10) * 1000);
  });
});

describe.skipIf(skip)('validate and gaps under faults', () => {
  let moto: Moto;
  let standin: Standin;
  let gapsWorld: FaultWorld;
  const ARN = `arn:aws:cloudtrail:us-east-1:${MOTO_ACCOUNT}:trail/test-trail`;

  beforeAll(async () => {
    ensureBuilt();
    useMotoCredentials();
    const key = makeKey();
    moto = await startMoto();
    standin = await startStandin({ upstream: moto.endpoint, overrides: listPublicKeysOverride([key]) });
    const store: Store = new Map();
    buildChain(store, { bucket: 'ct-bucket', prefix: 'pfx', account: MOTO_ACCOUNT, region: 'us-east-1', trail: 'test-trail', firstStart: new Date('2026-01-10T00:01:31Z'), digests: 4, logsPerDigest: 2, key });
    await seedMoto(moto.endpoint, store, { name: 'test-trail', bucket: 'ct-bucket', prefix: 'pfx' });
    // gaps: every event of event history is in a delivered S3 file (and the trail sends nothing to
    // CloudWatch Logs), so any "missing" would be invented.
    gapsWorld = await startFaultWorld({ hours: 2, cloudWatchLogs: false }, { history: 'delivered' });
  });
  afterAll(async () => {
    await gapsWorld?.stop();
    await standin?.stop();
    await moto?.stop();
  });

  const validateActions = ['cloudtrail:ListPublicKeys', 's3:GetObject', 's3:ListObjectsV2', 'cloudtrail:DescribeTrails'];
  it.concurrent.each(validateActions.flatMap((a) => KINDS.map((k) => [a, k] as [string, FaultKind])))(
    'validate with %s answering %s never calls a good file invalid',
    { timeout: 600_000 },
    async (action, kind) => {
      const r = await limit(async () => {
        const proxy = await startFaultProxy({ upstream: standin.endpoint, rules: [{ action, kind }] });
        const t0 = Date.now();
        try {
          const out = await runCli(['validate', '--trail', ARN, '--start', '2026-01-10T00:00:00Z', '--end', '2026-01-10T06:00:00Z', '--region', 'us-east-1', '--format', 'json', '--timeout', '2', '--deadline', String(DEADLINE_S), '--endpoint-url', proxy.endpoint]);
          return { ...out, wallMs: Date.now() - t0 };
        } finally {
          await proxy.stop();
        }
      });
      const where = `exit ${r.code} after ${r.wallMs} ms; stdout: ${r.stdout.slice(0, 400)}; stderr: ${r.stderr.slice(0, 600)}`;
      expect(r.stderr, where).not.toMatch(CRASH);
      expect([0, 3], where).toContain(r.code);
      expect(() => JSON.parse(r.stdout), where).not.toThrow();
      expect(r.wallMs, where).toBeLessThan((DEADLINE_S + 10) * 1000);
    },
  );

  const GAPS_ARGS = ['gaps', '--trail', TRAIL, '--region', REGION, '--since', '2h', '--format', 'json', '--timeout', '2', '--deadline', String(DEADLINE_S)];

  it('gaps without faults finds nothing missing (exit 0): the baseline the faults are judged against', async () => {
    const r = await gapsWorld.run(GAPS_ARGS, []);
    expect(r.code, r.stdout.slice(0, 600) + r.stderr.slice(0, 600)).toBe(0);
  });

  const gapsActions = ['cloudtrail:LookupEvents', 's3:GetObject', 's3:ListObjectsV2'];
  it.concurrent.each(gapsActions.flatMap((a) => KINDS.map((k) => [a, k] as [string, FaultKind])))(
    'gaps with %s answering %s never reports events missing that were delivered',
    { timeout: 600_000 },
    async (action, kind) => {
      const r = await limit(() =>
        gapsWorld.run(GAPS_ARGS, [{ action, kind }]),
      );
      const where = `exit ${r.code} after ${r.wallMs} ms; stdout: ${r.stdout.slice(0, 400)}; stderr: ${r.stderr.slice(0, 600)}`;
      expect(r.stderr, where).not.toMatch(CRASH);
      expect([0, 3], where).toContain(r.code);
      expect(r.json, where).toBeDefined();
      expect(r.wallMs, where).toBeLessThan((DEADLINE_S + 10) * 1000);
    },
  );
});
