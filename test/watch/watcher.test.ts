import { describe, expect, it } from 'vitest';
import type { Trail } from '@aws-sdk/client-cloudtrail';
import { Watcher } from '../../src/watch/watcher.js';
import { WatchMetrics } from '../../src/watch/metrics.js';
import { silentLogger } from '../../src/watch/log.js';
import type { WatchTarget } from '../../src/watch/source.js';
import { ACCOUNT, BUCKET, FakeAccount, logKey, REGION, sdkError, TRAIL_ARN } from './fake-account.js';

const NOON = Date.UTC(2026, 10, 24, 12);

function setup(fake: FakeAccount, trails: () => Trail[]) {
  let now = NOON;
  const metrics = new WatchMetrics({ processMetrics: false });
  const w = new Watcher({
    source: { list: async () => trails().map((t): WatchTarget => ({ account: ACCOUNT, region: REGION, trailArn: t.TrailARN!, clients: fake.clients(), trail: t })) },
    metrics,
    logger: silentLogger,
    intervalMs: 60_000,
    refreshMs: 3_600_000,
    maxDiagnosesPerHour: 6,
    now: () => now,
    diagnose: async () => {
      throw new Error('not in this test');
    },
  });
  return { w, metrics, tick: (ms: number) => (now += ms) };
}

describe('watcher', () => {
  it('a trail that leaves the source stops being watched and its series go, at the next hourly refresh', async () => {
    const fake = new FakeAccount();
    fake.putKey(logKey(NOON - 5 * 60_000));
    const other = 'arn:aws:cloudtrail:eu-west-1:123456789012:trail/other';
    let list: Trail[] = [
      { Name: 'main', TrailARN: TRAIL_ARN, S3BucketName: BUCKET },
      { Name: 'other', TrailARN: other, S3BucketName: BUCKET },
    ];
    const { w, metrics, tick } = setup(fake, () => list);
    await w.checkAll();
    expect(await metrics.render()).toContain(other);
    list = list.slice(0, 1);
    tick(60_000);
    await w.checkAll();
    expect(await metrics.render()).toContain(other);
    tick(3_600_000);
    await w.checkAll();
    const text = await metrics.render();
    expect(text).not.toContain(other);
    expect(text).toContain(TRAIL_ARN);
    expect(w.trailCount).toBe(1);
  });

  it('a refresh that fails keeps watching the trails it had; a new bucket starts the S3 bookmarks afresh', async () => {
    const fake = new FakeAccount();
    fake.putKey(logKey(NOON - 5 * 60_000));
    let bucket = BUCKET;
    let failing = false;
    const { w, metrics, tick } = setup(fake, () => {
      if (failing) throw sdkError('ThrottlingException');
      return [{ Name: 'main', TrailARN: TRAIL_ARN, S3BucketName: bucket }];
    });
    await w.checkAll();
    failing = true;
    tick(3_600_000);
    await w.checkAll();
    expect(w.trailCount).toBe(1);
    expect(await metrics.render()).toMatch(/trail_doctor_delivery_age_seconds\{[^}]*destination="s3"\} 3900/);
    failing = false;
    bucket = 'new-bucket';
    fake.listings = [];
    tick(60_000);
    await w.checkAll();
    // No bookmark carried over from the old bucket: the listing starts an hour back again.
    expect(fake.listings[0]!.StartAfter).toMatch(/_20261124T1201$/);
  });
});
