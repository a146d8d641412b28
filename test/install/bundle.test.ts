import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BIN, ensureBuilt, ROOT } from '../support/cli.js';
import { MOTO_ENV, skipWithoutMoto, startMoto, useMotoCredentials, type Moto } from '../support/moto.js';
import { startStandin, type Standin } from '../support/standin.js';
import { buildChain, makeKey, type Store } from '../integrity/fixtures.js';
import { listPublicKeysOverride, MOTO_ACCOUNT, seedMoto } from '../integrity/moto-seed.js';

/**
 * The published bin is a bundle (scripts/bundle.mjs): it must behave exactly like the unbundled
 * build, read nothing from node_modules, leave the AWS SDK unparsed where no AWS call is made,
 * and still run validate's hashing threads (a worker file found by URL next to its chunk).
 * Which files a run loads is recorded by a module hook given with --import (it follows worker
 * threads, which inherit the flag); which SDK modules a chunk holds, by the bundler's comments
 * naming each bundled module.
 */
const UNBUNDLED = `${ROOT}dist/cli/main.js`;
const work = mkdtempSync(join(tmpdir(), 'td-bundle-'));
const HOOK = join(work, 'record-loads.mjs');
writeFileSync(
  HOOK,
  [
    "import Module, { register } from 'node:module';",
    "import { appendFileSync } from 'node:fs';",
    "import { pathToFileURL } from 'node:url';",
    'const out = process.env.TD_LOAD_LOG;',
    "const hooks = \"import { appendFileSync } from 'node:fs'; let out; export function initialize(d) { out = d.out; } export async function load(url, context, next) { appendFileSync(out, url + '\\\\n'); return next(url, context); }\";",
    "register('data:text/javascript,' + encodeURIComponent(hooks), { data: { out } });",
    'const compile = Module.prototype._compile;',
    "Module.prototype._compile = function (code, file) { appendFileSync(out, pathToFileURL(file).href + '\\n'); return compile.call(this, code, file); };",
  ].join('\n'),
);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** file: URLs of every module loaded, main thread and workers */
  loaded: string[];
}

let runs = 0;
function node(args: string[], env: Record<string, string> = {}, record = true): Promise<Run> {
  const log = join(work, `loads-${++runs}.txt`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(record ? ['--import', HOOK] : []), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: '/nonexistent-home', NO_COLOR: '1', TD_LOAD_LOG: log, ...MOTO_ENV, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const loaded = existsSync(log) ? [...new Set(readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('file:')))] : [];
      resolve({ code, stdout, stderr, loaded });
    });
  });
}

const cli = (args: string[], env?: Record<string, string>) => node([BIN, ...args], env);
/** The same CLI from tsc's unbundled modules: the reference the bundle must match. */
const UNBUNDLED_BIN = join(work, 'unbundled.mjs');
writeFileSync(UNBUNDLED_BIN, `const { run } = await import(${JSON.stringify(pathToFileURL(UNBUNDLED).href)});\nprocess.exitCode = await run(process.argv.slice(2));\n`);
const unbundled = (args: string[]) => node([UNBUNDLED_BIN, ...args], {}, false);

const SDK_MODULE = /^\/\/ .*node_modules\/(@aws-sdk|@smithy|@aws-crypto)\/.*$/gm;
// The SDK's partition table is bundled beside the region checks of argument parsing, which need
// it synchronously; it is evaluated on first use only (a --region flag), never at start-up.
const PARTITION_TABLE = /@aws-sdk\/core\/.*\/util-endpoints\/lib\/aws\/partitions?\.(js|json)$/;

/** The SDK modules held by the files a run loaded. */
function sdkModulesLoaded(r: Run): string[] {
  return r.loaded.flatMap((u) => readFileSync(fileURLToPath(u), 'utf8').match(SDK_MODULE) ?? []).filter((m) => !PARTITION_TABLE.test(m));
}

// The validation library (~0.75 MB of bundle, about 70 ms of a command's start-up) is for the
// code that parses evidence or input files only.
const ZOD_MODULE = /^\/\/ .*node_modules\/zod\/.*$/m;
const loadsZod = (r: Run) => r.loaded.some((u) => ZOD_MODULE.test(readFileSync(fileURLToPath(u), 'utf8')));

const outsideTheBundle = (r: Run) => r.loaded.filter((u) => !u.startsWith(pathToFileURL(`${ROOT}dist/cli/`).href) || /\/dist\/cli\/(?!bin\.js|chunk-|hash-worker\.js)/.test(u));

