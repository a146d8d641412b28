import type { Command } from 'commander';
import { parseTrailArn } from '../aws/arn.js';
import { checkRegion, isValidRegion } from '../aws/regions.js';

/** Bad input: the CLI prints one line on stderr and exits 2, never a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface TrailRef {
  /** What GetTrail takes: the name, or the full ARN (needed for shadow and organization trails). */
  id: string;
  name: string;
  arn?: string;
  /** Fixed by an ARN. */
  region?: string;
  accountId?: string;
  partition?: string;
}

const TRAIL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$/;

/** `--trail` takes a name (3–128 of [A-Za-z0-9._-], alphanumeric at both ends) or a trail ARN. */
export function parseTrail(input: string): TrailRef {
  const s = input.trim();
  if (s.startsWith('arn:')) {
    const arn = parseTrailArn(s);
    if (!arn) throw new UsageError(`malformed trail ARN: ${JSON.stringify(s)} (expected arn:aws:cloudtrail:<region>:<account>:trail/<name>)`);
    const { partition, region, account: accountId, name } = arn;
    if (!isValidRegion(region)) throw new UsageError(`malformed trail ARN: region ${JSON.stringify(region)} is not an AWS region`);
    if (!TRAIL_NAME.test(name)) throw new UsageError(`malformed trail ARN: ${JSON.stringify(name)} is not a valid trail name`);
    return { id: s, name, arn: s, region, accountId, partition };
  }
  if (!TRAIL_NAME.test(s)) {
    throw new UsageError(
      `invalid trail name ${JSON.stringify(s)}: a trail name is 3-128 letters, digits, '.', '_' or '-', starting and ending with a letter or digit (or pass the trail ARN)`,
    );
  }
  return { id: s, name: s };
}

/**
 * A region, checked against the SDK's partition metadata (a typo gets a "did you mean").
 * `source` names where it came from: --region, AWS_REGION, the region of profile X.
 */
export function parseRegion(input: string | undefined, source = '--region', profile?: { profile: string; files: string }): string {
  if (input === undefined || input === '') {
    const inProfile = profile ? `, or set region in profile ${profile.profile} of ${profile.files}` : ', or set it in the profile';
    throw new UsageError(`no region: pass --region, set AWS_REGION${inProfile}, or use a trail ARN`);
  }
  const c = checkRegion(input);
  if (!c.ok) throw new UsageError(`${source}: ${c.message}`);
  return input;
}

/** Durations like `30m`, `12h`, `7d`, `2w`. */
export function parseDuration(input: string, flag = '--since'): number {
  const m = /^(\d{1,6})\s*(m|min|h|d|w)$/i.exec(input.trim());
  if (!m) throw new UsageError(`${flag}: ${JSON.stringify(input)} is not a duration (use e.g. 90m, 12h, 7d, 2w)`);
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  const ms = n * (unit === 'w' ? 604_800_000 : unit === 'd' ? 86_400_000 : unit === 'h' ? 3_600_000 : 60_000);
  if (ms <= 0) throw new UsageError(`${flag}: the duration must be positive`);
  return ms;
}

/** ISO-8601 with a time zone, or a date alone (UTC midnight). */
export function parseTime(input: string, flag: string): Date {
  const s = input.trim();
  const ok = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i.test(s);
  const t = ok ? Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s.replace(' ', 'T')) : NaN;
  if (Number.isNaN(t)) throw new UsageError(`${flag}: ${JSON.stringify(input)} is not an ISO-8601 time with a zone (e.g. 2026-11-20T08:00Z)`);
  return new Date(t);
}

export interface Window {
  start: Date;
  end: Date;
}

/** CloudTrail event history reaches back 90 days; windows longer than that cannot be checked. */
export const MAX_WINDOW_MS = 90 * 86_400_000;

export function parseWindow(o: { since?: string; start?: string; end?: string }, now: Date, defaultMs = 7 * 86_400_000): Window {
  if (o.since && o.start) throw new UsageError('use either --since or --start/--end, not both');
  const end = o.end ? parseTime(o.end, '--end') : now;
  const start = o.start ? parseTime(o.start, '--start') : new Date(end.getTime() - (o.since ? parseDuration(o.since) : defaultMs));
  if (start.getTime() >= end.getTime()) throw new UsageError(`the window is empty: --start ${start.toISOString()} is not before --end ${end.toISOString()}`);
  if (end.getTime() > now.getTime() + 5 * 60_000) throw new UsageError(`--end ${end.toISOString()} is in the future`);
  if (end.getTime() - start.getTime() > MAX_WINDOW_MS) throw new UsageError('the window is longer than 90 days, the reach of CloudTrail event history');
  return { start, end };
}

export const FORMATS = ['text', 'json', 'markdown', 'html'] as const;
export type Format = (typeof FORMATS)[number];

export function parseFormat(input: string | undefined, allowed: readonly Format[] = FORMATS): Format {
  const f = (input ?? 'text').toLowerCase();
  const alias = f === 'md' ? 'markdown' : f;
  if (!(allowed as readonly string[]).includes(alias)) throw new UsageError(`--format: ${JSON.stringify(input)} is not one of ${allowed.join(', ')}`);
  return alias as Format;
}

/**
 * `--output` (the AWS CLI's name) as an alias of `--format` on every command that has one: added
 * by the program to each command after registration, so new commands inherit it.
 */
export function addOutputAlias(cmd: Command): void {
  if (!cmd.options.some((o) => o.long === '--format') || cmd.options.some((o) => o.long === '--output')) return;
  cmd.option('--output <format>', 'alias of --format (the AWS CLI name)');
  cmd.hook('preAction', (c) => {
    const output = c.getOptionValue('output') as string | undefined;
    if (output === undefined) return;
    const format = c.getOptionValue('format') as string | undefined;
    if (c.getOptionValueSource('format') === 'cli' && format !== undefined && format.toLowerCase() !== output.toLowerCase()) {
      throw new UsageError(`--output ${output} and --format ${format} disagree: pass one of them`);
    }
    c.setOptionValueWithSource('format', output, 'cli');
  });
}

export function parsePositiveInt(input: string, flag: string, max = 1_000): number {
  const n = Number(input);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${flag}: ${JSON.stringify(input)} must be a whole number from 1 to ${max}`);
  return n;
}

export function parseEndpoint(input: string | undefined, source = '--endpoint-url'): string | undefined {
  if (input === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(input);
  } catch {
    throw new UsageError(`${source}: ${JSON.stringify(input)} is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`${source} must be http:// or https://`);
  return input.replace(/\/+$/, '');
}
