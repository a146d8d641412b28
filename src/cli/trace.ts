import type { Command } from 'commander';
import { parseDuration, parseFormat, parseTime, parseTrail, UsageError } from './args.js';
import { addAwsOptions, clientOptions, DEFAULT_DEADLINE_S, emit, type AwsFlags, type CliContext } from './context.js';
import type { Register } from './main.js';
import { inertLine } from '../util/text.js';
import { afterIdentity } from '../aws/identity-gate.js';

interface TraceFlags extends AwsFlags {
  trail?: string;
  eventId?: string;
  eventName?: string;
  time?: string;
  within?: string;
  username?: string;
  resourceName?: string;
  format?: string;
}

const EVENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EVENT_NAME = /^[A-Za-z][A-Za-z0-9_]{0,127}$/;
const show = (s: string) => JSON.stringify(inertLine(s, 80));

/**
 * `trail-doctor trace`: where is my event? Parsing and wiring; the engine is src/trace.
 * Exit 0 delivered everywhere it should be, 1 missing or not recorded, 2 bad input, 3 could not check.
 */
export const register: Register = (program: Command, ctx: CliContext) => {
  const cmd = program
    .command('trace')
    .description('where is my event? find one event and follow it: recorded by this trail, in which S3 log file and log group, and why it is missing where it is not');
  addAwsOptions(
    cmd
      .option('--trail <name-or-arn>', 'trail name, or trail ARN')
      .option('--event-id <id>', 'the event ID (from event history, a UUID)')
      .option('--event-name <name>', 'the API call, e.g. CreateUser (with --time)')
      .option('--time <iso>', 'when it happened, ISO-8601 with a zone, e.g. 2026-11-23T10:42Z')
      .option('--within <duration>', 'how far from --time the event may be (default 10m)')
      .option('--username <name>', 'who made the call (user or role session name), with --time')
      .option('--resource-name <name>', 'a resource the call named, with --time'),
  )
    .option('--format <format>', 'text | json | markdown', 'text')
    .action(async (flags: TraceFlags) => {
      if (!flags.trail) throw new UsageError('--trail is required');
      const trail = parseTrail(flags.trail);
      const format = parseFormat(flags.format, ['text', 'json', 'markdown']);
      const now = ctx.now();
      if (flags.eventId !== undefined && !EVENT_ID.test(flags.eventId.trim())) throw new UsageError(`--event-id: ${show(flags.eventId)} is not a CloudTrail event ID (a UUID like 3f1c9a2e-5b7d-4e1f-9c3a-1b2c3d4e5f60)`);
      if (flags.eventName !== undefined && !EVENT_NAME.test(flags.eventName)) throw new UsageError(`--event-name: ${show(flags.eventName)} is not an API action name (e.g. CreateUser)`);
      if (flags.username !== undefined && !/^[\w+=,.@:\/-]{1,256}$/.test(flags.username)) throw new UsageError(`--username: ${show(flags.username)} is not a user or session name`);
      if (flags.resourceName !== undefined && (flags.resourceName.length === 0 || flags.resourceName.length > 2048)) throw new UsageError('--resource-name: 1 to 2048 characters');
      const time = flags.time !== undefined ? parseTime(flags.time, '--time') : undefined;
      if (time && time.getTime() > now.getTime() + 5 * 60_000) throw new UsageError(`--time ${time.toISOString()} is in the future`);
      const withinMs = flags.within !== undefined ? parseDuration(flags.within, '--within') : undefined;
      if (withinMs !== undefined && withinMs > 86_400_000) throw new UsageError('--within: at most 24h');
      if (!flags.eventId && !time) throw new UsageError('pass --event-id, or --event-name (or --username, --resource-name) with --time');
      if (!flags.eventId && !(flags.eventName || flags.username || flags.resourceName)) throw new UsageError('--time needs --event-name, --username or --resource-name (or pass --event-id)');
      const options = clientOptions(flags, ctx, trail.region, DEFAULT_DEADLINE_S.diagnose);
      const [clients, { traceEvent, traceExitCode, TraceInputError }] = await Promise.all([ctx.makeClients(options, { identityInBackground: true }), import('../trace/index.js')]);
      const { renderTraceText, renderTraceJson, renderTraceMarkdown } = await import('../report/trace.js');
      let report;
      try {
        report = await afterIdentity(clients, traceEvent(clients, {
          trail: trail.id,
          region: options.region,
          now,
          ...(flags.eventId ? { eventId: flags.eventId.trim().toLowerCase() } : {}),
          ...(flags.eventName ? { eventName: flags.eventName } : {}),
          ...(time ? { time } : {}),
          ...(withinMs !== undefined ? { withinMs } : {}),
          ...(flags.username ? { username: flags.username } : {}),
          ...(flags.resourceName ? { resourceName: flags.resourceName } : {}),
        }));
      } catch (e) {
        if (e instanceof TraceInputError) throw new UsageError(e.message);
        throw e;
      }
      await emit(ctx, format === 'json' ? renderTraceJson(report) : format === 'markdown' ? renderTraceMarkdown(report) : renderTraceText(report));
      ctx.exitCode = traceExitCode(report);
    });
};
