import type { Command } from 'commander';
import { parseDuration, parseTrail, UsageError } from './args.js';
import { parseAccounts, parseRegions, parseRoleFlags } from './scan.js';
import { addAwsOptions, clientOptions, DEFAULT_DEADLINE_S, type AwsFlags, type CliContext } from './context.js';
import type { Register } from './main.js';
import type { ClientOptions } from '../aws/clients.js';

/**
 * `trail-doctor watch`: light checks of the trails every --interval, exported as Prometheus metrics,
 * and the whole diagnosis when Alertmanager posts a firing alert, its verdict posted to --notify-url.
 * Runs until SIGTERM or SIGINT (exit 0 after at most 10 s of grace).
 */
interface WatchFlags extends AwsFlags {
  trail: string[];
  scan?: boolean;
  organization?: boolean;
  roleName: string;
  externalId?: string;
  accounts?: string;
  regions?: string;
  interval: string;
  listen: string;
  notifyUrl?: string;
  notifyFormat: string;
  maxDiagnosesPerHour: string;
  since: string;
  logFormat: string;
}

export const DEFAULT_LISTEN = '127.0.0.1:9464';
export const SHUTDOWN_GRACE_MS = 10_000;

/** `60s`, `5m`, `1h`, or plain seconds; from 1 s to 1 h. */
export function parseInterval(input: string): number {
  const m = /^(\d{1,5})\s*(s|m|h)?$/i.exec(input.trim());
  const n = m ? Number(m[1]) * ({ s: 1_000, m: 60_000, h: 3_600_000 } as const)[(m[2]?.toLowerCase() ?? 's') as 's' | 'm' | 'h'] : NaN;
  if (!Number.isFinite(n) || n < 1_000 || n > 3_600_000) throw new UsageError(`--interval: ${JSON.stringify(input)} must be a duration from 1s to 1h (e.g. 60s, 5m)`);
  return n;
}

/** `host:port`, `[v6]:port`; the host must be given (0.0.0.0 only when asked for). */
export function parseListen(input: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(input.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--listen: ${JSON.stringify(input)} is not HOST:PORT (e.g. ${DEFAULT_LISTEN})`);
  return { host: (m[1] ?? m[2])!, port };
}

function parseNotify(url: string | undefined, format: string): { url?: string; format: 'json' | 'slack' } {
  const f = format.toLowerCase();
  if (f !== 'json' && f !== 'slack') throw new UsageError(`--notify-format: ${JSON.stringify(format)} is not one of json, slack`);
  if (url === undefined) return { format: f };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--notify-url: ${JSON.stringify(url.slice(0, 200))} is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--notify-url must be an http:// or https:// URL, not ${u.protocol}`);
  return { url: u.toString(), format: f };
}

function parseMaxPerHour(input: string): number {
  const n = Number(input);
  if (!Number.isInteger(n) || n < 0 || n > 1_000) throw new UsageError(`--max-diagnoses-per-hour: ${JSON.stringify(input)} must be a whole number from 0 (never diagnose) to 1000`);
  return n;
}

const collectTrail = (v: string, prev: string[]) => [...prev, v];

export const register: Register = (program: Command, ctx: CliContext) => {
  const cmd = program
    .command('watch')
    .description('export delivery freshness as Prometheus metrics, and diagnose a trail when Alertmanager fires (runs until SIGTERM)');
  addAwsOptions(
    cmd
      .option('--trail <name-or-arn>', 'a trail to watch (repeatable); a name is looked up in --region', collectTrail, [])
      .option('--scan', 'watch every trail of the account, found by the fleet discovery of `scan` (read again every hour)')
      .option('--organization', 'with --scan (implied): every active account of the organization, entered by AssumeRole')
      .option('--role-name <name>', 'with --scan: role assumed in member accounts', 'OrganizationAccountAccessRole')
      .option('--external-id <id>', 'with --scan: external id for AssumeRole, when the member role requires one')
      .option('--accounts <ids>', 'with --scan (implied): only these accounts (comma-separated 12-digit ids), entered by AssumeRole')
      .option('--regions <list>', 'with --scan: all (every enabled region, the default) or a comma-separated list of regions whose trails are watched', 'all')
      .option('--interval <duration>', 'time between light checks of each trail: 30s, 60s, 5m', '60s')
      .option('--listen <host:port>', 'address of /metrics, /healthz, /alertmanager, /reports/latest (0.0.0.0:PORT to expose it)', DEFAULT_LISTEN)
      .option('--notify-url <url>', 'http(s) URL the verdict of each diagnosis on alert is posted to')
      .option('--notify-format <format>', 'json (the diagnose JSON plus the alert labels) | slack (Slack/Mattermost incoming webhook)', 'json')
      .option('--max-diagnoses-per-hour <n>', 'diagnoses started on alerts in any rolling hour, all trails together (0: never)', '6')
      .option('--since <duration>', 'window of a diagnosis on alert: 90m, 12h, 7d', '24h')
      .option('--log-format <format>', 'text | json (one JSON object per line on stderr)', 'text'),
  ).action(async (flags: WatchFlags) => {
    const scan = Boolean(flags.scan || flags.organization || flags.accounts !== undefined);
    if (scan && flags.trail.length) throw new UsageError('--trail and --scan are exclusive: name the trails, or let --scan find every trail');
    if (!scan && !flags.trail.length) throw new UsageError('watch needs at least one --trail NAME|ARN, or --scan');
    const trails = flags.trail.map(parseTrail);
    const fleet = scan ? { organization: Boolean(flags.organization), accounts: parseAccounts(flags.accounts), regions: parseRegions(flags.regions), ...parseRoleFlags(flags) } : undefined;
    const intervalMs = parseInterval(flags.interval);
    const listenAt = parseListen(flags.listen);
    const notify = parseNotify(flags.notifyUrl, flags.notifyFormat);
    const maxPerHour = parseMaxPerHour(flags.maxDiagnosesPerHour);
    const sinceMs = parseDuration(flags.since, '--since');
    const logFormat = flags.logFormat.toLowerCase();
    if (logFormat !== 'text' && logFormat !== 'json') throw new UsageError(`--log-format: ${JSON.stringify(flags.logFormat)} is not one of text, json`);
    // The watch runs for days: its light checks have no run deadline (each attempt still has --timeout);
    // each diagnosis on alert gets its own deadline, --deadline seconds from its start.
    const { deadlineAt, ...base }: ClientOptions = { ...clientOptions(flags, ctx, trails[0]?.region), fastObjectReads: false };
    const diagnosisDeadlineMs = Math.max(1_000, (deadlineAt ?? Date.now() + DEFAULT_DEADLINE_S.diagnose * 1000) - Date.now());
    const specs = trails.map((t) => ({ id: t.id, region: flags.region ?? t.region ?? base.region }));

    const { runWatch } = await import('./watch-run.js');
    ctx.exitCode = await runWatch({
      ctx,
      specs,
      ...(fleet ? { fleet } : {}),
      clientOptions: base,
      diagnosisDeadlineMs,
      intervalMs,
      listen: listenAt,
      notify,
      maxPerHour,
      sinceMs,
      logFormat,
    });
  });
};
