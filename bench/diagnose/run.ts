/**
 * bench/diagnose: what a diagnosis costs on healthy and broken trails, with event history available
 * and unavailable, through a loopback proxy that delays every request (25 ms and 250 ms).
 *
 *   npx tsx bench/diagnose/run.ts [--hours 48] [--since 7d] [--delays 25,250] [--no-build] [--bin dist/cli/bin.js] [--no-cache]
 *                                 [--trail healthy|validating|broken] [--keep DIR] [--cpu-prof DIR]
 *
 * Dataset (moto's server on 127.0.0.1): one multi-region trail in eu-west-1 writing to S3 only, log
 * files every 5 minutes for the last 48 hours (576 files, 2 records each), a 7-day window.
 * Validating: the same with log file validation on, the files of each hour named by a signed
 * digest (48 digests). Broken: the first trail with logging stopped. Event history: a LookupEvents stand-in over the delivered
 * records at 2 requests/s, or moto's HTTP 500. Each run is the built CLI (`collect`, the same
 * pipeline as `diagnose`) as a user runs it; the verdict comes from replaying its evidence offline.
 * Per run: API calls (and which), bytes of log files read, wall time, and effective depth: wall /
 * delay (process start-up included), the span of the AWS calls / delay (start-up excluded), and
 * the first pass's wall time / delay (the nine steps to their verdict, before any fallback).
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startMoto, useMotoCredentials, MOTO_ENV } from '../../test/support/moto.js';
import { ACCOUNT, record, seedAccount, stopLogging } from '../../test/e2e/seed.js';
import { buildChain, makeKey, type FixtureKey, type Store } from '../../test/integrity/fixtures.js';
import { putAll } from '../../test/integrity/moto-seed.js';
import { S3Client } from '@aws-sdk/client-s3';
import { CloudTrailClient, UpdateTrailCommand } from '@aws-sdk/client-cloudtrail';
import { runProcess } from '../../test/integrity/moto-seed.js';
import { startDiagnoseProxy } from './proxy-process.js';

const argv = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : def;
};
const HOURS = Number(opt('hours', '48'));
const SINCE = opt('since', '7d');
const DELAYS = opt('delays', '25,250').split(',').map(Number);
const REGION = 'eu-west-1';
const TRAIL = 'main';
const BUCKET = 'acme-trail-logs';
const BIN = opt('bin', 'dist/cli/bin.js');
const log = (s: string) => process.stderr.write(`${s}\n`);
/** `--keep DIR`: each run's evidence is kept there (its `calls` are the run's timeline). */
const KEEP = argv.includes('--keep') ? opt('keep', '') : undefined;
/** `--trail healthy|validating|broken`: one of the trails only. */
const ONLY_TRAIL = argv.includes('--trail') ? opt('trail', '') : undefined;
const STORES = (argv.includes('--no-cache') ? ['moto'] : ['moto', 'cached']) as ('moto' | 'cached')[];
const ENV = { PATH: process.env.PATH, HOME: '/nonexistent-home', ...MOTO_ENV, NO_COLOR: '1', NODE_NO_WARNINGS: '1' };

/** `--cpu-prof DIR`: each timed run writes its V8 CPU profile there (one file per thread). */
const PROF_DIR = argv.includes('--cpu-prof') ? opt('cpu-prof', '') : undefined;

async function collectOnce(endpoint: string, out: string, profile = false) {
  const r = await runProcess('node', [...(profile && PROF_DIR ? ['--cpu-prof', '--cpu-prof-dir', PROF_DIR] : []), BIN, 'collect', '--trail', TRAIL, '--region', REGION, '--endpoint-url', endpoint, '--since', SINCE, '--out', out], ENV, 600_000);
  if (r.code !== 0 && r.code !== 1) throw new Error(`collect failed (${r.code}): ${r.stderr.slice(-800)}`);
  return r;
}

interface Evidence {
  stats?: { apiCalls: number; durationMs: number; phases?: { firstPass?: { wallMs: number; calls: number } } };
  calls?: { service: string; operation: string; startedAt: number; durationMs: number; httpStatus?: number; errorCode?: string }[];
  gaps?: { status: string; reason?: string; stats?: { lookupEventsCalls: number; filesRead: number; bytesRead: number; s3ListCalls?: number } };
  integrity?: { status: string; stats?: { bytesRead?: number }; summary?: { digests: { valid: number }; logs: { valid: number; invalid: number; missing: number } } };
}

