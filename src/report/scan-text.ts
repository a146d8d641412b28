import { createColors } from 'picocolors';
import stringWidth from 'string-width';
import type { ScanAccount, ScanFinding, ScanResult, ScanTrail } from '../scan/model.js';
import { inertLine } from '../util/text.js';
import { scanExitCode } from '../scan/result.js';
import { wrapCommand } from './shell-wrap.js';

/**
 * The terminal view of a fleet scan: one summary table (account, region coverage, trail, verdict,
 * top root cause, trigger), then each problem with its evidence and the exact fix. Untrusted names
 * are made inert before layout; colour only when asked.
 */
export interface ScanTextOptions {
  color: boolean;
  width?: number;
}

const FINDING_CONFIDENCES = new Set(['confirmed', 'likely']);
/** A terminal is for reading: past these, the text points at the formats that hold everything. */
const MAX_LISTED = 100;
const MAX_DETAILED = 50;

/** The cause to headline for a trail: its first confirmed or likely one. */
export function topCause(t: ScanTrail) {
  return t.rootCauses.find((c) => c.id !== 'healthy' && FINDING_CONFIDENCES.has(c.confidence));
}

export function coverageCell(a: ScanAccount): string {
  if (a.status === 'unreachable') return 'unreachable';
  const covered = a.regions.filter((r) => r.status === 'covered').length;
  const unknown = a.regions.filter((r) => r.status === 'unknown').length;
  return `${covered}/${a.regions.length} covered${unknown ? `, ${unknown} unknown` : ''}`;
}

export interface SummaryRow {
  account: string;
  coverage: string;
  trail: string;
  verdict: string;
  cause: string;
  trigger: string;
}

/** One row per trail, or one per account without trails: the rows of every tabular format. */
export function summaryRows(r: ScanResult): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const a of r.accounts) {
    const account = a.name ? `${a.accountId} (${inertLine(a.name, 40)})` : a.accountId;
    const coverage = coverageCell(a);
    if (!a.trails.length) {
      rows.push({ account, coverage, trail: a.status === 'unreachable' ? '—' : '(no trail)', verdict: a.status === 'unreachable' ? 'unreachable' : '—', cause: a.status === 'unreachable' ? 'account-unreachable' : '', trigger: '' });
      continue;
    }
    for (const t of a.trails) {
      const c = topCause(t);
      rows.push({
        account,
        coverage,
        trail: `${inertLine(t.name, 60)}${t.isOrganizationTrail ? ' [org]' : ''} (${t.homeRegion})`,
        verdict: t.verdict,
        cause: c?.id ?? '',
        trigger: c?.trigger ? `${inertLine(c.trigger.eventName, 40)}${c.trigger.actor ? ` by ${inertLine(c.trigger.actor, 60)}` : ''} at ${inertLine(c.trigger.eventTime, 30)}` : '',
      });
    }
  }
  return rows;
}

const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - stringWidth(s)));

function where(f: ScanFinding, r: ScanResult): string {
  const name = r.accounts.find((a) => a.accountId === f.accountId)?.name;
  const acct = name ? `${f.accountId} (${inertLine(name, 40)})` : f.accountId;
  const trail = f.trailArn ? ` · ${inertLine(f.trailArn.split(':trail/')[1] ?? f.trailArn, 80)}` : '';
  return `${acct}${f.region ? ` · ${f.region}` : ''}${trail}`;
}

