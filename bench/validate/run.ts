/**
 * bench/validate: trail-doctor `validate` vs `aws cloudtrail validate-logs` on the same data.
 *
 *   npx tsx bench/validate/run.ts [--days 7] [--motos 2] [--delay 25] [--concurrency 48] [--no-cli] [--no-30d]
 *                                 [--only small|large] [--repeat 3] [--cpu-prof DIR] [--no-cache] [--bin dist/cli/bin.js]
 *
 * Dataset (moto's server on 127.0.0.1): one trail, one region, 24 hourly digests a day for 7 days,
 * 12 log files an hour of 20–200 KB gzip (CloudTrail-like records, ~11× compression), signed with
 * an RSA key generated here; ListPublicKeys answered by the proxy (moto lacks it). Each tool runs in
 * its own process through a loopback proxy that delays every request by a fixed 25 ms (and again
 * with no delay). Peak RSS of trail-doctor at 1, 7 and 30 days of the same dataset (built 30 days long).
 * Then the small-file case: 2 days, 576 log files of ~14 KB gzip, one emulator behind a caching proxy.
 */
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { startMoto, useMotoCredentials, type Moto } from '../../test/support/moto.js';
import { buildChain, makeKey, records, type FixtureKey, type Store } from '../../test/integrity/fixtures.js';
import { awsCli, awsCliEnv, MOTO_ACCOUNT, runProcess, seedMoto, summaryLines } from '../../test/integrity/moto-seed.js';
import { startProxyProcess } from './proxy-process.js';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const argv = process.argv.slice(2);
const flag = (name: string, def: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const DAYS = flag('days', 7);
const MOTOS = flag('motos', 2);
const DELAY = flag('delay', 25);
const CONCURRENCY = flag('concurrency', 48);
const WITH_CLI = !argv.includes('--no-cli');
const WITH_30D = !argv.includes('--no-30d');
/** `--only small` / `--only large`: one case (iteration); both by default. */
const ONLY = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
/**
 * The large-file case reads through the proxy's caching layer too, as the small-file case does:
 * on two cores, two moto processes serving 227 MB took as much CPU as trail-doctor itself, so the
 * figure measured the emulator. `--no-cache` reads every object from moto, as the bench used to.
 */
const LARGE_CACHED = !argv.includes('--no-cache');
/** Timed runs of each tool in the small-file case (medians reported). */
const REPEAT = flag('repeat', 3);
/** `--cpu-prof DIR`: the timed trail-doctor runs (large files: the delayed one) write V8 CPU profiles there, one per thread. */
const PROF_DIR = argv.includes('--cpu-prof') ? argv[argv.indexOf('--cpu-prof') + 1] : undefined;
/** Peak RSS is also measured over this many days of the same dataset (it is built that long). */
const RSS_DAYS = WITH_30D ? Math.max(DAYS, 30) : DAYS;
const LOGS_PER_HOUR = 12;
const T0 = new Date('2026-10-01T00:01:31Z');
const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
const log = (s: string) => process.stderr.write(`${s}\n`);

useMotoCredentials();

/** A pool of log bodies whose gzip sizes spread evenly over 20–200 KB. */
function logPool(size: number, minKb: number, maxKb: number): Buffer[] {
  const pool: Buffer[] = [];
  for (let i = 0; i < size; i++) {
    const targetKb = minKb + ((maxKb - minKb) * i) / Math.max(1, size - 1);
    let n = Math.max(1, Math.round((targetKb * 1024) / 52));
    let raw = records(T0, n);
    // one correction step towards the target compressed size
    const gz = gzipSync(raw).length;
    n = Math.max(1, Math.round((n * targetKb * 1024) / gz));
    raw = records(T0, n);
    pool.push(raw);
  }
  return pool;
}

interface Dataset {
  name: string;
  trail: string;
  bucket: string;
  days: number;
  digests: number;
  logs: number;
  gzBytes: number;
  rawBytes: number;
  motos: Moto[];
}

async function dataset(name: string, key: FixtureKey, days: number, pool: Buffer[], motos: number): Promise<Dataset> {
  const store: Store = new Map();
  const trail = `bench-${name}`;
  const bucket = `bench-${name}-bucket`;
  let k = 0;
  const chain = buildChain(store, {
    bucket,
    account: MOTO_ACCOUNT,
    region: 'us-east-1',
    trail,
    firstStart: T0,
    digests: days * 24,
    logsPerDigest: LOGS_PER_HOUR,
    key,
    logRaw: () => pool[k++ % pool.length]!,
  });
  let gzBytes = 0;
  for (const o of store.values()) gzBytes += o.body.length;
  const rawBytes = chain.logs.reduce((n, l) => n + l.raw.length, 0);
  const t = performance.now();
  const servers = await Promise.all(Array.from({ length: motos }, () => startMoto()));
  await Promise.all(servers.map((m) => seedMoto(m.endpoint, store, { name: trail, bucket }, 8)));
  log(`  ${name}: ${chain.digests.length} digests, ${chain.logs.length} log files, ${(gzBytes / 1e6).toFixed(0)} MB gzip (${(rawBytes / 1e6).toFixed(0)} MB inflated), seeded into ${motos} moto server(s) in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  store.clear();
  return { name, trail, bucket, days, digests: chain.digests.length, logs: chain.logs.length, gzBytes, rawBytes, motos: servers };
}

/** trail-doctor as users run it: the published bin (dist/cli/bin.js, the esbuild bundle), not tsx. */
const BIN = argv.includes('--bin') ? argv[argv.indexOf('--bin') + 1]! : 'dist/cli/bin.js';
async function buildCli(): Promise<void> {
  const r = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
}

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

interface Measured {
  ms: number;
  cpuMs?: number;
  maxRssKb?: number;
  digests?: string;
  logsValid?: string;
  code: number;
}

/**
 * The bin in a process of its own, measured as the AWS CLI is: wall time from spawn to exit (so
 * module loading counts), CPU and peak RSS from /usr/bin/time (hashing threads included).
 */
async function trailDoctor(endpoint: string, ds: Dataset, days: number, nodeArgs: string[] = []): Promise<Measured> {
  const arn = `arn:aws:cloudtrail:us-east-1:${MOTO_ACCOUNT}:trail/${ds.trail}`;
  const args = [...nodeArgs, BIN, 'validate', '--trail', arn, '--start', iso(T0.getTime() - 91_000), '--end', iso(T0.getTime() - 91_000 + days * DAY), '--region', 'us-east-1', '--endpoint-url', endpoint, '--format', 'json', '--concurrency', String(CONCURRENCY)];
  const env = { ...awsCliEnv(endpoint), NODE_NO_WARNINGS: '1' };
  const r = TIME ? await runProcess(TIME, ['-f', 'TIME %U %S %M', 'node', ...args], env, 1_800_000) : await runProcess('node', args, env, 1_800_000);
  const tm = /TIME ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  let summary: { digests: { valid: number; invalid: number; missing: number }; logs: { valid: number; invalid: number; missing: number } };
  try {
    summary = JSON.parse(r.stdout).summary;
    if (!summary?.digests) throw new Error('no summary');
  } catch {
    throw new Error(`trail-doctor run failed (${r.code}): ${r.stdout.slice(-500)} ${r.stderr.slice(-1500)}`);
  }
  const d = summary.digests;
  const l = summary.logs;
  return {
    ms: r.ms,
    code: r.code,
    digests: `${d.valid}/${d.valid + d.invalid + d.missing}`,
    logsValid: `${l.valid}/${l.valid + l.invalid + l.missing}`,
    ...(tm ? { cpuMs: (Number(tm[1]) + Number(tm[2])) * 1000, maxRssKb: Number(tm[3]) } : {}),
  };
}

async function awsValidate(endpoint: string, ds: Dataset, days: number): Promise<Measured> {
  const arn = `arn:aws:cloudtrail:us-east-1:${MOTO_ACCOUNT}:trail/${ds.trail}`;
  const args = ['cloudtrail', 'validate-logs', '--trail-arn', arn, '--start-time', iso(T0.getTime() - 91_000), '--end-time', iso(T0.getTime() - 91_000 + days * DAY), '--region', 'us-east-1'];
  const r = TIME ? await runProcess(TIME, ['-f', 'TIME %U %S %M', 'aws', ...args], awsCliEnv(endpoint), 1_800_000) : await runProcess('aws', args, awsCliEnv(endpoint), 1_800_000);
  const tm = /TIME ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  const lines = summaryLines(r.stdout);
  const pick = (what: string) => lines.find((l) => l.includes(` ${what} files valid`))?.split(' ')[0];
  if (!pick('digest')) throw new Error(`aws cloudtrail validate-logs failed (${r.code}): ${r.stdout.slice(-800)} ${r.stderr.slice(-800)}`);
  return { ms: r.ms, code: r.code, digests: pick('digest'), logsValid: pick('log'), ...(tm ? { cpuMs: (Number(tm[1]) + Number(tm[2])) * 1000, maxRssKb: Number(tm[3]) } : {}) };
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (kb?: number) => (kb ? `${(kb / 1024).toFixed(0)} MB` : '-');

async function main() {
  const t0 = performance.now();
  const cli = awsCli();
  const runCli = WITH_CLI && cli.available;
  log(`bench/validate: ${DAYS} days, ${LOGS_PER_HOUR} logs/hour, ${MOTOS} moto server(s), delay ${DELAY} ms, --concurrency ${CONCURRENCY}`);
  if (WITH_CLI && !cli.available) log(`!!! AWS CLI comparison SKIPPED: ${cli.reason} (install the Debian package awscli, or pip awscli >= 1.29) !!!`);
  else if (runCli) log(`AWS CLI ${cli.version}`);
  await buildCli();
  const key = makeKey();
  const rows: string[] = [];
  if (ONLY !== 'small') rows.push(...(await largeFileCase(key, runCli)));
  if (ONLY !== 'large') rows.push(...(await smallFileCase(key, runCli)));

  const load = (await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ');
  process.stdout.write(`\n${rows.join('\n')}\n\nbench total ${s(performance.now() - t0)}; machine: ${(await import('node:os')).cpus().length} CPUs, load average ${load}\n`);
}

/**
 * 20–200 KB log files, two seeded emulators behind the caching proxy (filled by the untimed warm-up
 * pass; `--no-cache`: streamed from moto on every run): the work is inflating and hashing.
 */
async function largeFileCase(key: FixtureKey, runCli: boolean): Promise<string[]> {
  log('building datasets…');
  const main = await dataset('main', key, RSS_DAYS, logPool(48, 20, 200), MOTOS);
  const proxy = await startProxyProcess(main.motos.map((m) => m.endpoint), [key], DELAY, { cache: LARGE_CACHED });
  const rows: string[] = [];
  try {
    // Warm-up: one pass over the whole window, not timed, so that neither tool makes the emulators'
    // first reads after seeding (measured 0.1–0.2 s slower than the timed pass that follows).
    const warm = await trailDoctor(proxy.endpoint, main, DAYS);
    log(`  warm-up (not timed${LARGE_CACHED ? ", fills the proxy's cache" : ''}): trail-doctor over ${DAYS} days in ${s(warm.ms)}`);
    const rss1 = await trailDoctor(proxy.endpoint, main, 1);

    const results: Record<string, Measured> = {};
    for (const delay of [DELAY, 0]) {
      await proxy.setDelay(delay);
      results[`td-${delay}`] = await trailDoctor(proxy.endpoint, main, DAYS, PROF_DIR && delay === DELAY ? ['--cpu-prof', '--cpu-prof-dir', PROF_DIR] : []);
      log(`  trail-doctor, delay ${delay} ms: ${s(results[`td-${delay}`]!.ms)}, CPU ${s(results[`td-${delay}`]!.cpuMs ?? 0)} (${results[`td-${delay}`]!.digests} digests, ${results[`td-${delay}`]!.logsValid} logs valid)`);
      if (runCli) {
        results[`cli-${delay}`] = await awsValidate(proxy.endpoint, main, DAYS);
        log(`  aws cloudtrail validate-logs, delay ${delay} ms: ${s(results[`cli-${delay}`]!.ms)}, CPU ${s(results[`cli-${delay}`]!.cpuMs ?? 0)} (${results[`cli-${delay}`]!.digests} digests, ${results[`cli-${delay}`]!.logsValid} logs valid)`);
      }
    }

    const perDay = (n: number) => Math.round((n * DAYS) / main.days);
    rows.push(`| window | ${LARGE_CACHED ? 'reads cached by the proxy' : 'straight from moto'}, ${DAYS} days: ${perDay(main.digests)} digests, ${perDay(main.logs)} log files, ${(perDay(main.gzBytes) / 1e6).toFixed(0)} MB gzip / ${(perDay(main.rawBytes) / 1e6).toFixed(0)} MB inflated (dataset: ${main.days} days) |`);
    for (const delay of [DELAY, 0]) {
      const td = results[`td-${delay}`]!;
      const c = results[`cli-${delay}`];
      const same = c ? c.digests === td.digests && c.logsValid === td.logsValid : undefined;
      rows.push(
        `| delay ${delay} ms | trail-doctor ${s(td.ms)} (CPU ${s(td.cpuMs ?? 0)}) | ${c ? `aws ${s(c.ms)} (CPU ${c.cpuMs ? s(c.cpuMs) : '?'})` : 'aws: not run'} | ${c ? `ratio ${(c.ms / td.ms).toFixed(1)}×` : ''} | counts ${same === undefined ? 'n/a' : same ? 'equal' : `DIFFER (aws ${c!.digests} digests ${c!.logsValid} logs)`}: ${td.digests} digests, ${td.logsValid} logs |`,
      );
      if (same === false) process.exitCode = 1;
    }
    const rss = [`1 day ${mb(rss1.maxRssKb)}`, `${DAYS} days ${mb(results[`td-${DELAY}`]!.maxRssKb)}`];
    if (RSS_DAYS > DAYS) {
      await proxy.setDelay(DELAY);
      const long = await trailDoctor(proxy.endpoint, main, RSS_DAYS);
      log(`  trail-doctor over ${RSS_DAYS} days: ${s(long.ms)}, peak RSS ${mb(long.maxRssKb)} (${long.digests} digests, ${long.logsValid} logs valid)`);
      rss.push(`${RSS_DAYS} days ${mb(long.maxRssKb)} (${s(long.ms)}, ${long.logsValid} logs)`);
    }
    rows.push(`| peak RSS (trail-doctor, delay ${DELAY} ms) | ${rss.join(' | ')} |`);
  } finally {
    await proxy.stop();
    await Promise.all(main.motos.map((m) => m.stop()));
  }

  return rows;
}

const median = (xs: number[]) => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) / 2]! : (a[a.length / 2 - 1]! + a[a.length / 2]!) / 2;
};

/**
 * Small log files (~14 KB gzip, 48 hourly digests × 12): little CPU per file, so the work is per
 * request. One emulator behind the proxy's caching layer (proxy.ts): after the untimed warm-up pass
 * every object GET is answered from the proxy's memory after the delay, so neither tool waits on
 * moto's single Python process. Each tool runs REPEAT times, alternating; the row gives medians.
 */
async function smallFileCase(key: FixtureKey, runCli: boolean): Promise<string[]> {
  log('building the small-file dataset…');
  const SMALL_DAYS = 2;
  const small = await dataset('small', key, SMALL_DAYS, logPool(16, 13, 15), 1);
  const proxy = await startProxyProcess(small.motos.map((m) => m.endpoint), [key], DELAY, { cache: true });
  const rows: string[] = [];
  try {
    const warm = await trailDoctor(proxy.endpoint, small, SMALL_DAYS); // fills the cache, not timed
    log(`  warm-up (not timed, fills the proxy's cache): ${s(warm.ms)}`);
    if (runCli) await awsValidate(proxy.endpoint, small, SMALL_DAYS); // its own first requests too (keys, listings)
    const tds: Measured[] = [];
    const clis: Measured[] = [];
    for (let i = 0; i < REPEAT; i++) {
      const td = await trailDoctor(proxy.endpoint, small, SMALL_DAYS, PROF_DIR ? ['--cpu-prof', '--cpu-prof-dir', PROF_DIR] : []);
      tds.push(td);
      log(`  small #${i + 1}: trail-doctor ${s(td.ms)} (CPU ${s(td.cpuMs ?? 0)}, RSS ${mb(td.maxRssKb)}; ${td.digests} digests, ${td.logsValid} logs valid)`);
      if (runCli) {
        const c = await awsValidate(proxy.endpoint, small, SMALL_DAYS);
        clis.push(c);
        log(`  small #${i + 1}: aws ${s(c.ms)} (CPU ${s(c.cpuMs ?? 0)}, RSS ${mb(c.maxRssKb)}; ${c.digests} digests, ${c.logsValid} logs valid)`);
        if (c.digests !== td.digests || c.logsValid !== td.logsValid) {
          log(`  !!! counts DIFFER: aws ${c.digests} digests ${c.logsValid} logs, trail-doctor ${td.digests} digests ${td.logsValid} logs`);
          process.exitCode = 1;
        }
      }
    }
    const td = { ms: median(tds.map((m) => m.ms)), cpu: median(tds.map((m) => m.cpuMs ?? 0)), rss: median(tds.map((m) => m.maxRssKb ?? 0)) };
    const same = clis.every((c) => c.digests === tds[0]!.digests && c.logsValid === tds[0]!.logsValid) && tds.every((t) => t.digests === tds[0]!.digests && t.logsValid === tds[0]!.logsValid);
    const c = clis.length ? { ms: median(clis.map((m) => m.ms)), cpu: median(clis.map((m) => m.cpuMs ?? 0)), rss: median(clis.map((m) => m.maxRssKb ?? 0)) } : undefined;
    rows.push(`| small log files, ${SMALL_DAYS} days: ${small.digests} digests, ${small.logs} log files, ${(small.gzBytes / 1e6).toFixed(1)} MB gzip / ${(small.rawBytes / 1e6).toFixed(0)} MB inflated; 1 emulator behind the caching proxy, delay ${DELAY} ms, median of ${REPEAT} |`);
    rows.push(
      `| small, delay ${DELAY} ms | trail-doctor ${s(td.ms)} (CPU ${s(td.cpu)}, peak RSS ${mb(td.rss)}) | ${c ? `aws ${s(c.ms)} (CPU ${s(c.cpu)}, peak RSS ${mb(c.rss)})` : 'aws: not run'} | ${c ? `ratio ${(c.ms / td.ms).toFixed(1)}×` : ''} | counts ${c ? (same ? 'equal' : 'DIFFER') : 'n/a'}: ${tds[0]!.digests} digests, ${tds[0]!.logsValid} logs |`,
    );
    if (!same) process.exitCode = 1;
  } finally {
    await proxy.stop();
    await Promise.all(small.motos.map((m) => m.stop()));
  }
  return rows;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
void randomBytes;
