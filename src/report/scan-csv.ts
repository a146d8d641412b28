import type { ScanResult } from '../scan/model.js';
import { inertLine } from '../util/text.js';
import { topCause } from './scan-text.js';

/**
 * `scan --format csv`: one row per account × region × trail (RFC 4180: CRLF line ends, fields with
 * a comma, quote or line break quoted, quotes doubled). A region no trail covers has one row with
 * an empty trail; an unreachable account one row with no region. Cells that a spreadsheet would
 * run as a formula (= + - @ at the start) are prefixed with a quote: account names are free text.
 */
export const CSV_COLUMNS = [
  'account_id',
  'account_name',
  'account_status',
  'region',
  'coverage',
  'trail_arn',
  'trail_name',
  'trail_home_region',
  'organization_trail',
  'trail_verdict',
  'top_root_cause',
  'findings',
  'reason',
] as const;

export function csvCell(v: string | number | boolean | undefined): string {
  let s = v === undefined ? '' : inertLine(String(v), 4_000);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function renderScanCsv(r: ScanResult): string {
  const lines: string[] = [CSV_COLUMNS.join(',')];
  const row = (cells: Record<(typeof CSV_COLUMNS)[number], string | number | boolean | undefined>) => lines.push(CSV_COLUMNS.map((k) => csvCell(cells[k])).join(','));
  for (const a of r.accounts) {
    const base = { account_id: a.accountId, account_name: a.name, account_status: a.status };
    if (a.status === 'unreachable') {
      row({ ...base, region: '', coverage: '', trail_arn: '', trail_name: '', trail_home_region: '', organization_trail: '', trail_verdict: '', top_root_cause: '', findings: 'account-unreachable', reason: a.reason });
      continue;
    }
    for (const reg of a.regions) {
      const found = r.findings.filter((f) => f.accountId === a.accountId && f.region === reg.region && !f.trailArn).map((f) => f.id);
      const trails = reg.coveredBy.length ? reg.coveredBy : [undefined];
      for (const arn of trails) {
        const t = arn ? a.trails.find((x) => x.arn === arn) : undefined;
        const trailFindings = arn ? r.findings.filter((f) => f.trailArn === arn && f.accountId === a.accountId).map((f) => f.id) : [];
        row({
          ...base,
          region: reg.region,
          coverage: reg.status,
          trail_arn: arn,
          trail_name: t?.name ?? (arn ? arn.split(':trail/')[1] : ''),
          trail_home_region: t?.homeRegion ?? (arn ? arn.split(':')[3] : ''),
          organization_trail: t ? t.isOrganizationTrail : arn ? arn.split(':')[4] !== a.accountId : '',
          trail_verdict: t?.verdict ?? '',
          top_root_cause: t ? topCause(t)?.id ?? '' : '',
          findings: [...found, ...trailFindings].join(' '),
          reason: reg.reason,
        });
      }
    }
    // Trails of the account that cover none of the judged regions (stopped, selecting nothing) still get a row.
    for (const t of a.trails.filter((x) => !a.regions.some((reg) => reg.coveredBy.includes(x.arn)))) {
      row({
        ...base,
        region: t.homeRegion,
        coverage: a.regions.find((reg) => reg.region === t.homeRegion)?.status ?? '',
        trail_arn: t.arn,
        trail_name: t.name,
        trail_home_region: t.homeRegion,
        organization_trail: t.isOrganizationTrail,
        trail_verdict: t.verdict,
        top_root_cause: topCause(t)?.id ?? '',
        findings: r.findings.filter((f) => f.trailArn === t.arn).map((f) => f.id).join(' '),
        reason: '',
      });
    }
  }
  return lines.join('\r\n') + '\r\n';
}
