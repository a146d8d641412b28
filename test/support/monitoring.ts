import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './moto.js';

/**
 * Debian's Prometheus and Alertmanager for end-to-end tests: started on free 127.0.0.1 ports with
 * their own config and a temporary data directory, stopped after. If a binary is missing, suites
 * skip with a loud notice, except under CI=true where they fail (.ci/run installs the packages).
 */
export const BINARIES = {
  prometheus: 'prometheus',
  promtool: 'promtool',
  alertmanager: 'prometheus-alertmanager',
  amtool: 'amtool',
} as const;

export function hasBinary(bin: string): boolean {
  return spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** For `describe.skipIf(...)`: true when a binary is missing and we may skip; throws under CI. */
export function skipWithout(suite: string, bins: readonly string[]): boolean {
  const missing = bins.filter((b) => !hasBinary(b));
  if (!missing.length) return false;
  const hint = 'apt-get install prometheus prometheus-alertmanager';
  if (process.env.CI === 'true') throw new Error(`${suite}: ${missing.join(', ')} not installed, and CI=true forbids skipping (${hint})`);
  console.warn(`\n!!! ${suite}: SKIPPED — ${missing.join(', ')} not installed (${hint}) !!!\n`);
  return true;
}

export interface Daemon {
  url: string;
  port: number;
  dir: string;
  output(): string;
  stop(): Promise<void>;
}

async function startDaemon(bin: string, args: (port: number, dir: string) => string[], name: string): Promise<Daemon> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `td-${name}-`));
  const child: ChildProcess = spawn(bin, args(port, dir), { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 40_000) out = out.slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited early (${child.exitCode}): ${out.slice(-2000)}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not become ready on ${url} within 30 s: ${out.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    url,
    port,
    dir,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

/** `config` is the path of a prometheus.yml (rule files relative to it or absolute). */
export function startPrometheus(config: string): Promise<Daemon> {
  return startDaemon(
    BINARIES.prometheus,
    (port, dir) => [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    'prometheus',
  );
}

export function startAlertmanager(config: string): Promise<Daemon> {
  return startDaemon(
    BINARIES.alertmanager,
    // An empty cluster address turns the gossip listener (0.0.0.0:9094 by default) off.
    (port, dir) => [`--config.file=${config}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
    'alertmanager',
  );
}
