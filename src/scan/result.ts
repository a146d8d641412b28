import { EXIT_CODES } from '../model/index.js';
import { ACCOUNT_UNREACHABLE, type ScanAccount, type ScanDetail, type ScanFinding, type ScanResult, type ScanSummary } from './model.js';

/**
 * From per-account results to the whole scan: the flat findings list, the summary counts and the
 * exit code. Pure and order-independent (everything is sorted), so a scan and the merge of its
 * shards give the same result.
 */

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function sortAccount(a: ScanAccount): ScanAccount {
  return {
    ...a,
    regions: [...a.regions].sort((x, y) => byKey(x.region, y.region)),
    trails: [...a.trails].sort((x, y) => byKey(x.arn, y.arn)),
  };
}

export function findingsOf(accounts: readonly ScanAccount[], found: readonly ScanFinding[]): ScanFinding[] {
  const out: ScanFinding[] = [];
  for (const a of accounts) {
    if (a.status === 'unreachable') {
      out.push({ accountId: a.accountId, id: ACCOUNT_UNREACHABLE, confidence: 'confirmed', summary: `Account ${a.accountId}${a.name ? ` (${a.name})` : ''} could not be scanned: ${a.reason ?? 'unknown reason'}.` });
    }
  }
  out.push(...found);
  return out.sort(
    (x, y) =>
      byKey(x.accountId, y.accountId) || byKey(x.region ?? '', y.region ?? '') || byKey(x.trailArn ?? '', y.trailArn ?? '') || byKey(x.id, y.id) || byKey(x.summary, y.summary),
  );
}

export function summaryOf(accounts: readonly ScanAccount[]): ScanSummary {
  const trails = accounts.flatMap((a) => a.trails);
  return {
    accounts: accounts.length,
    reachable: accounts.filter((a) => a.status === 'ok').length,
    trails: trails.length,
    healthy: trails.filter((t) => t.verdict === 'healthy').length,
    problem: trails.filter((t) => t.verdict === 'problem').length,
    inconclusive: trails.filter((t) => t.verdict === 'inconclusive').length,
    uncoveredRegions: accounts.reduce((n, a) => n + a.regions.filter((r) => r.status === 'not-covered').length, 0),
  };
}

/**
 * 0: every reachable account covered and every trail healthy; 1: any problem or uncovered region;
 * 3: no problem, but something could not be checked (an unreachable account, an inconclusive
 * trail, a region whose coverage is unknown, a read that failed).
 */
export function scanExitCode(r: Pick<ScanResult, 'accounts' | 'findings'>): number {
  if (r.findings.some((f) => f.id !== ACCOUNT_UNREACHABLE)) return EXIT_CODES.problem;
  const unchecked = r.accounts.some(
    (a) => a.status === 'unreachable' || a.unverified.length > 0 || a.regions.some((x) => x.status === 'unknown') || a.trails.some((t) => t.verdict !== 'healthy'),
  );
  return unchecked ? EXIT_CODES.inconclusive : EXIT_CODES.healthy;
}

export const sortDetails = (d: readonly ScanDetail[]): ScanDetail[] => [...d].sort((x, y) => byKey(x.accountId, y.accountId) || byKey(x.trailArn, y.trailArn));
