/**
 * The measured process: only trail-doctor's gap engine runs here, so peak memory (maxRSS) is its own,
 * not the seeder's or the stand-in's. Prints one JSON line.
 */
import { createClients } from '../../src/aws/clients.js';
import { measureGaps } from '../../src/gaps/index.js';

const endpoint = process.env.BENCH_ENDPOINT!;
const start = new Date(Number(process.env.BENCH_START));
const end = new Date(Number(process.env.BENCH_END));
const now = new Date(end.getTime() + 3_600_000);
const t0 = Date.now();
let s3First: number | undefined;
let s3Done: number | undefined;
let heapPeak = 0;
const sampler = setInterval(() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)), 100);
const clients = createClients({ region: process.env.BENCH_REGION!, endpointUrl: endpoint });
const report = await measureGaps(clients, {
  trail: process.env.BENCH_TRAIL!,
  region: process.env.BENCH_REGION!,
  start,
  end,
  now,
  onProgress: (p) => {
    if (p.phase === 's3') {
      s3First ??= Date.now();
      if (p.done === p.total) s3Done = Date.now();
    }
  },
});
clearInterval(sampler);
const { hourly, ...rest } = report;
process.stdout.write(
  JSON.stringify({
    report: rest,
    hours: hourly?.length,
    wallMs: Date.now() - t0,
    s3PhaseMs: s3Done && s3First ? s3Done - t0 : undefined,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    heapPeakBytes: heapPeak,
  }) + '\n',
);
