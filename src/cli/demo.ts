import type { Command } from 'commander';
import { parseFormat, UsageError } from './args.js';
import { emit, useColor, type CliContext } from './context.js';
import type { Register } from './main.js';
import { SCENARIOS, type Scenario } from '../demo/scenarios.js';
import { diagnose } from '../diagnosis/index.js';
import { render } from '../report/index.js';
import { exitCodeFor, type Report } from '../report/model.js';
import { inertLine } from '../util/text.js';
import wrapAnsi from 'wrap-ansi';

/** The scenario shown in full when `demo` runs without a name: the classic 3 a.m. page. */
export const FLAGSHIP = 's3-bucket-policy-denies';

interface DemoFlags {
  list?: boolean;
  format?: string;
  out?: string;
  color?: boolean;
}

function find(id: string): Scenario {
  const s = SCENARIOS.find((x) => x.id === id);
  if (!s) {
    const close = SCENARIOS.map((x) => x.id).filter((x) => x.includes(id) || id.includes(x.split('-')[0] ?? x));
    throw new UsageError(`unknown demo scenario ${JSON.stringify(inertLine(id, 80))}${close.length ? ` (did you mean ${close.slice(0, 3).join(', ')}?)` : ''}; see \`trail-doctor demo --list\``);
  }
  return s;
}

function topCause(r: Report): string {
  const c = r.rootCauses.find((x) => x.confidence !== 'possible') ?? r.rootCauses[0];
  if (!c) return '-';
  // A healthy verdict may still explain some missing events: show the first 'possible' reason.
  const possible = c.id === 'healthy' ? r.rootCauses.find((x) => x.confidence === 'possible') : undefined;
  return possible ? `healthy (possible: ${possible.id})` : c.id;
}

/** `arn:aws:iam::123456789012:user/bob` → `user/bob`: the table is for reading, the report has the ARN. */
const shortActor = (a: string | undefined) => (a ?? '?').replace(/^arn:[^:]+:(?:iam|sts)::\d{12}:/, '');

/**
 * One row per scenario, fitted to the terminal (80 columns when not a terminal): the root cause and
 * its trigger wrap in the last column instead of running past the edge.
 */
export function summaryTable(rows: { s: Scenario; r: Report }[], width = 80): string {
  const w = Math.max(...rows.map((x) => x.s.id.length), 8);
  const vw = Math.max(7, ...rows.map((x) => x.r.verdict.length));
  // Narrower than a readable third column: cause and trigger go under the scenario, indented.
  const narrow = Math.min(width, 160) - w - vw - 5 < 30;
  const rest = narrow ? Math.max(20, width - 5) : Math.min(width, 160) - w - vw - 5;
  const pad = ' '.repeat(narrow ? 4 : w + vw + 4);
  const lines = [narrow ? 'scenario  verdict\n    root cause · trigger' : `${'scenario'.padEnd(w)}  ${'verdict'.padEnd(vw)}  root cause · trigger`];
  for (const { s, r } of rows) {
    const trig = r.rootCauses.find((c) => c.trigger)?.trigger;
    const ok = r.verdict === s.expect.verdict && r.rootCauses.some((c) => c.id === s.expect.rootCause);
    const cells = [
      topCause(r),
      trig ? `${trig.eventName} by ${shortActor(trig.actor)} at ${trig.eventTime.replace(/:\d\dZ$/, 'Z')}` : undefined,
      ok ? undefined : '(unexpected!)',
    ].filter((c): c is string => !!c);
    const wrapped = cells.flatMap((c) => wrapAnsi(c, rest, { hard: true, trim: true }).split('\n'));
    if (narrow) lines.push(`${s.id}  ${r.verdict}`);
    wrapped.forEach((text, i) => lines.push(i === 0 && !narrow ? `${s.id.padEnd(w)}  ${r.verdict.padEnd(vw)}  ${text}` : `${pad}${text}`));
  }
  return lines.join('\n');
}

export const register: Register = (program: Command, ctx: CliContext) => {
  program
    .command('demo')
    .description('replay embedded evidence scenarios through the real diagnosis (no AWS account needed)')
    .argument('[scenario]', 'scenario name (a root-cause id, or healthy); omit to run them all')
    .option('--list', 'list the scenarios')
    .option('--format <format>', 'text | json | markdown | html', 'text')
    .option('--out <file>', 'write the report to a file instead of stdout')
    .option('--no-color', 'no colour even on a terminal')
    .action(async (name: string | undefined, flags: DemoFlags) => {
      if (flags.list) {
        const w = Math.max(...SCENARIOS.map((s) => s.id.length));
        ctx.stdout.write(SCENARIOS.map((s) => `${s.id.padEnd(w)}  ${s.title}`).join('\n') + '\n');
        ctx.exitCode = 0;
        return;
      }
      const format = parseFormat(flags.format);
      const color = format === 'text' && !flags.out && useColor(ctx, flags.color);
      if (name) {
        const report = diagnose(find(name).evidence());
        await emit(ctx, render(report, format, { color, width: ctx.stdout.columns }), flags.out);
        ctx.exitCode = exitCodeFor(report.verdict);
        return;
      }
      // All scenarios: the flagship in full, then one line per scenario.
      const rows = SCENARIOS.map((s) => ({ s, r: diagnose(s.evidence()) }));
      if (format === 'json') {
        await emit(ctx, JSON.stringify(rows.map(({ s, r }) => ({ scenario: s.id, report: r })), null, 2), flags.out);
      } else {
        const flagship = rows.find((x) => x.s.id === FLAGSHIP) ?? rows[0];
        const head = flagship
          ? `Demo: ${SCENARIOS.length} embedded scenarios, each a recorded account with one fault, diagnosed offline.\n\n` +
            `── Full report of scenario "${flagship.s.id}" ──\n\n` +
            render(flagship.r, 'text', { color, width: ctx.stdout.columns }) +
            '\n── Every scenario ──\n\n'
          : '';
        const width = flags.out ? 80 : (ctx.stdout.columns ?? 80);
        await emit(ctx, head + summaryTable(rows, width) + '\n\nRun `trail-doctor demo <scenario>` for any full report\n(add --format html --out report.html).', flags.out);
      }
      const unexpected = rows.filter(({ s, r }) => r.verdict !== s.expect.verdict || !r.rootCauses.some((c) => c.id === s.expect.rootCause));
      ctx.exitCode = unexpected.length ? 1 : 0;
    });
};
