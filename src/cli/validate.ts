import { Command } from 'commander';
import type { Register } from './main.js';
import { addAwsOptions, clientOptions, DEFAULT_DEADLINE_S, type AwsFlags } from './context.js';
import { parseFormat, parsePositiveInt, parseTime, parseTrail, UsageError } from './args.js';
import { TextStatusPrinter, toJson } from '../report/validate-text.js';
import { DEFAULT_CONCURRENCY } from '../integrity/model.js';
import { isValidRegion } from '../aws/regions.js';
import { afterIdentity } from '../aws/identity-gate.js';

interface ValidateFlags extends AwsFlags {
  trail?: string;
  start?: string;
  end?: string;
  account?: string;
  s3Bucket?: string;
  s3Prefix?: string;
  verbose?: boolean;
  format?: string;
  concurrency?: string;
  hashThreads?: string;
  sourceRegion?: string[];
}

const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * `trail-doctor validate`: proves the digest chain like `aws cloudtrail validate-logs`, concurrently.
 * Exit 0 all valid, 1 anything invalid or missing, 2 bad input, 3 could not check.
 */
export const register: Register = (program, ctx) => {
  const cmd = new Command('validate')
    .description('validate CloudTrail log file integrity (digest chain, signatures, log hashes), like `aws cloudtrail validate-logs` but concurrent')
    .requiredOption('--trail <name|arn>', 'trail name or ARN')
    .requiredOption('--start <time>', 'start of the window (ISO-8601, e.g. 2026-11-01T00:00Z)')
    .option('--end <time>', 'end of the window (default: now)')
    .option('--account <id>', 'account whose chain to validate (organization trails: a member account)')
    .option('--source-region <region...>', 'source regions to validate (default: every region the trail writes)')
    .option('--s3-bucket <bucket>', 'bucket the files are in (default: the trail’s)')
    .option('--s3-prefix <prefix>', 'key prefix (default: the trail’s)')
    .option('--verbose', 'one line per file and its verdict')
    .option('--format <format>', 'text or json', 'text')
    .option('--concurrency <n>', 'files fetched and hashed at once', String(DEFAULT_CONCURRENCY))
    .option('--hash-threads <n>', 'worker threads that inflate and hash log files; 0 hashes in the main thread (default: one per core, at most 4)');
  addAwsOptions(cmd);
  cmd.action(async (flags: ValidateFlags) => {
    const trail = parseTrail(flags.trail ?? '');
    const format = parseFormat(flags.format, ['text', 'json']);
    const start = parseTime(flags.start ?? '', '--start');
    const end = flags.end ? parseTime(flags.end, '--end') : ctx.now();
    if (start.getTime() >= end.getTime()) throw new UsageError(`the window is empty: --start ${start.toISOString()} is not before --end ${end.toISOString()}`);
    if (flags.account !== undefined && !/^\d{12}$/.test(flags.account)) throw new UsageError(`--account: ${JSON.stringify(flags.account)} is not a 12-digit account id`);
    if (flags.s3Bucket !== undefined && !S3_BUCKET.test(flags.s3Bucket)) throw new UsageError(`--s3-bucket: ${JSON.stringify(flags.s3Bucket)} is not a bucket name`);
    if (flags.s3Prefix !== undefined && flags.s3Prefix.length > 200) throw new UsageError('--s3-prefix: longer than 200 characters');
    for (const r of flags.sourceRegion ?? []) if (!isValidRegion(r)) throw new UsageError(`--source-region: ${JSON.stringify(r)} is not an AWS region`);
    const concurrency = parsePositiveInt(flags.concurrency ?? String(DEFAULT_CONCURRENCY), '--concurrency', 256);
    const hashThreads = flags.hashThreads === undefined ? undefined : flags.hashThreads === '0' ? 0 : parsePositiveInt(flags.hashThreads, '--hash-threads', 16);
    const copts = clientOptions(flags, ctx, trail.region, DEFAULT_DEADLINE_S.validate);
    // The validator loads while the credentials resolve; the identity check shares its round trip with the trail's read.
    const [clients, { validateTrail, ValidateInputError }] = await Promise.all([ctx.makeClients(copts, { identityInBackground: true }), import('../integrity/validate.js')]);
    const verbose = Boolean(flags.verbose);
    const printer = format === 'text' ? new TextStatusPrinter(ctx.stdout, ctx.stderr, verbose) : undefined;
    let headed = false;
    const header = (arn: string) => {
      if (headed || !printer) return;
      headed = true;
      printer.header(arn, isoS(start), isoS(end));
    };
    let result;
    try {
      result = await afterIdentity(clients, validateTrail(clients, {
        trail: trail.id,
        region: copts.region,
        ...(flags.sourceRegion ? { regions: flags.sourceRegion } : {}),
        start,
        end,
        ...(flags.account ? { accountId: flags.account } : {}),
        ...(flags.s3Bucket ? { s3Bucket: flags.s3Bucket } : {}),
        ...(flags.s3Prefix !== undefined ? { s3Prefix: flags.s3Prefix } : {}),
        concurrency,
        ...(hashThreads !== undefined ? { hashThreads } : {}),
        verbose,
        now: ctx.now(),
        onResolved: header,
        ...(printer ? { onFile: printer.file, onNotice: printer.notice } : {}),
      }));
    } catch (e) {
      if (e instanceof ValidateInputError) throw new UsageError(e.message);
      throw e;
    }
    if (printer) {
      header(result.trailArn);
      printer.summary(result);
      if (result.status === 'could-not-check') ctx.stderr.write(`trail-doctor: could not check: ${result.error?.message ?? ''}${result.error?.needs ? ` (needs ${result.error.needs})` : ''}\n`);
    } else {
      ctx.stdout.write(`${JSON.stringify(toJson(result, verbose), null, 2)}\n`);
    }
    ctx.exitCode = result.exitCode;
  });
  program.addCommand(cmd);
};

const isoS = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
