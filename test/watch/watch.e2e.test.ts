import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { PutBucketPolicyCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CloudWatchLogsClient, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { freePort, MOTO_ENV, skipWithoutMoto, type Moto } from '../support/moto.js';
import { startMotoAccount, trailStatusWith, type MotoAccount } from '../support/moto-account.js';
import type { Standin } from '../support/standin.js';
import { eventHistory } from '../support/event-history.js';
import { BIN, ROOT, runCli } from '../support/cli.js';
import { BINARIES, skipWithout, startAlertmanager, startPrometheus, type Daemon } from '../support/monitoring.js';
import { ACCOUNT, logKey, record, seedAccount } from '../e2e/seed.js';
import { bucketPolicyFor } from '../../src/evidence/builder.js';

/**
 * The whole loop on loopback, with the real components: moto (behind the stand-in that gives
 * GetTrailStatus AWS's realistic delivery fields) with a trail whose log files and log events keep
 * arriving; `trail-doctor watch` (the built CLI) scraped by Debian's Prometheus every second with a
 * copy of the shipped rules with short thresholds; Alertmanager routing to watch's webhook with
 * the shipped route and short waits; a local HTTP sink as --notify-url. Then the bucket policy
 * loses CloudTrail's grant and S3 deliveries stop: the alert fires, Alertmanager posts it, watch
 * diagnoses and posts a verdict naming s3-bucket-policy-denies.
 */
const skip = skipWithoutMoto('watch end-to-end (moto)') || skipWithout('watch end-to-end (Prometheus, Alertmanager)', [BINARIES.prometheus, BINARIES.alertmanager]);
const REGION = 'eu-west-1';
const TRAIL = 'main';
const BUCKET = 'acme-trail-logs';
const TRAIL_ARN = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${TRAIL}`;
const LOG_GROUP = `aws-cloudtrail-logs-${TRAIL}`;
const STREAM = `${ACCOUNT}_CloudTrail_${REGION}`;
/** Key names carry the minute: a healthy trail's S3 age goes up to 60 s plus the feeder's period. */
const TEST_AGE_THRESHOLD_S = 75;

/** The shipped file with `replacements` applied; each must match, so a changed file fails loudly here. */
function testCopy(path: string, replacements: [RegExp, string][]): string {
  let s = readFileSync(join(ROOT, path), 'utf8');
  for (const [re, to] of replacements) {
    expect(re.test(s), `${path}: ${re} no longer matches the shipped file`).toBe(true);
    s = s.replace(re, to);
  }
  return s;
}

interface Posted {
  body: Record<string, unknown>;
}

describe.skipIf(skip)('watch with Prometheus and Alertmanager (end to end)', () => {
  let account: MotoAccount;
  let moto: Moto;
  let standin: Standin;
  let prom: Daemon;
  let am: Daemon;
  let watch: ChildProcess;
  let watchUrl: string;
  let watchErr = '';
  let sink: Server;
  let feeder: NodeJS.Timeout | undefined;
  const posted: Posted[] = [];
  const statusExtra: Record<string, unknown> = {};
  let history: Record<string, unknown>[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'td-watch-e2e-'));
  let s3: S3Client;
  let logs: CloudWatchLogsClient;
  let feedS3 = true;
  let lastFeed = 0;

  const feed = async () => {
    const now = Date.now();
    if (feedS3) {
      const unique = randomUUID().replace(/-/g, '').slice(0, 16);
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: logKey(undefined, ACCOUNT, REGION, new Date(now), unique), Body: gzipSync(JSON.stringify({ Records: [record(REGION, new Date(now - 30_000))] })) }));
      lastFeed = now;
    }
    await logs.send(new PutLogEventsCommand({ logGroupName: LOG_GROUP, logStreamName: STREAM, logEvents: [{ timestamp: now, message: JSON.stringify(record(REGION, new Date(now))) }] }));
  };

  beforeAll(async () => {
    ({ moto, standin } = account = await startMotoAccount({
      'CloudTrail_20131101.GetTrailStatus': trailStatusWith(statusExtra),
      'CloudTrail_20131101.LookupEvents': (b, ctx) => eventHistory(history)(b, ctx),
    }));
    await seedAccount({ endpoint: moto.endpoint, region: REGION, trail: TRAIL, bucket: BUCKET, now: new Date(), hours: 1 });
    const cfg = { region: REGION, endpoint: moto.endpoint, maxAttempts: 2 };
    s3 = new S3Client({ ...cfg, forcePathStyle: true });
    logs = new CloudWatchLogsClient(cfg);
    await feed();
    feeder = setInterval(() => void feed().catch(() => undefined), 2_000);

    sink = createServer((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c.toString()));
      req.on('end', () => {
        try {
          posted.push({ body: JSON.parse(b) as Record<string, unknown> });
        } catch {
          posted.push({ body: { unparsable: b.slice(0, 200) } });
        }
        res.writeHead(200).end('ok');
      });
    });
    const sinkPort = await freePort();
    await new Promise<void>((r) => sink.listen(sinkPort, '127.0.0.1', r));

    const watchPort = await freePort();
    watchUrl = `http://127.0.0.1:${watchPort}`;
    watch = spawn(
      process.execPath,
      [BIN, 'watch', '--trail', TRAIL, '--region', REGION, '--endpoint-url', standin.endpoint, '--interval', '1s', '--listen', `127.0.0.1:${watchPort}`, '--notify-url', `http://127.0.0.1:${sinkPort}/hook`, '--since', '2h', '--log-format', 'json'],
      { cwd: ROOT, env: { PATH: process.env.PATH, HOME: '/nonexistent-home', ...MOTO_ENV, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    watch.stderr!.on('data', (d: Buffer) => {
      if (watchErr.length < 200_000) watchErr += d.toString();
    });
    await waitFor('watch /healthz', async () => (await fetch(`${watchUrl}/healthz`).catch(() => undefined))?.ok === true, 30_000);

    const amConfig = join(dir, 'alertmanager.yml');
    writeFileSync(
      amConfig,
      testCopy('deploy/alertmanager/alertmanager.yml', [
        [/group_wait: 30s/, 'group_wait: 1s'],
        [/group_interval: 5m/, 'group_interval: 1s'],
        [/url: http:\/\/127\.0\.0\.1:9464\/alertmanager/, `url: ${watchUrl}/alertmanager`],
      ]),
    );
    am = await startAlertmanager(amConfig);

    const rules = join(dir, 'rules.yml');
    writeFileSync(
      rules,
      testCopy('deploy/prometheus/trail-doctor-rules.yml', [
        [/destination="s3"\} > 900/, `destination="s3"} > ${TEST_AGE_THRESHOLD_S}`],
        [/for: 5m/g, 'for: 2s'],
        [/for: 1m/g, 'for: 2s'],
      ]),
    );
    const promConfig = join(dir, 'prometheus.yml');
    writeFileSync(
      promConfig,
      JSON.stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [rules],
        alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${am.port}`] }] }] },
        scrape_configs: [{ job_name: 'trail-doctor', static_configs: [{ targets: [`127.0.0.1:${watchPort}`] }] }],
      }),
    );
    prom = await startPrometheus(promConfig);
  }, 90_000);

  afterAll(async () => {
    clearInterval(feeder);
    if (watch && watch.exitCode === null) {
      watch.kill('SIGKILL');
    }
    await Promise.all([prom?.stop(), am?.stop(), standin?.stop(), new Promise<void>((r) => (sink ? sink.close(() => r()) : r()))]);
    await moto?.stop();
    s3?.destroy();
    logs?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const query = async (q: string) => {
    const r = (await (await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    return r.data.result;
  };
  const firing = async () => {
    const r = (await (await fetch(`${prom.url}/api/v1/alerts`)).json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } };
    return r.data.alerts.filter((a) => a.state === 'firing');
  };

  it('a trail that does not exist is bad input: one line, exit 2, nothing left listening', async () => {
    const r = await runCli(['watch', '--trail', 'mian', '--region', REGION, '--endpoint-url', standin.endpoint, '--listen', `127.0.0.1:${await freePort()}`]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^trail-doctor: trail mian was not found in eu-west-1$/);
  });

  it('a healthy trail scrapes as fresh; breaking the bucket policy fires the alert and a verdict naming s3-bucket-policy-denies comes back', async () => {
    const t0 = Date.now();
    // Healthy: Prometheus has the trail's freshness from watch, under the threshold, and nothing fires.
    await waitFor('healthy metrics in Prometheus', async () => {
      const age = await query(`trail_doctor_delivery_age_seconds{trail_arn="${TRAIL_ARN}",destination="s3"}`);
      const logging = await query(`trail_doctor_trail_logging{trail_arn="${TRAIL_ARN}"}`);
      return age.length === 1 && Number(age[0]!.value[1]) < TEST_AGE_THRESHOLD_S && logging[0]?.value[1] === '1';
    }, 30_000);
    const cwl = await query(`trail_doctor_delivery_age_seconds{trail_arn="${TRAIL_ARN}",destination="cloudwatch_logs"}`);
    expect(Number(cwl[0]?.value[1])).toBeLessThan(30);
    expect(cwl[0]?.metric).toMatchObject({ account: ACCOUNT, region: REGION, trail_arn: TRAIL_ARN });
    expect(await firing()).toEqual([]);
    expect(posted).toEqual([]);

    // Break: the policy now grants another prefix only; CloudTrail's S3 deliveries stop, and
    // GetTrailStatus says so as AWS does (an AccessDenied delivery error, the last delivery frozen).
    const breakAt = Date.now();
    feedS3 = false;
    await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: bucketPolicyFor(BUCKET, ACCOUNT, TRAIL_ARN, 'old-prefix') }));
    Object.assign(statusExtra, { LatestDeliveryError: 'AccessDenied', LatestDeliveryTime: lastFeed / 1000, LatestDeliveryAttemptTime: breakAt / 1000 });
    history = [
      record(REGION, new Date(breakAt), 'PutBucketPolicy', {
        eventSource: 's3.amazonaws.com',
        readOnly: false,
        userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/bob`, accountId: ACCOUNT, userName: 'bob' },
        requestParameters: { bucketName: BUCKET, bucketPolicy: { Version: '2012-10-17' } },
      }),
    ];

    await waitFor(
      'CloudTrailEventsMissing firing in Prometheus and a verdict naming s3-bucket-policy-denies at the sink',
      async () => {
        const missing = (await firing()).some((a) => a.labels.alertname === 'CloudTrailEventsMissing' && a.labels.trail_arn === TRAIL_ARN);
        const verdict = posted.some((p) => (p.body.rootCauses as { id: string }[] | undefined)?.some((c) => c.id === 's3-bucket-policy-denies'));
        return missing && verdict;
      },
      150_000,
      2_000,
    );
    const alerts = await firing();
    const missing = alerts.find((a) => a.labels.alertname === 'CloudTrailEventsMissing')!;
    expect(missing.labels).toMatchObject({ trail_arn: TRAIL_ARN, region: REGION, destination: 's3', severity: 'critical' });
    expect(alerts.some((a) => a.labels.alertname === 'CloudTrailDeliveryError' && a.labels.error === 'AccessDenied')).toBe(true);

    // The JSON notification: the diagnose contract plus the alert's labels.
    const verdict = posted.find((p) => (p.body.rootCauses as { id: string }[] | undefined)?.some((c) => c.id === 's3-bucket-policy-denies'))!.body as {
      schemaVersion: number;
      verdict: string;
      trail: { arn?: string };
      rootCauses: { id: string; trigger?: { eventName: string; actor?: string } }[];
      alert: { labels: Record<string, string> };
    };
    expect(verdict.schemaVersion).toBe(1);
    expect(verdict.verdict).toBe('problem');
    expect(verdict.rootCauses[0]!.id).toBe('s3-bucket-policy-denies');
    expect(verdict.alert.labels).toMatchObject({ trail_arn: TRAIL_ARN, region: REGION });
    expect(['CloudTrailEventsMissing', 'CloudTrailDeliveryError']).toContain(verdict.alert.labels.alertname);

    // The metric says it too, scraped by Prometheus, and the report is served.
    await waitFor('trail_doctor_diagnosis_root_cause in Prometheus', async () => (await query(`trail_doctor_diagnosis_root_cause{trail_arn="${TRAIL_ARN}",root_cause="s3-bucket-policy-denies"} == 1`)).length === 1, 15_000);
    const report = await fetch(`${watchUrl}/reports/latest?trail_arn=${encodeURIComponent(TRAIL_ARN)}`);
    expect(report.status).toBe(200);
    expect(((await report.json()) as { rootCauses: { id: string }[] }).rootCauses[0]!.id).toBe('s3-bucket-policy-denies');
    const html = await fetch(`${watchUrl}/reports/latest?trail_arn=${encodeURIComponent(TRAIL_ARN)}`, { headers: { accept: 'text/html' } });
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(await html.text()).toContain('s3-bucket-policy-denies');

    // Deduplicated and limited: never more diagnoses than the default 6 an hour, and none ran twice at once.
    const lines = watchErr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: string; level: string });
    expect(lines.every((l) => typeof l.event === 'string' && typeof l.level === 'string')).toBe(true);
    const started = lines.filter((l) => l.event === 'diagnosis_started').length;
    expect(started).toBeGreaterThanOrEqual(1);
    expect(started).toBeLessThanOrEqual(6);
    const metrics = await (await fetch(`${watchUrl}/metrics`)).text();
    expect(metrics).toMatch(/trail_doctor_api_calls_total\{service="s3",outcome="ok"\} \d+/);
    expect(metrics).toMatch(/trail_doctor_alerts_received_total\{status="firing"\} [1-9]/);

    // SIGTERM: a clean stop, exit 0, well within the 10 s grace.
    const stopAt = Date.now();
    const exited = new Promise<number | null>((r) => watch.once('exit', (code) => r(code)));
    watch.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(12_000);
    expect(watchErr).toContain('"event":"watch_stopped"');
    console.log(`watch e2e: healthy→verdict in ${Math.round((Date.now() - breakAt) / 1000)} s, whole test ${Math.round((Date.now() - t0) / 1000)} s, ${posted.length} verdict(s) posted`);
  }, 180_000);
});

async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs: number, everyMs = 500): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await cond()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
