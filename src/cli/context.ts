import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { AwsClients, ClientOptions } from '../aws/clients.js';
import { parseEndpoint, parseRegion, UsageError } from './args.js';

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
  makeClients: (opts: ClientOptions) => AwsClients | Promise<AwsClients>;
  /** Set by a command: the process exit code. */
  exitCode: number;
}

export function defaultContext(): CliContext {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    now: () => new Date(),
    makeClients: async (opts) => (await import('../aws/clients.js')).createClients(opts),
    exitCode: 0,
  };
}

/** The AWS connection options every live command takes. */
export function addAwsOptions(cmd: Command): Command {
  return cmd
    .option('--region <region>', 'AWS region (default: AWS_REGION / AWS_DEFAULT_REGION / the profile, or the trail ARN)')
    .option('--profile <profile>', 'named profile from ~/.aws/config (default: AWS_PROFILE or the default credential chain)')
    .option('--endpoint-url <url>', 'send every AWS call to this endpoint (emulators); S3 then uses path-style addressing')
    .option('--timeout <seconds>', 'per-request timeout in seconds', '20')
    .option('--deadline <seconds>', "the whole run's time limit: what is not answered by then is reported as not verified (default per command: diagnose and collect 300, gaps 900, validate 3600)");
}

/** Default run deadlines, in seconds: each is far above a healthy run's time, and ends a run that AWS stalls. */
export const DEFAULT_DEADLINE_S = { diagnose: 300, collect: 300, gaps: 900, validate: 3600 } as const;

export interface AwsFlags {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  timeout?: string;
  deadline?: string;
}

/** Region precedence: --region, then a region fixed by an ARN, then AWS_REGION, AWS_DEFAULT_REGION. */
export function clientOptions(flags: AwsFlags, ctx: CliContext, regionFromArn?: string, defaultDeadlineS: number = DEFAULT_DEADLINE_S.diagnose): ClientOptions {
  const region = parseRegion(flags.region ?? regionFromArn ?? ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION);
  const timeout = flags.timeout === undefined ? 20 : Number(flags.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 600) throw new UsageError(`--timeout: ${JSON.stringify(flags.timeout)} must be a number of seconds from 1 to 600`);
  const deadline = flags.deadline === undefined ? defaultDeadlineS : Number(flags.deadline);
  if (!Number.isFinite(deadline) || deadline < 1 || deadline > 86_400) throw new UsageError(`--deadline: ${JSON.stringify(flags.deadline)} must be a number of seconds from 1 to 86400`);
  const endpointUrl = parseEndpoint(flags.endpointUrl ?? ctx.env.AWS_ENDPOINT_URL);
  return {
    // Wall-clock time of this process, not the run's (possibly replayed) clock.
    deadlineAt: Date.now() + deadline * 1000,
    region,
    profile: flags.profile ?? undefined,
    endpointUrl,
    requestTimeoutMs: timeout * 1000,
    fastObjectReads: true,
  };
}

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
