import type { Command } from 'commander';
import { parseFormat, parseTrail, parseWindow, UsageError, type Format } from './args.js';
import { addAwsOptions, clientOptions, emit, recordedEndpoint, useColor, type AwsFlags, type CliContext } from './context.js';
import type { Register } from './main.js';
import { diagnose } from '../diagnosis/index.js';
import { render } from '../report/index.js';
import { createProgressDisplay } from '../report/progress.js';
import { exitCodeFor, type Report } from '../report/model.js';
import type { Evidence } from '../evidence/schema.js';
import { afterIdentity } from '../aws/identity-gate.js';

interface DiagnoseFlags extends AwsFlags {
  trail?: string;
  since?: string;
  start?: string;
  end?: string;
  format?: string;
  out?: string;
  evidence?: string;
  color?: boolean;
  integrity?: boolean;
  gaps?: string;
}

/** Shared by diagnose and collect: the trail, window and connection of a live run. */
export function addTargetOptions(cmd: Command): Command {
  return addAwsOptions(
    cmd
      .option('--trail <name-or-arn>', 'trail name, or trail ARN (an ARN fixes account and region; needed for shadow and organization trails)')
      .option('--since <duration>', 'window ending now: 90m, 12h, 7d, 30d (default 7d)')
      .option('--start <iso>', 'window start, ISO-8601 (e.g. 2026-11-20T08:00Z)')
      .option('--end <iso>', 'window end, ISO-8601 (default now)'),
  );
}

export function liveRequest(flags: DiagnoseFlags, ctx: CliContext) {
  if (!flags.trail) throw new UsageError('--trail is required (or --evidence FILE to replay collected evidence)');
  const trail = parseTrail(flags.trail);
  // Whole seconds: report times read like CloudTrail's own (2026-11-24T04:00:00Z).
  const now = new Date(Math.floor(ctx.now().getTime() / 1000) * 1000);
  const window = parseWindow(flags, now);
  // --region wins over the ARN's home region: it chooses where to look (a shadow of a multi-region trail).
  const options = clientOptions(flags, ctx, trail.region);
  return { trail, window, now, options };
}

export function startProgress(ctx: CliContext, flags: { color?: boolean }) {
  // Progress goes to stderr so that stdout carries only the report, even on a terminal.
  return createProgressDisplay(ctx.stderr, { color: useColor({ ...ctx, stdout: ctx.stderr }, flags.color) });
}

const NO_CREDENTIALS = new Set(['CredentialsProviderError', 'ProviderError', 'TokenProviderError']);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ETIMEDOUT', 'NetworkingError', 'TimeoutError']);

/**
 * When not even the caller's identity could be read, every step failed for the same reason: say it
 * once, plainly, on stderr (the report on stdout still says what could not be verified).
 */
export function connectionHint(evidence: Evidence): string | undefined {
  const caller = evidence.steps.s1.caller;
  if (caller.status !== 'error' || !caller.errorCode) return undefined;
  if (NO_CREDENTIALS.has(caller.errorCode)) {
    return 'no AWS credentials found: set AWS_PROFILE or pass --profile, run `aws sso login`, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY';
  }
  if (UNREACHABLE.has(caller.errorCode)) {
    return `could not reach AWS (${caller.errorCode}): check the network, proxy settings or --endpoint-url`;
  }
  return undefined;
}

function gapsMode(v: string | undefined): 'auto' | 'always' | 'never' {
  const m = (v ?? 'auto').toLowerCase();
  if (m !== 'auto' && m !== 'always' && m !== 'never') throw new UsageError(`--gaps: ${JSON.stringify(v)} is not one of auto, always, never`);
  return m;
}

export const register: Register = (program: Command, ctx: CliContext) => {
  const cmd = program
    .command('diagnose')
    .description('run the whole runbook against the account (or replay --evidence) and print the verdict, evidence chain and remediation');
  addTargetOptions(cmd)
    .option('--evidence <file>', 'replay evidence written by `trail-doctor collect` (offline, no AWS calls)')
    .option('--format <format>', 'text | json | markdown | html', 'text')
    .option('--out <file>', 'write the report to a file instead of stdout')
    .option('--no-color', 'no colour even on a terminal (NO_COLOR is honoured too)')
    .option('--no-integrity', 'skip digest-chain validation even when the trail has log file validation on')
    .option('--gaps <mode>', 'measure the audit gap against event history: auto (when no cause is found), always, never', 'auto')
    .action(async (flags: DiagnoseFlags) => {
      const format: Format = parseFormat(flags.format);
      const color = format === 'text' && !flags.out && useColor(ctx, flags.color);
      let report: Report;
      if (flags.evidence) {
        if (flags.trail || flags.since || flags.start || flags.end) {
          throw new UsageError('--evidence replays a recorded run: it takes no --trail or window flags');
        }
        // the schemas (and their validation library) load only for a replay
        const { readEvidenceFile } = await import('../evidence/io.js');
        report = diagnose(await readEvidenceFile(flags.evidence));
      } else {
        const { trail, window, now, options } = liveRequest(flags, ctx);
        // The diagnosis modules load while the credentials resolve; the identity check then shares
        // its round trip with the plan's first reads.
        const [clients, { gather }] = await Promise.all([ctx.makeClients(options, { identityInBackground: true }), import('./pipeline.js')]);
        const progress = startProgress(ctx, flags);
        let evidence: Evidence;
        try {
          const run = gather(
            clients,
            { trail: trail.id, region: options.region, window, now, profile: options.profile, endpointUrl: recordedEndpoint(options), onProgress: progress.listener },
            { integrity: flags.integrity !== false, gaps: gapsMode(flags.gaps), onPhase: progress.phase },
          );
          ({ report, evidence } = await afterIdentity(clients, run));
        } finally {
          progress.stop();
        }
        const hint = connectionHint(evidence);
        if (hint) ctx.stderr.write(`trail-doctor: ${hint}\n`);
      }
      await emit(ctx, render(report, format, { color, width: ctx.stdout.columns }), flags.out);
      ctx.exitCode = exitCodeFor(report.verdict);
    });
};
