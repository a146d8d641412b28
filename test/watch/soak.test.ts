import { describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Watcher } from '../../src/watch/watcher.js';
import { WatchMetrics } from '../../src/watch/metrics.js';
import { silentLogger } from '../../src/watch/log.js';
import type { Report } from '../../src/report/model.js';
import { ACCOUNT, BUCKET, FakeAccount, logKey, REGION, TRAIL_ARN } from './fake-account.js';
import { webhook } from './payloads.js';

/**
 * Days of light checks against the in-memory stand-in on a fake clock (one check a minute), with an
 * alert now and then: the watcher's heap must stay flat. The stand-in forgets keys older than two
 * days so that only the watcher's own memory is measured.
 */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const report = (n: number): Report =>
  ({
    schemaVersion: 1,
    tool: { name: 'trail-doctor', version: '0' },
    generatedAt: new Date(n).toISOString(),
    trail: { name: 'main', arn: TRAIL_ARN, region: REGION },
    window: { start: '', end: '' },
    verdict: 'problem',
    rootCauses: [{ id: n % 2 ? 'logging-stopped' : 's3-bucket-policy-denies', confidence: 'confirmed', severity: 'critical', title: '', summary: 'x'.repeat(2_000), evidence: [], remediation: { summary: '', commands: [] } }],
    steps: [],
    unverified: [],
  }) as unknown as Report;

describe('watch soak (fake clock)', () => {
  it('6000 checks (over four days, across midnights) and 60 alerts: heap, state and exposition stay flat', async () => {
    const fake = new FakeAccount();
    fake.keepListings = false;
    fake.streams = [{ logStreamName: `${ACCOUNT}_CloudTrail_${REGION}` }];
    let now = Date.UTC(2026, 10, 24, 20, 0);
    const metrics = new WatchMetrics({ processMetrics: false });
    let diagnosed = 0;
    const w = new Watcher({
      source: { list: async () => [{ account: ACCOUNT, region: REGION, trailArn: TRAIL_ARN, clients: fake.clients(), trail: { Name: 'main', TrailARN: TRAIL_ARN, HomeRegion: REGION, S3BucketName: BUCKET, CloudWatchLogsLogGroupArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:g:*` } }] },
      metrics,
      logger: silentLogger,
      intervalMs: 60_000,
      maxDiagnosesPerHour: 6,
      now: () => now,
      diagnose: async () => report(diagnosed++),
    });
    await w.refresh();
    const iteration = async (i: number) => {
      now += 60_000;
      // A delivery every five minutes, with an hour's silence every day.
      if (i % 5 === 0 && (now / 3_600_000) % 24 >= 1) fake.putKey(logKey(now, `K${String(i).padStart(15, '0')}`));
      if (fake.keys.length > 2 * 288) fake.keys.splice(0, fake.keys.length - 2 * 288);
      fake.streams[0]!.lastEventTimestamp = now - 30_000;
      fake.status = { IsLogging: true, ...(i % 700 < 20 ? { LatestDeliveryError: `AccessDenied` } : {}) };
      await w.checkAll();
      if (i % 100 === 0) w.onWebhook(webhook([{ status: 'firing', labels: { alertname: 'CloudTrailEventsMissing', trail_arn: TRAIL_ARN, region: REGION } }]) as never);
      await new Promise((r) => setImmediate(r));
    };
    for (let i = 0; i < 1_000; i++) await iteration(i);
    const before = heap();
    const textBefore = (await metrics.render()).length;
    for (let i = 1_000; i < 6_000; i++) await iteration(i);
    const after = heap();
    const textAfter = (await metrics.render()).length;
    expect(w.rounds).toBe(6_000);
    expect(diagnosed).toBeGreaterThanOrEqual(50);
    // The exposition has the same series, whatever the number of checks (counters only grow in digits).
    expect(Math.abs(textAfter - textBefore)).toBeLessThan(200);
    // Flat: well under a kilobyte a check would still be 5 MB; allow 2 MB of noise for 5000 checks.
    expect(after - before, `heap grew by ${((after - before) / 1e6).toFixed(2)} MB over 5000 checks`).toBeLessThan(2_000_000);
    console.log(`watch soak: heap ${((before / 1e6).toFixed(1))} MB → ${(after / 1e6).toFixed(1)} MB over 5000 checks`);
  }, 120_000);
});
