import { startMoto, useMotoCredentials } from '../../test/support/moto.js';
import { buildChain, makeKey, records, type Store } from '../../test/integrity/fixtures.js';
import { listPublicKeysOverride, MOTO_ACCOUNT, runProcess, seedMoto } from '../../test/integrity/moto-seed.js';
import { startBenchProxy } from './proxy.js';
import { gzipSync } from 'node:zlib';
useMotoCredentials();
const key = makeKey();
const pool: Buffer[] = [];
for (let i = 0; i < 24; i++) pool.push(records(new Date(), 400 + i * 150));
console.log('pool gz avg KB', pool.reduce((n, r) => n + gzipSync(r).length, 0) / pool.length / 1024);
const store: Store = new Map();
let k = 0;
buildChain(store, { bucket: 'probe-bucket', account: MOTO_ACCOUNT, region: 'us-east-1', trail: 'probe', firstStart: new Date('2026-10-01T00:01:31Z'), digests: 24, logsPerDigest: 12, key, logRaw: () => pool[k++ % pool.length]! });
const moto = await startMoto();
await seedMoto(moto.endpoint, store, { name: 'probe', bucket: 'probe-bucket' });
const proxy = await startBenchProxy({ upstreams: [moto.endpoint], overrides: listPublicKeysOverride([key]), delayMs: 0 });
const arn = `arn:aws:cloudtrail:us-east-1:${MOTO_ACCOUNT}:trail/probe`;
for (const extra of [[], ['--cpu-prof', '--cpu-prof-dir=/tmp/tdprof']]) {
  const r = await runProcess('node', [...extra, '--import', 'tsx', 'bench/validate/measure.ts', proxy.endpoint, arn, '2026-10-01T00:00:00Z', '2026-10-02T00:00:00Z', '32'], { ...process.env, NODE_NO_WARNINGS: '1' });
  console.log(r.ms.toFixed(0), r.stdout.trim().split('\n').pop());
}
const t = performance.now();
const r2 = await runProcess('node', ['--import', 'tsx', '-e', '1'], { ...process.env, NODE_NO_WARNINGS: '1' });
console.log('bare node+tsx startup', (performance.now() - t).toFixed(0), r2.code);
await proxy.stop();
await moto.stop();
