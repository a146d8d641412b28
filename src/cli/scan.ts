import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { isValidRegion } from '../aws/regions.js';
import { parsePositiveInt, parseWindow, UsageError } from './args.js';
import { addAwsOptions, clientOptions, DEFAULT_DEADLINE_S, emit, useColor, type AwsFlags, type CliContext } from './context.js';
import type { Register } from './main.js';
import type { ScanResult } from '../scan/model.js';
import type { Shard } from '../scan/shard.js';
import { SCAN_FORMATS, type ScanFormat } from '../report/scan-render.js';

/**
 * `trail-doctor scan`: every trail, region and (with --organization) account in one run, and
 * `scan merge` to combine the JSON of shards. Parsing and wiring only: the engine is src/scan/.
 */
interface ScanFlags extends AwsFlags {
  organization?: boolean;
  roleName: string;
  externalId?: string;
  accounts?: string;
  regions?: string;
  concurrency: string;
  since?: string;
  start?: string;
  end?: string;
  deep?: boolean;
  format?: string;
  out?: string;
  shard?: string;
  evidenceDir?: string;
  color?: boolean;
}

const DAY_MS = 86_400_000;

export function parseScanFormat(v: string | undefined): ScanFormat {
  const f = (v ?? 'text').toLowerCase();
  const alias = f === 'md' ? 'markdown' : f;
  if (!(SCAN_FORMATS as readonly string[]).includes(alias)) throw new UsageError(`--format: ${JSON.stringify(v)} is not one of ${SCAN_FORMATS.join(', ')}`);
  return alias as ScanFormat;
}

export function parseAccounts(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const ids = v.split(',').map((s) => s.trim()).filter(Boolean);
  if (!ids.length) throw new UsageError('--accounts: give at least one 12-digit account id');
  const bad = ids.find((id) => !/^\d{12}$/.test(id));
  if (bad) throw new UsageError(`--accounts: ${JSON.stringify(bad)} is not a 12-digit AWS account id`);
  return [...new Set(ids)];
}

export function parseRegions(v: string | undefined): 'enabled' | string[] {
  if (v === undefined || v.trim().toLowerCase() === 'all') return 'enabled';
  const list = v.split(',').map((s) => s.trim()).filter(Boolean);
  if (!list.length) throw new UsageError('--regions: give "all" or a comma-separated list of regions');
  const bad = list.find((r) => !isValidRegion(r));
  if (bad) throw new UsageError(`--regions: ${JSON.stringify(bad)} is not an AWS region (e.g. eu-west-1)`);
  return [...new Set(list)].sort();
}

/** `K/N`, K from 0 to N-1 (the index of an array job: JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX). */
export function parseShard(v: string | undefined): Shard | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d{1,5})\/(\d{1,5})$/.exec(v.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) throw new UsageError(`--shard: ${JSON.stringify(v)} is not K/N with 0 <= K < N (e.g. 0/4 for the first of four shards)`);
  return { index, count };
}

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** --role-name and --external-id of AssumeRole into member accounts (scan, watch --scan). */
export function parseRoleFlags(flags: { roleName: string; externalId?: string }): { roleName: string; externalId?: string } {
  if (!ROLE_NAME.test(flags.roleName)) throw new UsageError(`--role-name: ${JSON.stringify(flags.roleName)} is not an IAM role name`);
  if (flags.externalId !== undefined && !/^[\w+=,.@:/-]{2,1224}$/.test(flags.externalId)) throw new UsageError('--external-id: 2-1224 characters of letters, digits and +=,.@:/-');
  return { roleName: flags.roleName, ...(flags.externalId !== undefined ? { externalId: flags.externalId } : {}) };
}

async function writeResult(ctx: CliContext, r: ScanResult, format: ScanFormat, flags: { out?: string; color?: boolean }) {
  const { renderScan } = await import('../report/scan-render.js');
  const { scanExitCode } = await import('../scan/result.js');
  const color = format === 'text' && !flags.out && useColor(ctx, flags.color);
  await emit(ctx, renderScan(r, format, { color, width: ctx.stdout.columns }), flags.out);
  ctx.exitCode = scanExitCode(r);
}

