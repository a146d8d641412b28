import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Watcher } from '../../src/watch/watcher.js';
import { WatchMetrics } from '../../src/watch/metrics.js';
import { createLogger } from '../../src/watch/log.js';
import { createNotifier, jsonPayload, slackPayload } from '../../src/watch/notify.js';
import { closeServer, createWatchServer, listen, MAX_BODY_BYTES } from '../../src/watch/server.js';
import { hostileReport, problemReport } from '../support/reports.js';
import { ACCOUNT, BUCKET, FakeAccount, logKey, REGION, TRAIL_ARN } from './fake-account.js';
import { webhook } from './payloads.js';

/** watch's HTTP endpoints in-process, over a real socket, with the light check on the stand-in. */
describe('watch HTTP endpoints and notifications', () => {
  let server: Server;
  let url: string;
  let sink: Server;
  const received: string[] = [];
  const logLines: string[] = [];
  let release!: () => void;
  let diagnoses = 0;
  const fake = new FakeAccount();

  beforeAll(async () => {
    sink = createServer((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c.toString()));
      req.on('end', () => {
        received.push(b);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`;
    fake.putKey(logKey(Date.now() - 120_000));
    const metrics = new WatchMetrics({ processMetrics: false });
    const gate = new Promise<void>((r) => (release = r));
    const watcher = new Watcher({
      source: { list: async () => [{ account: ACCOUNT, region: REGION, trailArn: TRAIL_ARN, clients: fake.clients(), trail: { Name: 'main', TrailARN: TRAIL_ARN, S3BucketName: BUCKET } }] },
      metrics,
      logger: createLogger({ write: (s: string) => logLines.push(s) } as unknown as NodeJS.WritableStream, 'json'),
      intervalMs: 60_000,
      maxDiagnosesPerHour: 6,
      notifier: createNotifier({ url: sinkUrl, format: 'slack' }),
      diagnose: async () => {
        diagnoses++;
        await gate;
        return problemReport();
      },
    });
    await watcher.refresh();
    await watcher.checkAll();
    server = createWatchServer({
      metrics: async () => ({ contentType: metrics.contentType, body: await metrics.render() }),
      health: () => watcher.health(),
      webhook: (p) => watcher.onWebhook(p),
      latestReport: (a, r) => watcher.latestReport(a, r),
    });
    const a = await listen(server, '127.0.0.1', 0);
    url = `http://127.0.0.1:${a.port}`;
  });
  afterAll(async () => {
    await closeServer(server);
    await new Promise<void>((r) => sink.close(() => r()));
  });

  const post = (body: unknown) => fetch(`${url}/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const firing = webhook([{ status: 'firing', labels: { alertname: 'CloudTrailEventsMissing', trail_arn: TRAIL_ARN, region: REGION, destination: 's3' } }]);

  it('GET /metrics serves the Prometheus text format with the trail series; GET /healthz answers ok', async () => {
    const m = await fetch(`${url}/metrics`);
    expect(m.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await m.text();
    expect(text).toMatch(new RegExp(`trail_doctor_delivery_age_seconds\\{account="${ACCOUNT}",region="${REGION}",trail_arn="${TRAIL_ARN}",destination="s3"\\} 1[2-7]\\d`));
    const h = await fetch(`${url}/healthz`);
    expect(h.status).toBe(200);
    expect(await h.json()).toMatchObject({ status: 'ok', trails: 1, rounds: 1 });
  });

  it('POST /alertmanager answers 202 at once (the diagnosis still running), deduplicates a repeat, acknowledges resolved alerts', async () => {
    const r = await post(firing);
    expect(r.status).toBe(202);
    expect(await r.json()).toMatchObject({ firing: 1, diagnoses: [{ trail_arn: TRAIL_ARN, region: REGION, diagnosis: 'started' }] });
    const again = await post(firing);
    expect((await again.json()) as unknown).toMatchObject({ diagnoses: [{ diagnosis: 'deduplicated' }] });
    const resolved = await post(webhook([{ status: 'resolved', labels: { trail_arn: TRAIL_ARN, region: REGION } }], 'resolved'));
    expect(await resolved.json()).toMatchObject({ resolved: 1, diagnoses: [] });
    const unwatched = await post(webhook([{ status: 'firing', labels: { trail_arn: 'arn:aws:cloudtrail:us-east-1:210987654321:trail/other', region: 'us-east-1' } }]));
    expect(await unwatched.json()).toMatchObject({ diagnoses: [{ diagnosis: 'not_watched' }] });
    expect(diagnoses).toBe(1);
    expect((await fetch(`${url}/reports/latest?trail_arn=${encodeURIComponent(TRAIL_ARN)}`)).status).toBe(404);
  });

  it('after the diagnosis: the Slack message at --notify-url, the root-cause metric, the report in JSON and HTML', async () => {
    release();
    for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const msg = JSON.parse(received[0]!) as { text: string };
    expect(msg.text).toContain('*CloudTrailEventsMissing*');
    expect(msg.text).toContain('verdict *problem*');
    expect(msg.text).toContain('`s3-bucket-policy-denies`');
    expect(msg.text).toMatch(/\*Trigger:\* PutBucketPolicy/);
    expect(msg.text).toMatch(/\*First fix:\*\n```aws s3api put-bucket-policy/);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain(`trail_doctor_diagnosis_root_cause{account="${ACCOUNT}",region="${REGION}",trail_arn="${TRAIL_ARN}",root_cause="s3-bucket-policy-denies"} 1`);
    expect(metrics).toContain('trail_doctor_notifications_total{outcome="sent"} 1');
    const json = await fetch(`${url}/reports/latest?trail_arn=${encodeURIComponent(TRAIL_ARN)}`);
    expect(json.headers.get('content-type')).toMatch(/application\/json/);
    expect(((await json.json()) as { schemaVersion: number }).schemaVersion).toBe(1);
    const html = await fetch(`${url}/reports/latest?trail_arn=${encodeURIComponent(TRAIL_ARN)}&region=${REGION}`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(await html.text()).toMatch(/^<!doctype html>/i);
    const events = logLines.map((l) => (JSON.parse(l) as { event: string }).event);
    expect(events).toEqual(expect.arrayContaining(['alert_received', 'diagnosis_started', 'diagnosis_completed', 'verdict_posted']));
  });

  it('bad requests: 400 for non-JSON or a payload that is not Alertmanager v4, 404, 405, 413', async () => {
    expect((await post('{nope')).status).toBe(400);
    const v3 = await post({ ...firing, version: '3' });
    expect(v3.status).toBe(400);
    expect(((await v3.json()) as { error: string }).error).toMatch(/version "3"/);
    expect((await fetch(`${url}/reports/latest`)).status).toBe(400);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    expect((await fetch(`${url}/alertmanager`)).status).toBe(405);
    expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(405);
    const big = await post('x'.repeat(MAX_BODY_BYTES + 10)).catch(() => undefined);
    if (big) expect(big.status).toBe(413);
  });
});

describe('notification payloads', () => {
  it('json: the diagnose JSON contract plus the alert labels, still one valid document', () => {
    const doc = JSON.parse(jsonPayload(problemReport(), { alertname: 'CloudTrailEventsMissing', labels: { alertname: 'CloudTrailEventsMissing', trail_arn: TRAIL_ARN } })) as Record<string, unknown>;
    expect(doc.schemaVersion).toBe(1);
    expect(doc.verdict).toBe('problem');
    expect(Object.keys(doc).slice(0, 3)).toEqual(['schemaVersion', 'tool', 'generatedAt']);
    expect(doc.alert).toEqual({ labels: { alertname: 'CloudTrailEventsMissing', trail_arn: TRAIL_ARN } });
  });

  it('slack: untrusted text cannot inject mentions, links or terminal controls', () => {
    const text = (JSON.parse(slackPayload(hostileReport(), { alertname: '<!channel>', labels: {} })) as { text: string }).text;
    expect(text).not.toMatch(/<[!@#]|<script|\u001b/);
    expect(text).toContain('&lt;!channel&gt;');
  });
});
