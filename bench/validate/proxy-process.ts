import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { FixtureKey } from '../../test/integrity/fixtures.js';
import { listPublicKeysOverride } from '../../test/integrity/moto-seed.js';
import { startBenchProxy } from './proxy.js';

/**
 * The benchmark proxy in a process of its own. In the bench's process it shared a heap with the
 * datasets just built (hundreds of MB of bodies and records), and the garbage collection that
 * followed seeding ran during the first measured runs, on the same two cores. Both tools still go
 * through the same proxy. Control: `delay N` lines on stdin; the process ends with its stdin.
 */
export interface ProxyProcess {
  endpoint: string;
  setDelay(ms: number): Promise<void>;
  stop(): Promise<void>;
}

interface Config {
  upstreams: string[];
  keys: Array<{ fingerprint: string; der: string }>;
  delayMs: number;
  cache?: boolean;
}

export async function startProxyProcess(upstreams: string[], keys: FixtureKey[], delayMs: number, opts: { cache?: boolean } = {}): Promise<ProxyProcess> {
  const config: Config = { upstreams, keys: keys.map((k) => ({ fingerprint: k.fingerprint, der: k.publicDer.toString('base64') })), delayMs, cache: opts.cache };
  const child: ChildProcess = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const waiting: Array<(line: string) => void> = [];
  lines.on('line', (l) => waiting.shift()?.(l));
  const next = () => new Promise<string>((resolve, reject) => {
    waiting.push(resolve);
    child.once('exit', (code) => reject(new Error(`bench proxy exited (${code})`)));
  });
  const ready = await next();
  const endpoint = /^READY (\S+)$/.exec(ready)?.[1];
  if (!endpoint) throw new Error(`bench proxy: ${ready}`);
  return {
    endpoint,
    setDelay: async (ms) => {
      const ack = next();
      child.stdin!.write(`delay ${ms}\n`);
      await ack;
    },
    stop: () => new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.stdin!.end();
    }),
  };
}

// ---- the child ------------------------------------------------------------------------------
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const config = JSON.parse(process.argv[2]!) as Config;
  const keys = config.keys.map((k) => ({ fingerprint: k.fingerprint, publicDer: Buffer.from(k.der, 'base64') }) as FixtureKey);
  const proxy = await startBenchProxy({ upstreams: config.upstreams, overrides: listPublicKeysOverride(keys), delayMs: config.delayMs, cache: config.cache });
  process.stdout.write(`READY ${proxy.endpoint}\n`);
  const input = createInterface({ input: process.stdin });
  input.on('line', (l) => {
    const m = /^delay (\d+)$/.exec(l.trim());
    if (m) proxy.setDelay(Number(m[1]));
    process.stdout.write(`OK ${l}\n`);
  });
  input.on('close', () => void proxy.stop().then(() => process.exit(0)));
}
