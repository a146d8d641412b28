/**
 * Benchmark of `trail-doctor gaps` (issue 4): 7 days × 12 files/hour × 500 events/file in moto's
 * server, with a LookupEvents stand-in that enforces 2 requests/s with ThrottlingException.
 * A 3-hour gap (files never delivered) sits on day 3, opened and closed by PutBucketPolicy.
 * Reports events compared per second, peak memory, LookupEvents calls. `npm run bench:gaps`
 * (BENCH_DAYS / BENCH_FILES_PER_HOUR / BENCH_EVENTS_PER_FILE override the shape).
 */
import { spawn } from 'node:child_process';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import { S3Client, CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CloudTrailClient, CreateTrailCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import pLimit from 'p-limit';
import { startMoto, useMotoCredentials, motoAvailable, MOTO_ENV } from '../../test/support/moto.js';
import { startLookupStandin } from '../../test/gaps/wire.js';
import { ACCOUNT, BUCKET, REGION, TRAIL, H, changeRecords, inGap, lookup, routineRecord, total, type BenchShape } from './history.js';

const gz = promisify(gzip);
const p2 = (n: number) => String(n).padStart(2, '0');
function key(ms: number, n: number): string {
  const d = new Date(ms);
  const day = `${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())}`;
  const stamp = `${d.getUTCFullYear()}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}T${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}Z`;
  return `AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/${day}/${ACCOUNT}_CloudTrail_${REGION}_${stamp}_B${String(n).padStart(15, '0')}.json.gz`;
}

async function main() {
  if (!motoAvailable()) throw new Error('moto_server is not installed (pip install "moto[server]")');
  useMotoCredentials();
  const days = Number(process.env.BENCH_DAYS ?? 7);
  const shape: BenchShape = {
    start: Date.parse('2026-11-16T00:00:00Z'),
    days,
    filesPerHour: Number(process.env.BENCH_FILES_PER_HOUR ?? 12),
    eventsPerFile: Number(process.env.BENCH_EVENTS_PER_FILE ?? 500),
    // a 3-hour gap starting 20 minutes past an hour, on day 3 (or near the end of a shorter window)
    gap: [Math.min(50, days * 24 - 5) * 60 + 20, Math.min(53, days * 24 - 2) * 60 + 20],
  };
  const perHour = shape.filesPerHour * shape.eventsPerFile;
  const moto = await startMoto();
  const standin = await startLookupStandin(moto.endpoint, (req) => lookup(shape, req as never));
  try {
    // ---- seed -----------------------------------------------------------------------------------
    const t0 = Date.now();
    const cfg = { region: REGION, endpoint: moto.endpoint };
    const s3 = new S3Client({ ...cfg, forcePathStyle: true });
    const ct = new CloudTrailClient(cfg);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }));
    await ct.send(new CreateTrailCommand({ Name: TRAIL, S3BucketName: BUCKET }));
    await ct.send(new StartLoggingCommand({ Name: TRAIL }));
    const changes = changeRecords(shape);
    const limit = pLimit(6);
    let files = 0;
    let bytes = 0;
    let delivered = 0;
    const jobs: Promise<void>[] = [];
    for (let h = 0; h < shape.days * 24; h++) {
      for (let f = 0; f < shape.filesPerHour; f++) {
        const first = h * perHour + f * shape.eventsPerFile;
        jobs.push(
          limit(async () => {
            const recs = Array.from({ length: shape.eventsPerFile }, (_, k) => routineRecord(shape, first + k));
            const lastT = Date.parse(recs[recs.length - 1]!.eventTime as string);
            const firstT = Date.parse(recs[0]!.eventTime as string);
            if (inGap(shape, firstT) || inGap(shape, lastT)) return;
            for (const c of changes) {
              const t = Date.parse(c.eventTime as string);
              if (t >= firstT && t <= lastT) recs.push(c);
            }
            const body = await gz(JSON.stringify({ Records: recs }));
            const at = lastT + 3 * 60_000;
            await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key(at - (at % 60_000), first), Body: body }));
            files++;
            bytes += body.length;
            delivered += recs.length;
          }),
        );
      }
    }
    await Promise.all(jobs);
    s3.destroy();
    ct.destroy();
    const seedMs = Date.now() - t0;
    console.error(`seeded ${files} files, ${delivered} records, ${(bytes / 1048576).toFixed(1)} MiB gzip in ${(seedMs / 1000).toFixed(1)} s`);

    // ---- measure (separate process) -------------------------------------------------------------
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/gaps/child.ts'], {
      env: {
        ...process.env,
        ...MOTO_ENV,
        BENCH_ENDPOINT: standin.standin.endpoint,
        BENCH_START: String(shape.start),
        BENCH_END: String(shape.start + shape.days * 24 * H),
        BENCH_REGION: REGION,
        BENCH_TRAIL: TRAIL,
        NODE_NO_WARNINGS: '1',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number>((r) => child.on('exit', (c) => r(c ?? 1)));
    if (code !== 0) throw new Error(`child exited ${code}`);
    const res = JSON.parse(out.trim().split('\n').pop()!) as {
      report: { totals: unknown; gaps: { start: string; end: string; eventsMissing: number; estimatedMissing?: unknown; trigger: { eventName: string } | null; closedBy: { eventName: string } | null }[]; sampling?: { estimate: unknown; hoursFull: number; hoursSampled: number }; stats: { lookupEventsCalls: number; lookupEventsThrottled: number; filesRead: number; bytesRead: number; deliveredRecordsRead: number; eventsCompared: number; durationMs: number } };
      wallMs: number;
      s3PhaseMs?: number;
      maxRssBytes: number;
      heapPeakBytes: number;
    };
    const st = res.report.stats;
    const trueMissing = ((shape.gap[1] - shape.gap[0]) / 60) * perHour;
    const figures = {
      shape: { days: shape.days, filesPerHour: shape.filesPerHour, eventsPerFile: shape.eventsPerFile, eventsInHistory: total(shape) + changes.length, filesDelivered: files, gzipMiB: +(bytes / 1048576).toFixed(1), gapMinutes: shape.gap, trueMissing },
      wallSeconds: +(res.wallMs / 1000).toFixed(1),
      s3PhaseSeconds: res.s3PhaseMs ? +(res.s3PhaseMs / 1000).toFixed(1) : undefined,
      deliveredRecordsRead: st.deliveredRecordsRead,
      deliveredRecordsPerSecond: res.s3PhaseMs ? Math.round(st.deliveredRecordsRead / (res.s3PhaseMs / 1000)) : undefined,
      historyEventsCompared: st.eventsCompared,
      eventsComparedPerSecondOverall: Math.round((st.deliveredRecordsRead + st.eventsCompared) / (res.wallMs / 1000)),
      peakRssMiB: +(res.maxRssBytes / 1048576).toFixed(1),
      peakHeapMiB: +(res.heapPeakBytes / 1048576).toFixed(1),
      lookupEventsCalls: st.lookupEventsCalls,
      lookupEventsServedByStandin: standin.served(),
      lookupEventsThrottledByStandin: standin.throttled(),
      lookupEventsPeakPerSecond: standin.peakPerSecond(),
      fullHistoryWouldNeedCalls: Math.ceil((total(shape) + changes.length) / 50),
      fullHistoryWouldTakeHours: +(Math.ceil((total(shape) + changes.length) / 50) / 2 / 3600).toFixed(2),
      totals: res.report.totals,
      sampling: res.report.sampling ? { hoursFull: res.report.sampling.hoursFull, hoursSampled: res.report.sampling.hoursSampled, estimate: res.report.sampling.estimate } : undefined,
      gaps: res.report.gaps.map((g) => ({ start: g.start, end: g.end, eventsMissing: g.eventsMissing, estimatedMissing: g.estimatedMissing, trigger: g.trigger?.eventName, closedBy: g.closedBy?.eventName })),
      seedSeconds: +(seedMs / 1000).toFixed(1),
      node: process.version,
    };
    writeFileSync('bench/gaps/results.json', JSON.stringify(figures, null, 2) + '\n');
    console.log(JSON.stringify(figures, null, 2));
  } finally {
    await standin.standin.stop();
    await moto.stop();
  }
}

main().catch((e) => {
  console.error(`bench:gaps failed: ${(e as Error).message}`);
  process.exit(1);
});
