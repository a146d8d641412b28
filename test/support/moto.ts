import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * moto's server for end-to-end tests and benchmarks: started on a free 127.0.0.1 port, stopped after.
 * If `moto_server` is missing, suites skip with a loud notice, except under CI=true where they fail.
 */
export interface Moto {
  endpoint: string;
  port: number;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export function motoAvailable(): boolean {
  const r = spawnSync('moto_server', ['--help'], { stdio: 'ignore' });
  return r.status === 0;
}

/** For `describe.skipIf(...)`: true when moto is missing and we may skip; throws under CI. */
export function skipWithoutMoto(suite: string): boolean {
  if (motoAvailable()) return false;
  if (process.env.CI === 'true') throw new Error(`${suite}: moto_server is not installed, and CI=true forbids skipping (pip install 'moto[server]')`);
  console.warn(`\n!!! ${suite}: SKIPPED — moto_server is not installed (pip install 'moto[server]') !!!\n`);
  return true;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface StartMotoOptions {
  env?: Record<string, string>;
}

export async function startMoto(opts: StartMotoOptions = {}): Promise<Moto> {
  const port = await freePort();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (stderr.length < 20_000) stderr += d.toString();
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited early (${child.exitCode}): ${stderr.slice(-2000)}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not start on ${endpoint} within 30 s: ${stderr.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    endpoint,
    port,
    async reset() {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    },
    stop() {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
      });
    },
  };
}

/** Credentials for the emulator: never real ones, and never the user's profile. */
export const MOTO_ENV = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_SESSION_TOKEN: 'testing',
  AWS_EC2_METADATA_DISABLED: 'true',
} as const;

export function useMotoCredentials(): void {
  Object.assign(process.env, MOTO_ENV);
  delete process.env.AWS_PROFILE;
}