/**
 * The healthy trail with log file validation on, as CIS asks: the same deliveries (a file every
 * 5 minutes for HOURS hours, 2 records each, until a few minutes ago), each hour's files named by a
 * digest signed with a key generated here (ListPublicKeys answered by the proxy).
 */
async function seedValidating(endpoint: string, now: Date): Promise<{ key: FixtureKey; records: Record<string, unknown>[]; logs: number; digests: number }> {
  const key = makeKey();
  const store: Store = new Map();
  const records: Record<string, unknown>[] = [];
  const PER_HOUR = 12;
  // the last digest closes 2 minutes ago; its newest file was delivered about 7 minutes ago
  const firstStart = new Date(now.getTime() - HOURS * 3_600_000 - 120_000);
  const built = buildChain(store, {
    bucket: BUCKET,
    account: ACCOUNT,
    region: REGION,
    trail: TRAIL,
    firstStart,
    digests: HOURS,
    logsPerDigest: PER_HOUR,
    key,
    logRaw: (i, j) => {
      const delivered = firstStart.getTime() + i * 3_600_000 + ((j + 1) * 3_600_000) / (PER_HOUR + 1);
      const recs = [record(REGION, new Date(delivered - 90_000)), record(REGION, new Date(delivered - 60_000), 'ListBuckets')];
      records.push(...recs);
      return Buffer.from(JSON.stringify({ Records: recs }));
    },
  });
  const s3 = new S3Client({ region: REGION, endpoint, forcePathStyle: true });
  const ct = new CloudTrailClient({ region: REGION, endpoint });
  try {
    await ct.send(new UpdateTrailCommand({ Name: TRAIL, EnableLogFileValidation: true }));
    await putAll(s3, store, 16);
  } finally {
    s3.destroy();
    ct.destroy();
  }
  return { key, records, logs: built.logs.length, digests: built.digests.length };
}

interface Row {
  trail: string;
  /** `moto`: every request reaches moto; `cached`: S3 reads answered by the proxy after a warm-up run. */
  store: 'moto' | 'cached';
  history: string;
  delay: number;
  verdict: string;
  calls: number;
  lookupEvents: number;
  getObject: number;
  bytesRead: number;
  wallMs: number;
  spanMs: number;
  /** From the first call of the nine steps to their verdict (the first pass), before any fallback. */
  firstPassMs: number;
  gaps: string;
  /** Digest-chain validation (the validating trail): its status and what it found valid. */
  integrity?: string;
}

/** The longest chain of calls each started after the previous one ended: the run's sequential depth. */
function sequentialDepth(calls: NonNullable<Evidence['calls']>): number {
  const byEnd = [...calls].map((c) => ({ s: c.startedAt, e: c.startedAt + c.durationMs })).sort((a, b) => a.e - b.e);
  const best: number[] = [];
  let longest = 0;
  for (let i = 0; i < byEnd.length; i++) {
    let m = 0;
    for (let j = 0; j < i; j++) if (byEnd[j]!.e <= byEnd[i]!.s && best[j]! > m) m = best[j]!;
    best.push(m + 1);
    longest = Math.max(longest, m + 1);
  }
  return longest;
}

