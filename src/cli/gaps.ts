import { access, constants } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { parseFormat, parsePositiveInt, parseTrail, parseWindow, UsageError } from './args.js';
import { addAwsOptions, clientOptions, DEFAULT_DEADLINE_S, emit, type AwsFlags, type CliContext } from './context.js';
import type { Register } from './main.js';
import { gapsExitCode, DEFAULT_MAX_LOOKUP_CALLS } from '../gaps/model.js';
import type { GapProgress } from '../gaps/engine.js';
import { renderGapsText, progressLine } from '../report/gaps-text.js';
import { gzipJsonLinesFile } from './export-file.js';
import { afterIdentity } from '../aws/identity-gate.js';

interface GapsFlags extends AwsFlags {
  trail?: string;
  since?: string;
  start?: string;
  end?: string;
  format?: string;
  export?: string;
  maxLookupCalls?: string;
  seed?: string;
}

/** A single progress line on stderr, only when stderr is a terminal. */
function progressOn(stream: CliContext['stderr']): { listener?: (p: GapProgress) => void; stop(): void } {
  if (!stream.isTTY) return { stop() {} };
  let last = 0;
  let shown = false;
  return {
    listener: (p) => {
      const t = Date.now();
      if (t - last < 200) return;
      last = t;
      shown = true;
      const cols = (stream as { columns?: number }).columns ?? 80;
      stream.write(`\r\u001b[K${progressLine(p).slice(0, cols - 1)}`);
    },
    stop() {
      if (shown) stream.write('\r\u001b[K');
    },
  };
}

export const register: Register = (program: Command, ctx: CliContext) => {
  const cmd = program
    .command('gaps')
    .description('measure the audit gap: events in CloudTrail event history that the trail did not deliver, the change that opened each gap, and export them');
  addAwsOptions(
    cmd
      .option('--trail <name-or-arn>', 'trail name, or trail ARN')
      .option('--since <duration>', 'window ending now: 12h, 7d, 30d (default 7d; event history reaches back 90 days)')
      .option('--start <iso>', 'window start, ISO-8601')
      .option('--end <iso>', 'window end, ISO-8601 (default now)'),
  )
    .option('--format <format>', 'text | json', 'text')
    .option('--export <file.jsonl.gz>', 'write the missing events, as CloudTrail records from event history, to a gzip JSON-lines file')
    .option('--max-lookup-calls <n>', `LookupEvents calls for the comparison (2 per second; default ${DEFAULT_MAX_LOOKUP_CALLS})`)
    .option('--seed <n>', 'seed of the deterministic sampling (default 1)')
    .action(async (flags: GapsFlags) => {
      if (!flags.trail) throw new UsageError('--trail is required');
      const trail = parseTrail(flags.trail);
      const format = parseFormat(flags.format, ['text', 'json']);
      const now = ctx.now();
      const window = parseWindow(flags, now);
      const options = clientOptions(flags, ctx, trail.region, DEFAULT_DEADLINE_S.gaps);
      const maxLookupCalls = flags.maxLookupCalls ? parsePositiveInt(flags.maxLookupCalls, '--max-lookup-calls', 100_000) : undefined;
      const seed = flags.seed ? parsePositiveInt(flags.seed, '--seed', 2 ** 31 - 1) : undefined;
      if (flags.export) {
        try {
          await access(dirname(flags.export), constants.W_OK);
        } catch {
          throw new UsageError(`--export: cannot write to the folder of ${flags.export}`);
        }
      }
      const [clients, { measureGaps, GapsInputError }] = await Promise.all([ctx.makeClients(options, { identityInBackground: true }), import('../gaps/index.js')]);
      const progress = progressOn(ctx.stderr);
      let report;
      try {
        report = await afterIdentity(clients, measureGaps(clients, {
          trail: trail.id,
          region: options.region,
          start: window.start,
          end: window.end,
          now,
          maxLookupCalls,
          seed,
          ...(flags.export ? { exportMissing: gzipJsonLinesFile(flags.export) } : {}),
          onProgress: progress.listener,
        }));
      } catch (e) {
        if (e instanceof GapsInputError) throw new UsageError(e.message);
        throw e;
      } finally {
        progress.stop();
      }
      await emit(ctx, format === 'json' ? JSON.stringify(report, null, 2) : renderGapsText(report, { width: ctx.stdout.columns }));
      ctx.exitCode = gapsExitCode(report);
    });
};
