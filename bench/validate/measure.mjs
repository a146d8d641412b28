/**
 * One trail-doctor `validate` run in this process, for bench/validate/run.ts: prints one JSON line
 * with the wall time, this process's peak RSS and CPU, and the summary. It runs the compiled CLI
 * (dist/, `npm run build`), exactly what users run, hashing threads included. Usage:
 *   node bench/validate/measure.mjs <endpoint> <trail-arn> <start> <end> [concurrency] [hash-threads]
 * With TD_BUNDLE=<file>, `run`, `register` and `createClients` come from that one bundled file.
 */
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';

// TD_BUNDLE=<file>: the same three exports from one bundled file (to measure what module loading
// costs); by default the compiled modules in dist/.
const bundle = process.env.TD_BUNDLE ? await import(pathToFileURL(process.env.TD_BUNDLE).href) : undefined;
const { run } = bundle ?? (await import('../../dist/cli/main.js'));
const { register } = bundle ?? (await import('../../dist/cli/validate.js'));
const { createClients } = bundle ?? (await import('../../dist/aws/clients.js'));

const [endpoint, arn, start, end, concurrency = '48', threads] = process.argv.slice(2);
if (!endpoint || !arn || !start || !end) {
  console.error('usage: measure.mjs <endpoint> <trail-arn> <start> <end> [concurrency] [hash-threads]');
  process.exit(2);
}
const capture = () => {
  const stream = new PassThrough();
  const box = { text: '' };
  stream.on('data', (d) => (box.text += d.toString()));
  return { stream, box };
};
const out = capture();
const err = capture();
const makeClients = (o) => createClients(o);
const ctx = { stdout: out.stream, stderr: err.stream, env: process.env, now: () => new Date(), makeClients, exitCode: 0 };
const t0 = performance.now();
const args = ['validate', '--trail', arn, '--start', start, '--end', end, '--region', 'us-east-1', '--endpoint-url', endpoint, '--format', 'json', '--concurrency', concurrency];
if (threads !== undefined) args.push('--hash-threads', threads);
const code = await run(args, ctx, [register]);
const ms = performance.now() - t0;
let summary;
try {
  summary = JSON.parse(out.box.text).summary;
} catch {
  summary = { error: out.box.text.slice(0, 500) + err.box.text.slice(0, 500) };
}
const ru = process.resourceUsage();
process.stdout.write(`${JSON.stringify({ code, ms, cpuMs: (ru.userCPUTime + ru.systemCPUTime) / 1000, maxRssKb: ru.maxRSS, summary })}\n`);
