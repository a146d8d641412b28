import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipWithoutMoto, type Moto } from '../support/moto.js';
import { startMotoAccount, trailStatusWith, type MotoAccount } from '../support/moto-account.js';
import { awsJsonError, type Standin } from '../support/standin.js';
import { eventHistory } from '../support/event-history.js';
import { runCli } from '../support/cli.js';
import { ACCOUNT, record, seedAccount, stopLogging, expireLogsAfter } from './seed.js';

/**
 * `trail-doctor diagnose` end to end, on the wire: the built CLI as a separate process against moto's
 * server, behind a stand-in that adds what moto lacks (event history, Health, delivery errors).
 */
const skip = skipWithoutMoto('diagnose end-to-end (moto)');
const REGION = 'eu-west-1';
const TRAIL = 'main';
const BUCKET = 'acme-trail-logs';

interface Report {
  verdict: string;
  rootCauses: { id: string; confidence: string; trigger?: { eventName: string; actor?: string } }[];
  steps: { step: number; status: string }[];
  unverified: { step: number; needs: string }[];
}

describe.skipIf(skip)('diagnose against moto', () => {
  let account: MotoAccount;
  let moto: Moto;
  let standin: Standin;
  const statusExtra: Record<string, unknown> = {};
  let history: Record<string, unknown>[] = [];

  beforeAll(async () => {
    ({ moto, standin } = account = await startMotoAccount({
      // moto never reports delivery errors: merge injected ones into its real answer.
      'CloudTrail_20131101.GetTrailStatus': trailStatusWith(statusExtra),
      'CloudTrail_20131101.LookupEvents': (b, ctx) => eventHistory(history)(b, ctx),
    }));
  });
  afterAll(async () => {
    await account?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    for (const k of Object.keys(statusExtra)) delete statusExtra[k];
    history = [];
  });

  const diagnose = async (...extra: string[]) => {
    const r = await runCli(['diagnose', '--trail', TRAIL, '--region', REGION, '--endpoint-url', standin.endpoint, '--since', '6h', '--format', 'json', ...extra]);
    let report: Report | undefined;
    try {
      report = JSON.parse(r.stdout) as Report;
    } catch {
      throw new Error(`no JSON on stdout (exit ${r.code}): ${r.stdout.slice(0, 500)} / stderr: ${r.stderr.slice(0, 2000)}`);
    }
    return { ...r, report };
  };

  it('a healthy trail delivering every five minutes is healthy (exit 0), despite moto lacking Health and metrics', async () => {
    await seedAccount({ endpoint: moto.endpoint, region: REGION, trail: TRAIL, bucket: BUCKET, now: new Date(), hours: 6 });
    const { code, report, stderr } = await diagnose();
    expect(report.verdict, stderr).toBe('healthy');
    expect(code).toBe(0);
    expect(report.rootCauses[0]?.id).toBe('healthy');
    expect(report.steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // stdout is a single JSON document: nothing else (no progress) when it is not a TTY
    expect(stderr).not.toMatch(/\bat .+\.js:\d+/);
  });

  it('a bucket policy that lost the CloudTrail grant is s3-bucket-policy-denies, triggered by the PutBucketPolicy before delivery stopped', async () => {
    const now = new Date();
    // The policy grants the old prefix only; files stop 60 minutes ago; bob changed the policy 62 minutes ago.
    const seeded = await seedAccount({ endpoint: moto.endpoint, region: REGION, trail: TRAIL, bucket: BUCKET, now, hours: 6, bucketPolicy: 'wrong-prefix', silences: [[60, 0]] });
    // As AWS reports it: the last successful delivery, and a failing attempt a minute ago.
    // (moto itself stamps LatestDeliveryTime with "now" on every call.)
    Object.assign(statusExtra, {
      LatestDeliveryError: 'AccessDenied',
      LatestDeliveryTime: seeded.lastDelivery!.getTime() / 1000,
      LatestDeliveryAttemptTime: (now.getTime() - 60_000) / 1000,
    });
    const change = record(REGION, new Date(now.getTime() - 62 * 60_000), 'PutBucketPolicy', {
      eventSource: 's3.amazonaws.com',
      readOnly: false,
      userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/bob`, accountId: ACCOUNT, userName: 'bob' },
      sourceIPAddress: '203.0.113.7',
      requestParameters: { bucketName: BUCKET, bucketPolicy: { Version: '2012-10-17' } },
    });
    history = [change];
    const { code, report } = await diagnose();
    expect(report.verdict).toBe('problem');
    expect(code).toBe(1);
    const top = report.rootCauses[0]!;
    expect(top.id).toBe('s3-bucket-policy-denies');
    expect(top.trigger?.eventName).toBe('PutBucketPolicy');
    expect(top.trigger?.actor).toContain('user/bob');
  });

  it('a deleted bucket is s3-bucket-missing even though GetTrailStatus shows no delivery error', async () => {
    await seedAccount({ endpoint: moto.endpoint, region: REGION, trail: TRAIL, bucket: BUCKET, now: new Date(), hours: 2, deleteBucket: true });
    const { code, report } = await diagnose();
    expect(code).toBe(1);
    expect(report.rootCauses[0]?.id).toBe('s3-bucket-missing');
  });

  it('a stopped trail is logging-stopped', async () => {
    await seedAccount({ endpoint: moto.endpoint, region: REGION, trail: TRAIL, bucket: BUCKET, now: new Date(), hours: 2 });
    await stopLogging(moto.endpoint, REGION, TRAIL);
    const { code, report } = await diagnose();
    expect(code).toBe(1);
    expect(report.rootCauses[0]?.id).toBe('logging-stopped');
  });

  it('a lifecycle rule expiring the logs is reported as logs-expired-by-lifecycle', async () => {
    await seedAccount({ endpoint: moto.endpoint, region: REGION, trail: TRAIL, bucket: BUCKET, now: new Date(), hours: 2 });
    await expireLogsAfter(moto.endpoint, REGION, BUCKET, 1);
    const { report } = await diagnose('--since', '7d');
    expect(report.rootCauses.map((c) => c.id)).toContain('logs-expired-by-lifecycle');
  });

  it('an unknown trail is trail-not-found (exit 1)', async () => {
    await seedAccount({ endpoint: moto.endpoint, region: REGION, trail: TRAIL, bucket: BUCKET, now: new Date(), hours: 1 });
    const r = await runCli(['diagnose', '--trail', 'mian', '--region', REGION, '--endpoint-url', standin.endpoint, '--format', 'json']);
    const report = JSON.parse(r.stdout) as Report;
    expect(r.code).toBe(1);
    expect(report.rootCauses[0]?.id).toBe('trail-not-found');
  });

  it('a permission trail-doctor lacks becomes unverified evidence with the action that would show it', async () => {
    await seedAccount({ endpoint: moto.endpoint, region: REGION, trail: TRAIL, bucket: BUCKET, now: new Date(), hours: 2 });
    standin.overrides['CloudTrail_20131101.GetEventSelectors'] = () =>
      awsJsonError('AccessDeniedException', 'User: arn:aws:iam::123456789012:user/oncall is not authorized to perform: cloudtrail:GetEventSelectors', 400);
    try {
      const { report } = await diagnose();
      expect(report.unverified.map((u) => u.needs).join(' ')).toContain('cloudtrail:GetEventSelectors');
      expect(report.verdict).toBe('inconclusive');
    } finally {
      delete standin.overrides['CloudTrail_20131101.GetEventSelectors'];
    }
  });

  it('collect writes evidence that diagnose --evidence replays offline to the same verdict', async () => {
    await seedAccount({ endpoint: moto.endpoint, region: REGION, trail: TRAIL, bucket: BUCKET, now: new Date(), hours: 2, bucketPolicy: 'none' });
    const dir = mkdtempSync(join(tmpdir(), 'td-e2e-'));
    const file = join(dir, 'evidence.json');
    const c = await runCli(['collect', '--trail', TRAIL, '--region', REGION, '--endpoint-url', standin.endpoint, '--since', '6h', '--out', file]);
    expect(c.code, c.stderr).toBe(0);
    const evidence = JSON.parse(readFileSync(file, 'utf8')) as { schemaVersion: number };
    expect(evidence.schemaVersion).toBe(1);
    const live = await diagnose();
    // No AWS endpoint at all for the replay: it must not need one.
    const replay = await runCli(['diagnose', '--evidence', file, '--format', 'json'], { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
    const r = JSON.parse(replay.stdout) as Report;
    expect(r.verdict).toBe(live.report.verdict);
    expect(r.rootCauses.map((x) => x.id)).toEqual(live.report.rootCauses.map((x) => x.id));
    expect(r.rootCauses[0]?.id).toBe('s3-bucket-policy-denies');
  });
});