export const register: Register = (program: Command, ctx: CliContext) => {
  const scan = program
    .command('scan')
    .description('check every trail, enabled region and (with --organization) account: coverage gaps and each trail\'s health');
  addAwsOptions(scan)
    .option('--organization', 'scan every active account of the organization (Organizations ListAccounts, entered by AssumeRole)')
    .option('--role-name <name>', 'role assumed in member accounts', 'OrganizationAccountAccessRole')
    .option('--external-id <id>', 'external id for AssumeRole, when the member role requires one')
    .option('--accounts <ids>', 'only these accounts (comma-separated 12-digit ids); without --organization they are entered by AssumeRole')
    .option('--regions <list>', 'all (every enabled region, the default) or a comma-separated list', 'all')
    .option('--concurrency <n>', 'accounts, and units of AWS work, in flight at once', '16')
    .option('--since <duration>', 'health window ending now: 90m, 12h, 7d (default 24h)')
    .option('--start <iso>', 'window start, ISO-8601')
    .option('--end <iso>', 'window end, ISO-8601 (default now)')
    .option('--deep', 'also validate digest chains and measure audit gaps when the first pass finds no cause')
    .option('--format <format>', SCAN_FORMATS.join(' | '), 'text')
    .option('--out <file>', 'write the report to a file instead of stdout')
    .option('--shard <K/N>', 'scan only shard K (0-based) of N: a stable hash of the account id picks the accounts')
    .option('--evidence-dir <dir>', 'write every trail\'s full evidence there (else only problem trails\' reports are kept)')
    .option('--no-color', 'no colour even on a terminal (NO_COLOR is honoured too)')
    .action(async (flags: ScanFlags) => {
      const format = parseScanFormat(flags.format);
      const accounts = parseAccounts(flags.accounts);
      const regions = parseRegions(flags.regions);
      const concurrency = parsePositiveInt(flags.concurrency, '--concurrency', 256);
      const shard = parseShard(flags.shard);
      parseRoleFlags(flags);
      const now = new Date(Math.floor(ctx.now().getTime() / 1000) * 1000);
      const window = parseWindow(flags, now, DAY_MS);
      const options = clientOptions(flags, ctx, undefined, DEFAULT_DEADLINE_S.scan);
      const caller = await ctx.makeClients(options);
      const { assumeRoleAccess } = await import('../scan/fleet-calls.js');
      const { runScan, ScanSetupError } = await import('../scan/engine.js');
      const { createScanProgress } = await import('../report/scan-progress.js');
      const progress = createScanProgress(ctx.stderr);
      let result: ScanResult;
      try {
        result = await runScan({
          access: assumeRoleAccess(caller, ctx.makeClients, { roleName: flags.roleName, externalId: flags.externalId }),
          organization: Boolean(flags.organization),
          roleName: flags.roleName,
          accounts,
          regions,
          concurrency,
          window,
          now,
          deep: Boolean(flags.deep),
          shard,
          evidenceDir: flags.evidenceDir,
          onProgress: (p) => progress.update(p),
        });
      } catch (e) {
        if (e instanceof ScanSetupError) {
          ctx.stderr.write(`trail-doctor: ${e.message}\n`);
          ctx.exitCode = 3;
          return;
        }
        throw e;
      } finally {
        progress.stop();
      }
      await writeResult(ctx, result, format, flags);
    });

  scan
    .command('merge')
    .description('combine the JSON outputs of `scan --shard K/N` into one report (same exit codes as scan)')
    .argument('<files...>', 'shard outputs (scan --format json)')
    .option('--format <format>', SCAN_FORMATS.join(' | '), 'json')
    .option('--out <file>', 'write the report to a file instead of stdout')
    .option('--no-color', 'no colour even on a terminal')
    .action(async (files: string[], own: { format?: string; out?: string; color?: boolean }, cmd: Command) => {
      // `scan` has the same options and commander hands them to it even after `merge`: take those given.
      const parent = cmd.parent!;
      const given = (k: 'format' | 'out' | 'color') => (parent.getOptionValueSource(k) === 'cli' ? (parent.opts() as Record<string, unknown>)[k] : undefined);
      const flags = { format: (given('format') as string | undefined) ?? own.format, out: (given('out') as string | undefined) ?? own.out, color: (given('color') as boolean | undefined) ?? own.color };
      const format = parseScanFormat(flags.format);
      const { mergeScans, parseScanResult, MergeError } = await import('../scan/merge.js');
      const parts: ScanResult[] = [];
      for (const f of files) {
        let text: string;
        try {
          text = await readFile(f, 'utf8');
        } catch (e) {
          throw new UsageError(`cannot read ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          throw new UsageError(`${f} is not JSON (write shards with --format json)`);
        }
        try {
          parts.push(parseScanResult(json, f));
        } catch (e) {
          if (e instanceof MergeError) throw new UsageError(e.message);
          throw e;
        }
      }
      let merged: ScanResult;
      try {
        merged = mergeScans(parts);
      } catch (e) {
        if (e instanceof MergeError) throw new UsageError(e.message);
        throw e;
      }
      await writeResult(ctx, merged, format, flags);
    });
};
