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

/**
 * The question-and-answer channel to a proxy process: each control line written is answered by one
 * line. The process exiting fails every question still waiting, through one listener for its life
 * (one per question piled up exit listeners over a bench's runs).
 */
export function controlLines(child: ChildProcess): (line?: string) => Promise<string> {
  const waiting: Array<{ resolve: (line: string) => void; reject: (e: Error) => void }> = [];
  let exited: Error | undefined;
  createInterface({ input: child.stdout! }).on('line', (l) => waiting.shift()?.resolve(l));
  child.once('exit', (code) => {
    exited = new Error(`bench proxy exited (${code})`);
    for (const w of waiting.splice(0)) w.reject(exited);
  });
  return (line) =>
    new Promise<string>((resolve, reject) => {
      if (exited) return reject(exited);
      waiting.push({ resolve, reject });
      if (line !== undefined) child.stdin!.write(`${line}\n`);
    });
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
  const ask = controlLines(child);
  const ready = await ask();
  const endpoint = /^READY (\S+)$/.exec(ready)?.[1];
  if (!endpoint) throw new Error(`bench proxy: ${ready}`);
  return {
    endpoint,
    setDelay: async (ms) => void (await ask(`delay ${ms}`)),
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
