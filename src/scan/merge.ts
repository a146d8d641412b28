import { z } from 'zod';
import { SCAN_SCHEMA_VERSION, type ScanAccount, type ScanResult } from './model.js';
import { sortAccount, sortDetails, summaryOf } from './result.js';

/**
 * `scan merge`: shard outputs (`scan --shard K/N --format json`) back into one result, equal to the
 * unsharded scan. Accounts are disjoint across shards (each account hashes to one shard); an
 * account found twice keeps its reachable copy. The files must share the window and scope.
 */
export class MergeError extends Error {
  override name = 'MergeError';
}

const shape = z.object({
  schemaVersion: z.literal(SCAN_SCHEMA_VERSION),
  kind: z.literal('scan'),
  generatedAt: z.string(),
  window: z.object({ start: z.string(), end: z.string() }),
  scope: z.object({ organization: z.boolean(), regions: z.union([z.literal('enabled'), z.array(z.string())]), deep: z.boolean() }).passthrough(),
  accounts: z.array(z.object({ accountId: z.string(), status: z.enum(['ok', 'unreachable']), regions: z.array(z.unknown()), trails: z.array(z.unknown()), unverified: z.array(z.string()) }).passthrough()),
  findings: z.array(z.object({ accountId: z.string(), id: z.string(), confidence: z.string(), summary: z.string() }).passthrough()),
  details: z.array(z.unknown()).default([]),
});

/** Checks one file's JSON is a scan result; `label` names it in the error. */
export function parseScanResult(value: unknown, label: string): ScanResult {
  const r = shape.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new MergeError(`${label} is not a trail-doctor scan result (JSON, schemaVersion 1): ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`);
  }
  return value as ScanResult;
}

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function mergeScans(parts: readonly ScanResult[]): ScanResult {
  if (!parts.length) throw new MergeError('nothing to merge');
  const first = parts[0]!;
  for (const p of parts.slice(1)) {
    if (p.window.start !== first.window.start || p.window.end !== first.window.end) {
      throw new MergeError(`the shards scanned different windows (${first.window.start}–${first.window.end} and ${p.window.start}–${p.window.end}): run them with the same --start/--end`);
    }
    if (p.scope.organization !== first.scope.organization || (p.scope.organizationId ?? '') !== (first.scope.organizationId ?? '')) {
      throw new MergeError('the shards scanned different scopes (organization or not, or another organization)');
    }
  }
  const byId = new Map<string, { account: ScanAccount; part: number }>();
  parts.forEach((p, part) => {
    for (const a of p.accounts) {
      const had = byId.get(a.accountId);
      if (!had || (had.account.status === 'unreachable' && a.status === 'ok')) byId.set(a.accountId, { account: a, part });
    }
  });
  const accounts = [...byId.values()].map((x) => sortAccount(x.account)).sort((x, y) => byKey(x.accountId, y.accountId));
  const seen = new Set<string>();
  const findings = parts
    .flatMap((p, part) => p.findings.filter((f) => byId.get(f.accountId)?.part === part))
    .filter((f) => {
      const k = JSON.stringify([f.accountId, f.region, f.trailArn, f.id, f.summary]);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((x, y) => byKey(x.accountId, y.accountId) || byKey(x.region ?? '', y.region ?? '') || byKey(x.trailArn ?? '', y.trailArn ?? '') || byKey(x.id, y.id) || byKey(x.summary, y.summary));
  const details = sortDetails(parts.flatMap((p, part) => (p.details ?? []).filter((d) => byId.get(d.accountId)?.part === part)));
  const { shard: _shard, ...scope } = first.scope;
  return {
    schemaVersion: SCAN_SCHEMA_VERSION,
    kind: 'scan',
    generatedAt: parts.map((p) => p.generatedAt).sort().at(-1)!,
    window: first.window,
    scope,
    summary: summaryOf(accounts),
    accounts,
    findings,
    details,
    ...(parts.every((p) => p.stats)
      ? { stats: { durationMs: Math.max(...parts.map((p) => p.stats!.durationMs)), apiCalls: parts.reduce((n, p) => n + p.stats!.apiCalls, 0) } }
      : {}),
  };
}
