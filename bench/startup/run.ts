/**
 * bench/startup: how fast each command starts, as a user runs it (`node <bin> ...`, a fresh process
 * each time). See README.md beside this file.
 *
 *   npx tsx bench/startup/run.ts [--runs 15] [--bin dist/cli/bin.js] [--baseline <bin>]
 *                                [--out bench/startup/results.json] [--no-build]
 *
 * Per command: wall time (process start to exit) median and p90, peak RSS (GNU time's %M), and for
 * the live commands (validate, diagnose) the time from process start to the first request reaching
 * a local HTTP server on 127.0.0.1 that stands in for every AWS endpoint (--endpoint-url). That
 * server answers sts:GetCallerIdentity and denies every other request (AccessDenied in the
 * protocol's own shape), so a live run goes through its steps with each read denied, ends quickly
 * and never depends on an emulator's speed. With --baseline,
 * the two builds run interleaved (same load, same moment) and both are reported.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : def;
};
const RUNS = Number(opt('runs', '15'));
const BIN = opt('bin', 'dist/cli/bin.js');
const BASELINE = argv.includes('--baseline') ? opt('baseline', '') : undefined;
const OUT = opt('out', 'bench/startup/results.json');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const log = (s: string) => process.stderr.write(`${s}\n`);

interface Case {
  name: string;
  args: (endpoint: string) => string[];
  live: boolean;
}

const TRAIL_ARN = 'arn:aws:cloudtrail:us-east-1:123456789012:trail/startup-bench';
const START = new Date(Date.now() - 3 * 3600_000).toISOString();
const CASES: Case[] = [
  { name: 'diagnose --help', args: () => ['diagnose', '--help'], live: false },
  { name: 'demo healthy', args: () => ['demo', 'healthy'], live: false },
  { name: 'demo (all scenarios)', args: () => ['demo'], live: false },
  { name: 'validate', args: (e) => ['validate', '--trail', TRAIL_ARN, '--start', START, '--region', 'us-east-1', '--endpoint-url', e, '--format', 'json'], live: true },
  { name: 'diagnose', args: (e) => ['diagnose', '--trail', TRAIL_ARN, '--since', '1h', '--region', 'us-east-1', '--endpoint-url', e, '--format', 'json'], live: true },
];

/** One run's figures. */
interface Sample {
  wallMs: number;
  firstRequestMs?: number;
  /** The first request after the identity check: the command's own work has begun. */
  firstServiceRequestMs?: number;
  requests: number;
  maxRssKb?: number;
  code: number | null;
}

/** The denial each protocol understands: JSON (x-amz-target), CBOR (smithy-protocol), query (form POST), REST-XML (S3). */
function deny(req: IncomingMessage, res: ServerResponse, body: string): void {
  if (body.startsWith('Action=GetCallerIdentity')) {
    // the identity is the one call answered: with it denied, a live run stops at its first call
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/startup-bench</Arn><UserId>AIDASTARTUPBENCH</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>bench</RequestId></ResponseMetadata></GetCallerIdentityResponse>');
    return;
  }
  const target = req.headers['x-amz-target'];
  if (target) {
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'bench' });
    res.end(JSON.stringify({ __type: 'AccessDeniedException', message: 'denied by the startup benchmark' }));
  } else if (String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    res.writeHead(403, { 'content-type': 'text/xml', 'x-amzn-requestid': 'bench' });
    res.end('<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>denied by the startup benchmark</Message></Error><RequestId>bench</RequestId></ErrorResponse>');
  } else {
    res.writeHead(403, { 'content-type': 'application/xml', 'x-amz-request-id': 'bench' });
    res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>denied by the startup benchmark</Message><RequestId>bench</RequestId></Error>');
  }
}

interface Recorder {
  endpoint: string;
  arm(): { first?: number; firstService?: number; count: number };
  close(): Promise<void>;
}