export function renderScanText(r: ScanResult, opts: ScanTextOptions): string {
  const c = createColors(opts.color);
  const width = Math.max(60, Math.min(opts.width && opts.width > 0 ? opts.width : 100, 160));
  const out: string[] = [];
  const s = r.summary;
  const code = scanExitCode(r);
  const verdict = code === 1 ? c.red(c.bold('PROBLEMS FOUND')) : code === 3 ? c.yellow(c.bold('INCONCLUSIVE')) : c.green(c.bold('ALL COVERED AND HEALTHY'));
  out.push(`${verdict}  trail-doctor scan · ${r.window.start} → ${r.window.end}${r.scope.shard ? ` · shard ${r.scope.shard.index}/${r.scope.shard.count}` : ''}`);
  out.push(
    `${s.accounts} account${s.accounts === 1 ? '' : 's'} (${s.reachable} reachable) · ${s.trails} trail${s.trails === 1 ? '' : 's'}: ${s.healthy} healthy, ${s.problem} with a problem, ${s.inconclusive} inconclusive · ${s.uncoveredRegions} uncovered region${s.uncoveredRegions === 1 ? '' : 's'}`,
  );
  if (r.scope.inactiveAccounts) out.push(c.dim(`${r.scope.inactiveAccounts} suspended or closing account${r.scope.inactiveAccounts === 1 ? '' : 's'} of the organization not scanned`));
  out.push('');

  const rows = summaryRows(r);
  const head: SummaryRow = { account: 'ACCOUNT', coverage: 'REGIONS', trail: 'TRAIL', verdict: 'VERDICT', cause: 'TOP ROOT CAUSE', trigger: 'TRIGGER' };
  const cols = ['account', 'coverage', 'trail', 'verdict', 'cause', 'trigger'] as const;
  const w = Object.fromEntries(cols.map((k) => [k, Math.max(...[head, ...rows].map((x) => stringWidth(x[k])))])) as Record<(typeof cols)[number], number>;
  for (const row of [head, ...rows]) {
    const v = row === head ? row.verdict : row.verdict === 'healthy' ? c.green(row.verdict) : row.verdict === 'problem' ? c.red(row.verdict) : row.verdict === '—' ? row.verdict : c.yellow(row.verdict);
    const line = cols.map((k) => (k === 'verdict' ? v + ' '.repeat(Math.max(0, w.verdict - stringWidth(row.verdict))) : pad(row[k], w[k]))).join('  ').trimEnd();
    out.push(row === head ? c.bold(line) : line);
  }

  const uncovered = r.accounts.flatMap((a) => a.regions.filter((x) => x.status !== 'covered').map((x) => ({ a, x })));
  if (uncovered.length) {
    out.push('', c.bold('Regions not covered'));
    for (const { a, x } of uncovered.slice(0, MAX_LISTED)) {
      out.push(`  ${x.status === 'not-covered' ? c.red('✗') : c.yellow('?')} ${a.accountId} ${x.region}${x.status === 'unknown' ? ` — coverage unknown: ${inertLine(x.reason ?? '', 300)}` : ''}`);
    }
    if (uncovered.length > MAX_LISTED) out.push(`  … and ${uncovered.length - MAX_LISTED} more (every one is in --format json, csv or html)`);
  }

  if (r.findings.length) {
    out.push('', c.bold(`Problems (${r.findings.length})`));
    for (const f of r.findings.slice(0, MAX_DETAILED)) {
      out.push('', `${c.red('✗')} ${c.bold(f.id)} (${f.confidence}) — ${where(f, r)}`);
      out.push(`  ${inertLine(f.summary, 600)}`);
      for (const e of (f.evidence ?? []).slice(0, 8)) out.push(`    · ${inertLine(e, 400)}`);
      if (f.remediation) {
        out.push(`  ${c.bold('Fix:')} ${inertLine(f.remediation.summary, 600)}`);
        for (const cmd of f.remediation.commands) out.push(...wrapCommand(inertLine(cmd, 2_000), width - 4).map((l) => `    ${c.cyan(l)}`));
      }
    }
  }
  if (r.findings.length > MAX_DETAILED) {
    const rest = r.findings.slice(MAX_DETAILED);
    const byId = new Map<string, number>();
    for (const f of rest) byId.set(f.id, (byId.get(f.id) ?? 0) + 1);
    out.push('', `… and ${rest.length} more problems (${[...byId].map(([id, n]) => `${n} ${id}`).join(', ')}): every one, with its fix, is in --format json, markdown or html`);
  }
  const notes = r.accounts.filter((a) => a.unverified.length);
  if (notes.length) {
    out.push('', c.bold('Could not verify'));
    for (const a of notes) for (const u of a.unverified) out.push(`  ? ${a.accountId}: ${inertLine(u, 400)}`);
  }
  if (r.stats) out.push('', c.dim(`${r.stats.apiCalls} API calls in ${(r.stats.durationMs / 1000).toFixed(1)} s`));
  return out.join('\n') + '\n';
}
