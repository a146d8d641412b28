import { Command, CommanderError } from 'commander';
import { defaultContext, loadAwsConfig, takesAwsOptions, type AwsFlags, type CliContext } from './context.js';
import { addOutputAlias, UsageError } from './args.js';
import { AwsConfigError, AwsUnavailableError } from '../aws/credentials/config.js';
import { EvidenceError } from '../evidence/file.js';
import { inertLine, inertText } from '../util/text.js';
import { TOOL_VERSION } from '../version.js';
import { COMMANDS } from './commands.js';

/**
 * Argument parsing and wiring only. Each command lives in its own module and registers itself;
 * this file builds the program and maps failures to exit codes:
 * 0 healthy, 1 problem, 2 usage, input, credential or AWS configuration error, 3 inconclusive
 * (per command's own contract), 4 unexpected error.
 */
export type Register = (program: Command, ctx: CliContext) => void;

export function buildProgram(ctx: CliContext, registrations: readonly Register[] = COMMANDS): Command {
  const program = new Command()
    .name('trail-doctor')
    .description('Why are my AWS CloudTrail events not showing up in my logs, and what exactly do I fix?')
    .version(TOOL_VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      // commander echoes the offending argument: keep escape sequences in it inert.
      writeErr: (s) => ctx.stderr.write(inertText(s)),
    })
    .exitOverride();
  for (const register of registrations) register(program, ctx);
  for (const c of program.commands) {
    c.exitOverride();
    addOutputAlias(c);
  }
  // Before the action of any command with the AWS options: the shared config of the profile in
  // force (an unknown profile ends the run here, before any AWS call).
  program.hook('preAction', async (_program, action) => {
    // An offline replay (--evidence) reads no AWS configuration: it must work on any machine.
    const flags = action.opts() as AwsFlags & { evidence?: string };
    if (takesAwsOptions(action) && !flags.evidence) ctx.aws = await loadAwsConfig(flags, ctx);
  });
  return program;
}

export async function run(argv: string[], ctx: CliContext = defaultContext(), registrations: readonly Register[] = COMMANDS): Promise<number> {
  const program = buildProgram(ctx, registrations);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0; commander already printed its message
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof AwsUnavailableError) {
      ctx.stderr.write(`trail-doctor: ${inertLine(e.message, 2_000)}\n`);
      return 3;
    }
    if (e instanceof UsageError || e instanceof EvidenceError || e instanceof AwsConfigError) {
      ctx.stderr.write(`trail-doctor: ${inertLine(e.message, 2_000)}\n`);
      return 2;
    }
    const err = e as Error;
    ctx.stderr.write(`trail-doctor: unexpected error: ${inertLine(err?.message ?? String(e), 2_000)}\n`);
    if (ctx.env.TRAIL_DOCTOR_DEBUG || argv.includes('--debug')) ctx.stderr.write(`${err?.stack ?? ''}\n`);
    return 4;
  }
}


