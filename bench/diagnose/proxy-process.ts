import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startBenchProxy } from '../validate/proxy.js';
import { controlLines } from '../validate/proxy-process.js';
import { eventHistory } from '../../test/support/event-history.js';
import { awsJsonError } from '../../test/support/standin.js';
import type { FixtureKey } from '../../test/integrity/fixtures.js';
import { listPublicKeysOverride } from '../../test/integrity/moto-seed.js';

/**
 * The delaying loopback proxy of bench/diagnose, in a process of its own (as bench/validate's): a
 * fixed delay before every request, and what moto lacks answered here. Event history is either a
 * LookupEvents stand-in over the records the seeder delivered (2 requests/s enforced with
 * ThrottlingException, as AWS does) or HTTP 500, moto's own answer to LookupEvents. AWS Health
 * answers SubscriptionRequiredException (no Business support plan: the common reality).
 * ListPublicKeys, which moto lacks, answers with the digest signing keys given (a validating trail).
 * With `cache on`, every S3 read (GET, HEAD; 200 and 404 answers) is answered from the proxy's memory
 * after its first answer, after the same delay, so concurrent reads are not queued behind moto's one
 * Python process; `cache off` empties it. CloudTrail's calls and event history are never cached.
 * Control lines on stdin: `delay N`, `history on|off`, `cache on|off`; each is acknowledged on stdout.
 */
export interface DiagnoseProxy {
  endpoint: string;
  set(line: string): Promise<void>;
  requests(): Promise<number>;
  stop(): Promise<void>;
}

export async function startDiagnoseProxy(upstream: string, recordsFile: string, delayMs: number, keys: FixtureKey[] = []): Promise<DiagnoseProxy> {
  const config = { upstream, recordsFile, delayMs, keys: keys.map((k) => ({ fingerprint: k.fingerprint, der: k.publicDer.toString('base64') })) };
  const child: ChildProcess = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const ask = controlLines(child);
  const ready = await ask();
  const endpoint = /^READY (\S+)$/.exec(ready)?.[1];
  if (!endpoint) throw new Error(`bench proxy: ${ready}`);
  return {
    endpoint,
    set: async (line) => void (await ask(line)),
    requests: async () => Number(/(\d+)$/.exec(await ask('requests'))?.[1] ?? 0),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}

// ---- the child ------------------------------------------------------------------------------
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const config = JSON.parse(process.argv[2]!) as { upstream: string; recordsFile: string; delayMs: number; keys: { fingerprint: string; der: string }[] };
  const keys = config.keys.map((k) => ({ fingerprint: k.fingerprint, publicDer: Buffer.from(k.der, 'base64') }) as FixtureKey);
  const records = JSON.parse(readFileSync(config.recordsFile, 'utf8')) as Record<string, unknown>[];
  let historyOn = true;
  let history = eventHistory(records, { ratePerSecond: 2 });
  const proxy = await startBenchProxy({
    upstreams: [config.upstream],
    delayMs: config.delayMs,
    // off until `cache on`: a bench run first measures moto as it is, then through the cache
    cache: 'reads',
    overrides: {
      ...(keys.length ? listPublicKeysOverride(keys) : {}),
      'CloudTrail_20131101.LookupEvents': (b, ctx) => (historyOn ? history(b, ctx) : awsJsonError('InternalFailure', 'moto has no event history', 500)),
      'AWSHealth_20160804.DescribeEvents': () => awsJsonError('SubscriptionRequiredException', 'The AWS Support plan does not include the AWS Health API'),
    },
  });
  proxy.setCache(false);
  process.stdout.write(`READY ${proxy.endpoint}\n`);
  const input = createInterface({ input: process.stdin });
  input.on('line', (l) => {
    const d = /^delay (\d+)$/.exec(l.trim());
    if (d) proxy.setDelay(Number(d[1]));
    const c = /^cache (on|off)$/.exec(l.trim());
    if (c) proxy.setCache(c[1] === 'on');
    const h = /^history (on|off)$/.exec(l.trim());
    if (h) {
      historyOn = h[1] === 'on';
      // a fresh rate window for each run, as a new minute of AWS would be
      history = eventHistory(records, { ratePerSecond: 2 });
    }
    process.stdout.write(`OK ${l} ${proxy.requests()}\n`);
  });
  input.on('close', () => void proxy.stop().then(() => process.exit(0)));
}