async function startRecorder(): Promise<Recorder> {
  let current: { first?: number; firstService?: number; count: number } = { count: 0 };
  const server = createServer((req, res) => {
    const now = performance.now();
    const box = current;
    box.count++;
    box.first ??= now;
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (!body.startsWith('Action=GetCallerIdentity')) box.firstService ??= now;
      deny(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    arm: () => (current = { count: 0 }),
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const ENV = {
  PATH: process.env.PATH,
  HOME: '/nonexistent-home',
  AWS_ACCESS_KEY_ID: 'AKIDSTARTUPBENCH',
  AWS_SECRET_ACCESS_KEY: 'startup-bench-secret',
  AWS_REGION: 'us-east-1',
  AWS_CONFIG_FILE: '/nonexistent-aws-config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent-aws-credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
  NO_COLOR: '1',
};

async function once(bin: string, c: Case, rec: Recorder, scratch: string): Promise<Sample> {
  const rssFile = join(scratch, 'rss');
  rmSync(rssFile, { force: true });
  const args = [process.execPath, bin, ...c.args(rec.endpoint)];
  const [cmd, ...rest] = TIME ? [TIME, '-f', '%M', '-o', rssFile, ...args] : args;
  const box = rec.arm();
  const t0 = performance.now();
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(cmd!, rest, { env: ENV, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 4 || code === null) log(`  ${c.name}: exit ${code}: ${err.slice(-400)}`);
      resolve(code);
    });
  });
  const wallMs = performance.now() - t0;
  const rss = TIME && existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : undefined;
  return {
    wallMs,
    ...(box.first !== undefined ? { firstRequestMs: box.first - t0 } : {}),
    ...(box.firstService !== undefined ? { firstServiceRequestMs: box.firstService - t0 } : {}),
    requests: box.count,
    ...(rss && Number.isFinite(rss) ? { maxRssKb: rss } : {}),
    code,
  };
}

const quantile = (xs: number[], q: number) => {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  // nearest rank: the p90 of 15 runs is the 14th value
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};
const round = (x: number | undefined) => (x === undefined ? undefined : Math.round(x));

function summarise(samples: Sample[]) {
  const wall = samples.map((s) => s.wallMs);
  const first = samples.flatMap((s) => (s.firstRequestMs === undefined ? [] : [s.firstRequestMs]));
  const service = samples.flatMap((s) => (s.firstServiceRequestMs === undefined ? [] : [s.firstServiceRequestMs]));
  const rss = samples.flatMap((s) => (s.maxRssKb === undefined ? [] : [s.maxRssKb]));
  return {
    runs: samples.length,
    wallMs: { median: round(quantile(wall, 0.5)), p90: round(quantile(wall, 0.9)) },
    ...(first.length ? { firstRequestMs: { median: round(quantile(first, 0.5)), p90: round(quantile(first, 0.9)), runs: first.length } } : {}),
    ...(service.length ? { firstServiceRequestMs: { median: round(quantile(service, 0.5)), p90: round(quantile(service, 0.9)), runs: service.length } } : {}),
    peakRssMb: rss.length ? Math.round(quantile(rss, 0.5)! / 102.4) / 10 : undefined,
    requestsPerRun: quantile(samples.map((s) => s.requests), 0.5),
    exitCodes: [...new Set(samples.map((s) => s.code))],
  };
}

async function main() {
  if (!argv.includes('--no-build')) {
    const b = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
    if (b.status !== 0) throw new Error('npm run build failed');
  }
  const bins: Record<string, string> = { measured: BIN, ...(BASELINE ? { baseline: BASELINE } : {}) };
  for (const b of Object.values(bins)) if (!existsSync(b)) throw new Error(`no CLI at ${b}`);
  const rec = await startRecorder();
  const scratch = mkdtempSync(join(tmpdir(), 'td-startup-'));
  const load = [loadavg()[0]!];
  const samples: Record<string, Record<string, Sample[]>> = {};
  try {
    // one unmeasured run of each: the OS file cache holds the files afterwards, as on a machine
    // where the tool ran before (what is measured is a fresh process, not a cold disk)
    for (const [label, bin] of Object.entries(bins)) for (const c of CASES) await once(bin, c, rec, scratch), (samples[label] ??= {});
    for (let i = 0; i < RUNS; i++) {
      // round-robin, so that a burst of load from elsewhere on the machine hits every case alike
      for (const c of CASES) {
        for (const [label, bin] of Object.entries(bins)) {
          (samples[label]![c.name] ??= []).push(await once(bin, c, rec, scratch));
        }
      }
      load.push(loadavg()[0]!);
      log(`  run ${i + 1}/${RUNS} (load ${loadavg()[0]!.toFixed(2)})`);
    }
  } finally {
    await rec.close();
    rmSync(scratch, { recursive: true, force: true });
  }
  const results = {
    measuredAt: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    loadAverage1m: { min: Math.min(...load), median: quantile(load, 0.5), max: Math.max(...load) },
    runsPerCommand: RUNS,
    builds: Object.fromEntries(
      Object.entries(bins).map(([label, bin]) => [label, { bin, commands: Object.fromEntries(CASES.map((c) => [c.name, { live: c.live, ...summarise(samples[label]![c.name]!) }])) }]),
    ),
  };
  writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);
  for (const [label, b] of Object.entries(results.builds)) {
    log(`\n${label}: ${b.bin}`);
    log('command                 wall median/p90   first request median/p90   first after identity   peak RSS');
    for (const [name, r] of Object.entries(b.commands)) {
      const pair = (x?: { median?: number; p90?: number }) => (x ? `${x.median} / ${x.p90} ms` : '-');
      const fr = pair('firstRequestMs' in r ? r.firstRequestMs : undefined);
      const fs = pair('firstServiceRequestMs' in r ? r.firstServiceRequestMs : undefined);
      log(`${name.padEnd(24)}${pair(r.wallMs).padStart(16)}  ${fr.padStart(24)}  ${fs.padStart(21)}  ${`${r.peakRssMb ?? '-'} MB`.padStart(9)}`);
    }
  }
  log(`\nload average (1 min) over the runs: ${results.loadAverage1m.min.toFixed(2)}–${results.loadAverage1m.max.toFixed(2)} on ${results.cpus} CPUs; written to ${OUT}`);
}

await main();
