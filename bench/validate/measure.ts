/**
 * One trail-doctor `validate` run in this process, for bench/validate/run.ts: prints one JSON line
 * with the wall time, this process's peak RSS, and the summary. Usage:
 *   npx tsx bench/validate/measure.ts <endpoint> <trail-arn> <start> <end> [concurrency]
 */
import { PassThrough } from 'node:stream';
import { run } from '../../src/cli/main.js';
import { register } from '../../src/cli/validate.js';
import { createClients } from '../../src/aws/clients.js';
import type { CliContext } from '../../src/cli/context.js';

const [endpoint, arn, start, end, concurrency = '32'] = process.argv.slice(2);
if (!endpoint || !arn || !start || !end) {
  console.error('usage: measure.ts <endpoint> <trail-arn> <start> <end> [concurrency]');
  process.exit(2);
}
const out = new PassThrough();
let stdout = '';
out.on('data', (d: Buffer) => (stdout += d.toString()));
const err = new PassThrough();
let stderr = '';
err.on('data', (d: Buffer) => (stderr += d.toString()));
const ctx: CliContext = { stdout: out, stderr: err, env: process.env, now: () => new Date(), makeClients: createClients, exitCode: 0 };
const t0 = performance.now();
const code = await run(['validate', '--trail', arn, '--start', start, '--end', end, '--region', 'us-east-1', '--endpoint-url', endpoint, '--format', 'json', '--concurrency', concurrency], ctx, [register]);
const ms = performance.now() - t0;
let summary: unknown;
try {
  summary = JSON.parse(stdout).summary;
} catch {
  summary = { error: stdout.slice(0, 500) + stderr.slice(0, 500) };
}
const ru = process.resourceUsage();
process.stdout.write(`${JSON.stringify({ code, ms, cpuMs: (ru.userCPUTime + ru.systemCPUTime) / 1000, maxRssKb: ru.maxRSS, summary })}\n`);