beforeAll(() => ensureBuilt(), 240_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the bundled CLI', () => {
  it('is an ES module bundle with a shebang: bin.js imports its chunks, not the sources tsc compiled beside it', () => {
    const text = readFileSync(BIN, 'utf8');
    expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(text).not.toMatch(/["']\.\/main\.js["']/);
    expect(text).toMatch(/(from |import\()["']\.\/chunk-[A-Z0-9]+\.js["']/);
  });

  it('prints the same help, policy and demo reports (JSON, text) as the unbundled build', async () => {
    for (const args of [['--help'], ['diagnose', '--help'], ['policy'], ['demo', '--format', 'json'], ['demo', 'healthy'], ['demo', '--list']]) {
      const [bundled, reference] = await Promise.all([cli(args), unbundled(args)]);
      expect(bundled.code, `${args.join(' ')}: ${bundled.stderr}`).toBe(reference.code);
      expect(bundled.stdout, args.join(' ')).toBe(reference.stdout);
      expect(bundled.stdout.length).toBeGreaterThan(100);
    }
    const demo = await cli(['demo', '--format', 'json']);
    expect(demo.stdout.trimStart().startsWith('[') || demo.stdout.trimStart().startsWith('{')).toBe(true);
  }, 120_000);

  it('diagnose --help and demo load only the bundle: nothing from node_modules, no AWS SDK module, no schema library', async () => {
    for (const args of [['diagnose', '--help'], ['demo'], ['demo', 'healthy', '--format', 'json'], ['--version']]) {
      const r = await cli(args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.loaded.length, args.join(' ')).toBeGreaterThan(1);
      expect(outsideTheBundle(r), args.join(' ')).toEqual([]);
      expect(sdkModulesLoaded(r), args.join(' ')).toEqual([]);
      expect(loadsZod(r), args.join(' ')).toBe(false);
    }
  }, 120_000);
});

const skip = skipWithoutMoto('bundled CLI against moto');

describe.skipIf(skip)('the bundled CLI against moto', () => {
  let moto: Moto;
  let standin: Standin;
  const ARN = `arn:aws:cloudtrail:us-east-1:${MOTO_ACCOUNT}:trail/bundle-trail`;
  beforeAll(async () => {
    useMotoCredentials();
    const key = makeKey();
    const store: Store = new Map();
    moto = await startMoto();
    standin = await startStandin({ upstream: moto.endpoint, overrides: listPublicKeysOverride([key]) });
    // Log files of ~64 KB that do not compress: small ones are hashed on the main thread, these need the threads.
    const large = () => Buffer.from(JSON.stringify({ Records: [{ eventVersion: '1.08', padding: randomBytes(48 * 1024).toString('base64') }] }));
    buildChain(store, { bucket: 'bundle-bucket', prefix: 'pfx', account: MOTO_ACCOUNT, region: 'us-east-1', trail: 'bundle-trail', firstStart: new Date('2026-01-10T00:01:31Z'), digests: 3, logsPerDigest: 2, key, logRaw: large });
    await seedMoto(moto.endpoint, store, { name: 'bundle-trail', bucket: 'bundle-bucket', prefix: 'pfx' });
  }, 120_000);
  afterAll(async () => {
    await standin?.stop();
    await moto?.stop();
  });

  it('validate runs its hashing threads from the bundle (the worker found next to its chunk) and loads the SDK it needs, from the bundle', async () => {
    const r = await cli(['validate', '--trail', ARN, '--start', '2026-01-10T00:00:00Z', '--end', '2026-01-10T05:00:00Z', '--region', 'us-east-1', '--endpoint-url', standin.endpoint, '--format', 'json', '--hash-threads', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).summary.logs.valid).toBeGreaterThan(0);
    expect(loadsZod(r)).toBe(false);
    expect(r.loaded).toContain(pathToFileURL(`${ROOT}dist/cli/hash-worker.js`).href);
    expect(outsideTheBundle(r)).toEqual([]);
    // the control of the check above: a live command's chunks do hold SDK modules
    const sdk = sdkModulesLoaded(r);
    expect(sdk.some((m) => m.includes('@aws-sdk/client-s3/'))).toBe(true);
    expect(sdk.some((m) => m.includes('@aws-sdk/client-cloudtrail/'))).toBe(true);
    // tree-shaken to the commands sent: nothing of EC2 (fleet scans only, its own chunk), none S3 has but trail-doctor never sends
    expect(sdk.filter((m) => m.includes('@aws-sdk/client-ec2/'))).toEqual([]);
    expect(sdk.filter((m) => m.includes('@aws-sdk/client-s3/dist-es/commands/PutObjectCommand'))).toEqual([]);
  }, 120_000);

  it('a fleet scan loads EC2 (its enabled regions), from a chunk of its own that no other live command loads', async () => {
    const r = await cli(['scan', '--region', 'us-east-1', '--endpoint-url', moto.endpoint, '--format', 'json']);
    expect([0, 1], r.stderr).toContain(r.code);
    expect(JSON.parse(r.stdout).accounts[0].regions.length).toBeGreaterThan(1);
    expect(outsideTheBundle(r)).toEqual([]);
    expect(sdkModulesLoaded(r).some((m) => m.includes('@aws-sdk/client-ec2/'))).toBe(true);
  }, 120_000);

  it('an offline replay (diagnose --evidence) loads no AWS SDK module; the live collect that wrote the evidence did; only the replay, which parses evidence, loads the schema library', async () => {
    const file = join(work, 'evidence.json');
    const collect = await cli(['collect', '--trail', ARN, '--region', 'us-east-1', '--endpoint-url', moto.endpoint, '--since', '1h', '--out', file]);
    expect(existsSync(file), collect.stderr).toBe(true);
    expect(sdkModulesLoaded(collect).length).toBeGreaterThan(0);
    expect(loadsZod(collect)).toBe(false);
    const replay = await cli(['diagnose', '--evidence', file, '--format', 'json']);
    expect([0, 1, 3], replay.stderr).toContain(replay.code);
    expect(JSON.parse(replay.stdout).trail).toBeDefined();
    expect(outsideTheBundle(replay)).toEqual([]);
    expect(sdkModulesLoaded(replay)).toEqual([]);
    expect(loadsZod(replay)).toBe(true);
  }, 180_000);
});
