import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { AwsClients, ClientOptions, ApiCallRecord } from '../aws/clients.js';
import { assertProfileExists, configuredEndpoints, loadSharedConfig, resolveRegion, type SharedConfig } from '../aws/credentials/config.js';
import { parseEndpoint, parseRegion, UsageError } from './args.js';
import { inertLine } from '../util/text.js';

/**
 * What a command needs from the outside world, injected so CLI tests can run commands in-process
 * with captured output and fake clients.
 */
export interface CliContext {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  now: () => Date;
  /** May be async: the SDK is loaded only when a live command needs it (demo, --help, --evidence stay fast). */
  makeClients: (opts: ClientOptions, how?: { identityInBackground?: boolean }) => AwsClients | Promise<AwsClients>;
  /** Set by a command: the process exit code. */
  exitCode: number;
  /**
   * The shared AWS config (~/.aws/config and credentials) for the profile in force, loaded by the
   * program before the action of any command that takes the AWS options (see loadAwsConfig).
   */
  aws?: SharedConfig;
}

export function defaultContext(): CliContext {
  const ctx: CliContext = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    now: () => new Date(),
    // Credentials resolved and the caller's identity read before the command does anything else,
    // or, for a diagnosis, alongside its first reads (`afterIdentity` then settles the run).
    makeClients: async (opts, how) => (await import('../aws/connect.js')).connect(opts, { env: ctx.env, config: ctx.aws, ...how }),
    exitCode: 0,
  };
  return ctx;
}

/** Commands that take the AWS options: the program loads the shared config before their action. */
const AWS_COMMANDS = new WeakSet<Command>();
export const takesAwsOptions = (cmd: Command): boolean => AWS_COMMANDS.has(cmd);

/** The AWS connection options every live command takes (the AWS CLI's names and precedence). */
export function addAwsOptions(cmd: Command): Command {
  AWS_COMMANDS.add(cmd);
  return cmd
    .option('--region <region>', 'AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, then the profile\'s region; a trail ARN fixes it too)')
    .option('--profile <profile>', 'named profile of ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE, else environment keys, else `default`)')
    .option('--endpoint-url <url>', 'send every AWS call to this endpoint, overriding configured ones (emulators); S3 then uses path-style addressing')
    .option('--timeout <seconds>', 'per-request timeout in seconds', '20')
    .option('--debug', 'one line per AWS API call on stderr: service, operation, region, HTTP status, duration, retries, request id')
    .option('--deadline <seconds>', "the whole run's time limit: what is not answered by then is reported as not verified (default per command: diagnose and collect 300, gaps 900, validate and scan 3600; watch: each diagnosis on alert 300)");
}

/** Default run deadlines, in seconds: each is far above a healthy run's time, and ends a run that AWS stalls. */
export const DEFAULT_DEADLINE_S = { diagnose: 300, collect: 300, gaps: 900, validate: 3600, scan: 3600 } as const;

export interface AwsFlags {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  timeout?: string;
  debug?: boolean;
  deadline?: string;
}

/**
 * Loads the shared config for the profile in force (--profile, else AWS_PROFILE) through the
 * SDK's loader; a profile named but found in neither file ends the run (exit 2).
 */
export async function loadAwsConfig(flags: AwsFlags, ctx: CliContext): Promise<SharedConfig> {
  if (flags.profile !== undefined && !/^[\w.@+:\/-]{1,128}$/.test(flags.profile)) throw new UsageError(`--profile: ${JSON.stringify(inertLine(flags.profile, 80))} is not a profile name`);
  const cfg = await loadSharedConfig(ctx.env, flags.profile);
  assertProfileExists(cfg, ctx.env);
  return cfg;
}

/** `--debug`: one line per call, never a body or a credential. */
export function debugLine(c: ApiCallRecord): string {
  const parts = [
    `${c.service}.${c.operation}`,
    c.region,
    c.httpStatus !== undefined ? `HTTP ${c.httpStatus}` : 'no answer',
    `${c.durationMs} ms`,
    `retries ${c.retries ?? 0}`,
    c.requestId ? `request-id ${c.requestId}` : undefined,
    c.errorCode ? `error ${c.errorCode}` : undefined,
  ];
  return `trail-doctor: debug: ${inertLine(parts.filter(Boolean).join('  '), 400)}`;
}

/**
 * Region precedence of the AWS CLI: --region, then a region fixed by a trail ARN, then AWS_REGION,
 * AWS_DEFAULT_REGION, then the profile's `region`. Endpoints: --endpoint-url over everything, then
 * each service's configured endpoint (AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the profile's
 * `services` section, its `endpoint_url`), the same with --profile as with AWS_PROFILE.
 */
export function clientOptions(flags: AwsFlags, ctx: CliContext, regionFromArn?: string, defaultDeadlineS: number = DEFAULT_DEADLINE_S.diagnose): ClientOptions {
  const picked = resolveRegion(flags.region ?? regionFromArn, ctx.env, ctx.aws);
  const source = flags.region ? '--region' : regionFromArn ? 'the trail ARN' : picked.source;
  const region = parseRegion(picked.region, source, ctx.aws ? { profile: ctx.aws.profile, files: ctx.aws.configFile } : undefined);
  const timeout = flags.timeout === undefined ? 20 : Number(flags.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 600) throw new UsageError(`--timeout: ${JSON.stringify(flags.timeout)} must be a number of seconds from 1 to 600`);
  const deadline = flags.deadline === undefined ? defaultDeadlineS : Number(flags.deadline);
  if (!Number.isFinite(deadline) || deadline < 1 || deadline > 86_400) throw new UsageError(`--deadline: ${JSON.stringify(flags.deadline)} must be a number of seconds from 1 to 86400`);
  const endpointUrl = parseEndpoint(flags.endpointUrl);
  const endpoints = configuredEndpoints(ctx.env, ctx.aws);
  for (const [service, url] of Object.entries(endpoints)) endpoints[service as keyof typeof endpoints] = parseEndpoint(url, `the configured endpoint of ${service}`);
  const stderr = ctx.stderr;
  return {
    // Wall-clock time of this process, not the run's (possibly replayed) clock.
    deadlineAt: Date.now() + deadline * 1000,
    region,
    profile: flags.profile ?? undefined,
    endpointUrl,
    endpoints,
    requestTimeoutMs: timeout * 1000,
    fastObjectReads: true,
    ...(flags.debug ? { onCall: (c: ApiCallRecord) => void stderr.write(debugLine(c) + '\n') } : {}),
  };
}

/** The endpoint a run's evidence records: --endpoint-url, else CloudTrail's configured one. */
export const recordedEndpoint = (o: ClientOptions): string | undefined => o.endpointUrl ?? o.endpoints?.cloudtrail;

/** Writes to --out FILE when given, else stdout. */
export async function emit(ctx: CliContext, text: string, out?: string): Promise<void> {
  if (out) {
    try {
      await writeFile(out, text);
    } catch (e) {
      throw new UsageError(`cannot write ${out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return;
  }
  ctx.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

/** Colour only on a TTY, never with NO_COLOR or --no-color. */
export function useColor(ctx: CliContext, flag?: boolean): boolean {
  if (flag === false) return false;
  if (ctx.env.NO_COLOR !== undefined && ctx.env.NO_COLOR !== '') return false;
  if (ctx.env.FORCE_COLOR && ctx.env.FORCE_COLOR !== '0') return true;
  return Boolean(ctx.stdout.isTTY);
}