async function main() {
  const t0 = performance.now();
  if (!argv.includes('--no-build')) {
    const b = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
    if (b.status !== 0) throw new Error('npm run build failed');
  }
  useMotoCredentials();
  if (KEEP) mkdirSync(KEEP, { recursive: true });
  const moto = await startMoto();
  const dir = mkdtempSync(join(tmpdir(), 'bench-diagnose-'));
  const rows: Row[] = [];
  try {
    for (const trail of ['healthy', 'validating', 'broken (logging stopped)'] as const) {
      if (ONLY_TRAIL && !trail.startsWith(ONLY_TRAIL)) continue;
      await moto.reset();
      const validating = trail === 'validating';
      const now = new Date();
      // the validating trail's log files come with their signed digest chain (seedValidating)
      const seeded = await seedAccount({ endpoint: moto.endpoint, region: REGION, trail: TRAIL, bucket: BUCKET, now, hours: validating ? 0 : HOURS, cloudWatchLogs: false });
      const chain = validating ? await seedValidating(moto.endpoint, now) : undefined;
      if (chain) seeded.records.push(...chain.records);
      if (trail.startsWith('broken')) await stopLogging(moto.endpoint, REGION, TRAIL);
      const recordsFile = join(dir, 'records.json');
      writeFileSync(recordsFile, JSON.stringify(seeded.records));
      log(`${trail}: ${chain ? `${chain.logs} log files and ${chain.digests} digests` : `${seeded.filesPut} log files`}, ${seeded.records.length} records`);
      const proxy = await startDiagnoseProxy(moto.endpoint, recordsFile, DELAYS[0]!, chain ? [chain.key] : []);
      try {
        for (const store of STORES) {
          if (store === 'cached') {
            await proxy.set('cache on');
            await proxy.set('delay 0');
            await proxy.set('history on');
            // untimed: fills the cache with every S3 read a run makes
            await collectOnce(proxy.endpoint, join(dir, 'warm.json'));
          }
          for (const history of ['available', 'unavailable (500)'] as const) {
            for (const delay of DELAYS) {
              await proxy.set(`delay ${delay}`);
              await proxy.set(`history ${history === 'available' ? 'on' : 'off'}`);
              const out = join(dir, 'evidence.json');
              const r = await collectOnce(proxy.endpoint, out, true);
              const ev = JSON.parse(readFileSync(out, 'utf8')) as Evidence;
              if (KEEP) copyFileSync(out, join(KEEP, `${trail.split(' ')[0]}-${store}-history-${history.split(' ')[0]}-${delay}ms.json`));
              const replay = await runProcess('node', [BIN, 'diagnose', '--evidence', out, '--format', 'json'], ENV);
              const verdict = (JSON.parse(replay.stdout) as { verdict: string }).verdict;
              const calls = ev.calls ?? [];
              const count = (op: string) => calls.filter((c) => c.operation === op).length;
              const span = calls.length ? Math.max(...calls.map((c) => c.startedAt + c.durationMs)) - Math.min(...calls.map((c) => c.startedAt)) : 0;
              const row: Row = {
                trail,
                store,
                history,
                delay,
                verdict,
                calls: ev.stats?.apiCalls ?? calls.length,
                lookupEvents: count('LookupEvents'),
                getObject: count('GetObject'),
                bytesRead: (ev.gaps?.stats?.bytesRead ?? 0) + (ev.integrity?.stats?.bytesRead ?? 0),
                wallMs: r.ms,
                spanMs: span,
                firstPassMs: ev.stats?.phases?.firstPass?.wallMs ?? 0,
                gaps: ev.gaps ? `${ev.gaps.status}${ev.gaps.stats ? `, ${ev.gaps.stats.filesRead} files` : ''}` : 'not run',
                ...(ev.integrity ? { integrity: `${ev.integrity.status}${ev.integrity.summary ? `, ${ev.integrity.summary.digests.valid} digests and ${ev.integrity.summary.logs.valid} log files valid` : ''}` } : {}),
              };
              rows.push(row);
              log(`  ${store}, history ${history}, ${delay} ms: ${row.verdict}, ${row.calls} calls (${row.lookupEvents} LookupEvents, ${row.getObject} GetObject), ${row.bytesRead} B, wall ${(row.wallMs / 1000).toFixed(1)} s, depth ${(row.wallMs / delay).toFixed(1)} (calls ${(span / delay).toFixed(1)}, first pass ${(row.firstPassMs / delay).toFixed(1)}, sequential chain ${sequentialDepth(calls)}), gaps: ${row.gaps}${row.integrity ? `, integrity: ${row.integrity}` : ''}`);
            }
          }
        }
      } finally {
        await proxy.stop();
      }
    }
  } finally {
    await moto.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const lines = [
    '| trail | S3 reads | event history | delay | verdict | API calls | LookupEvents | GetObject | log bytes read | wall | depth (wall / delay) | depth (AWS calls only) | first-pass depth | gap fallback |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.trail} | ${r.store} | ${r.history} | ${r.delay} ms | ${r.verdict} | ${r.calls} | ${r.lookupEvents} | ${r.getObject} | ${r.bytesRead} | ${(r.wallMs / 1000).toFixed(1)} s | ${(r.wallMs / r.delay).toFixed(1)} | ${(r.spanMs / r.delay).toFixed(1)} | ${(r.firstPassMs / r.delay).toFixed(1)} | ${r.gaps} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  // a partial run (one trail) does not replace the last full run's figures
  if (!ONLY_TRAIL) writeFileSync('bench/diagnose/results.json', `${JSON.stringify({ date: new Date().toISOString(), hours: HOURS, since: SINCE, rows }, null, 2)}\n`);
  log(`bench/diagnose done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

main().catch((e) => {
  log(String(e?.stack ?? e));
  process.exit(1);
});
