import pLimit from 'p-limit';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsClients } from '../aws/clients.js';
import { describeOrganization, listOrganizationAccounts, type AccountAccess } from './fleet-calls.js';
import { send } from '../collect/chain.js';
import { parseArn } from '../collect/util.js';
import { regionNotCoveredFinding } from '../checks/region-not-covered.js';
import { coverageOf, whyNot, type CoverageTrail } from './coverage.js';
import { coverageFacts, discoverAccount, ownerOf, reasonOf, type AccountDiscovery, type Slot } from './discovery.js';
import { trailHealth, type TrailHealth } from './health.js';
import { SCAN_SCHEMA_VERSION, type ScanAccount, type ScanDetail, type ScanFinding, type ScanResult } from './model.js';
import { findingsOf, sortAccount, sortDetails, summaryOf } from './result.js';
import { inShard, type Shard } from './shard.js';

/**
 * The fleet scan: accounts (the caller's, or an organization's active accounts entered by
 * AssumeRole), their enabled regions, every trail once. Accounts run concurrently, at most
 * `concurrency` at a time, and every unit of AWS work (a region's trail list, a trail's diagnosis)
 * takes a slot of one shared limit of the same size. Each account gets its own clients, so the
 * per-account, per-region rate limiters (LookupEvents 2/s) and adaptive retries apply per account.
 * Only a small summary of each account is kept; a trail's full report only when it found something.
 */
export interface ScanRequest {
  access: AccountAccess;
  organization: boolean;
  /** Role entered in member accounts (for the unreachable reason and the IAM hint). */
  roleName: string;
  /** Restrict to these accounts. */
  accounts?: readonly string[];
  regions: 'enabled' | readonly string[];
  concurrency: number;
  window: { start: Date; end: Date };
  now: Date;
  deep: boolean;
  shard?: Shard;
  evidenceDir?: string;
  onProgress?: (p: { done: number; total: number; startedAt: number }) => void;
}

/** A scan that cannot start (no identity, no organization): one line for the user. */
export class ScanSetupError extends Error {
  override name = 'ScanSetupError';
}

export interface Target {
  id: string;
  name?: string;
  /** Why it cannot be scanned before trying (not an active account of the organization). */
  skip?: string;
}

interface AccountOutcome {
  account: ScanAccount;
  findings: ScanFinding[];
  details: ScanDetail[];
}

const FINDING_CONFIDENCES = new Set(['confirmed', 'likely']);

export async function callerIdentity(clients: AwsClients): Promise<{ accountId: string; partition: string }> {
  try {
    const r = await send(clients.sts(), new GetCallerIdentityCommand({}));
    return { accountId: r.Account ?? '', partition: parseArn(r.Arn)?.partition ?? 'aws' };
  } catch (err) {
    throw new ScanSetupError(`cannot identify the caller (${reasonOf(err, 'sts:GetCallerIdentity')}): check credentials, --profile or --endpoint-url`);
  }
}

export async function targetsOf(req: Pick<ScanRequest, 'organization' | 'accounts' | 'access'>, callerId: string): Promise<{ targets: Target[]; organizationId?: string; managementAccountId?: string; inactive?: number }> {
  if (!req.organization) {
    const ids = req.accounts?.length ? req.accounts : [callerId];
    return { targets: [...new Set(ids)].map((id) => ({ id })) };
  }
  let org: { id?: string; managementAccountId?: string };
  let all: Awaited<ReturnType<typeof listOrganizationAccounts>>;
  try {
    org = await describeOrganization(req.access.caller);
    all = await listOrganizationAccounts(req.access.caller);
  } catch (err) {
    throw new ScanSetupError(
      `--organization: the organization's accounts could not be listed (${reasonOf(err, 'organizations:ListAccounts')}); run from the management account or a delegated administrator`,
    );
  }
  const active = all.filter((a) => a.status === 'ACTIVE');
  let targets: Target[] = active.map((a) => ({ id: a.id, ...(a.name ? { name: a.name } : {}) }));
  if (req.accounts?.length) {
    const known = new Map(all.map((a) => [a.id, a]));
    targets = [...new Set(req.accounts)].map((id) => {
      const a = known.get(id);
      if (!a) return { id, skip: `not an account of organization ${org.id ?? ''}`.trim() };
      if (a.status !== 'ACTIVE') return { id, ...(a.name ? { name: a.name } : {}), skip: `the account is ${a.status}` };
      return { id, ...(a.name ? { name: a.name } : {}) };
    });
  }
  // Suspended and closing accounts are not scanned (nothing runs there); the scope says how many.
  return { targets, organizationId: org.id, managementAccountId: org.managementAccountId, inactive: all.length - active.length };
}

export async function runScan(req: ScanRequest): Promise<ScanResult> {
  const startedAt = Date.now();
  const caller = req.access.caller;
  const { accountId: callerId, partition } = await callerIdentity(caller);
  const { targets: all, organizationId, managementAccountId, inactive } = await targetsOf(req, callerId);
  const targets = all.filter((t) => inShard(t.id, req.shard)).sort((a, b) => (a.id < b.id ? -1 : 1));

  const units = pLimit(req.concurrency);
  const slot: Slot = (fn) => units(fn);
  const opened: AwsClients[] = [caller];
  const enter = async (id: string): Promise<AwsClients> => {
    if (id === callerId) return caller;
    const c = await slot(() => req.access.enter(id, partition));
    opened.push(c);
    return c;
  };

  // An organization trail lives in the management account and records every member: its facts are
  // needed by every shard, whether or not the management account itself is in this one.
  let orgTrails: CoverageTrail[] = [];
  let managementDiscovery: Promise<{ clients: AwsClients; discovery: AccountDiscovery } | undefined> | undefined;
  const orgNotes: string[] = [];
  if (req.organization && managementAccountId) {
    managementDiscovery = (async () => {
      try {
        const clients = await enter(managementAccountId);
        const discovery = await discoverAccount(clients, managementAccountId, req.regions, slot);
        const own = discovery.trails.filter((t) => t.isOrganizationTrail && ownerOf(t) === managementAccountId);
        orgTrails = await Promise.all(own.map((t) => slot(() => coverageFacts(clients, t))));
        return { clients, discovery };
      } catch (err) {
        orgNotes.push(`organization trails of management account ${managementAccountId} could not be read (${reasonOf(err, 'sts:AssumeRole')})`);
        return undefined;
      }
    })();
    await managementDiscovery;
  }

  const healthOpts = { window: req.window, now: req.now, deep: req.deep, evidenceDir: req.evidenceDir };
  const scanAccount = async (t: Target): Promise<AccountOutcome> => {
    const unreachable = (reason: string): AccountOutcome => ({
      account: { accountId: t.id, ...(t.name ? { name: t.name } : {}), status: 'unreachable', reason, unverified: [], regions: [], trails: [] },
      findings: [],
      details: [],
    });
    if (t.skip) return unreachable(t.skip);
    let clients: AwsClients;
    let discovery: AccountDiscovery;
    const mgmt = t.id === managementAccountId ? await managementDiscovery : undefined;
    if (mgmt) {
      ({ clients, discovery } = mgmt);
    } else {
      try {
        clients = await enter(t.id);
      } catch (err) {
        return unreachable(`AssumeRole into arn:${partition}:iam::${t.id}:role/${req.roleName} failed: ${reasonOf(err, 'sts:AssumeRole')}`);
      }
      discovery = await discoverAccount(clients, t.id, req.regions, slot);
    }
    if (discovery.regions.length > 0 && discovery.unlisted.size === discovery.regions.length && discovery.unverified.length > discovery.regions.length) {
      // Not one read answered (an SCP, a role without permissions): nothing was judged.
      return unreachable(`every read was refused: ${discovery.unverified.join('; ')}`);
    }

    const owned = discovery.trails.filter((x) => ownerOf(x) === t.id);
    const seen = discovery.trails.filter((x) => ownerOf(x) !== t.id && !orgTrails.some((o) => o.arn === x.arn));
    const [healths, others] = await Promise.all([
      Promise.all(owned.map((x) => slot(() => trailHealth(clients, t.id, x, healthOpts)))),
      Promise.all(seen.filter((x) => x.isOrganizationTrail).map((x) => slot(() => coverageFacts(clients, x)))),
    ]);
    const memberOrgTrails = req.organization && t.id !== managementAccountId ? orgTrails : [];
    const candidates = [...healths.map((h: TrailHealth) => h.coverage), ...others, ...memberOrgTrails];
    const input = { accountId: t.id, regions: discovery.regions, trails: candidates, unlisted: discovery.unlisted };
    const regions = coverageOf(input);

    const findings: ScanFinding[] = [];
    for (const r of regions.filter((x) => x.status === 'not-covered')) {
      const f = regionNotCoveredFinding({
        accountId: t.id,
        region: r.region,
        partition,
        trails: candidates.map((c) => ({ ...c, whyNot: whyNot(c, t.id, r.region) })),
      });
      findings.push({ accountId: t.id, region: r.region, id: f.id, confidence: f.confidence, summary: f.summary, evidence: f.evidence, remediation: f.remediation });
    }
    const details: ScanDetail[] = [];
    for (const h of healths) {
      if (h.report) details.push({ accountId: t.id, trailArn: h.trail.arn, report: h.report });
      for (const c of h.report?.rootCauses ?? []) {
        if (c.id === 'healthy' || !FINDING_CONFIDENCES.has(c.confidence)) continue;
        findings.push({
          accountId: t.id,
          region: h.trail.homeRegion,
          trailArn: h.trail.arn,
          id: c.id,
          confidence: c.confidence,
          summary: c.summary,
          evidence: c.evidence,
          remediation: { summary: c.remediation.summary, commands: c.remediation.commands },
        });
      }
    }
    // Without the management account's organization trails, a member that lists none itself may miss one.
    const orgUnknown = req.organization && t.id !== managementAccountId && !memberOrgTrails.length && !others.length;
    const unverified = [...discovery.unverified, ...(orgUnknown ? orgNotes : [])];
    return {
      account: { accountId: t.id, ...(t.name ? { name: t.name } : {}), status: 'ok', unverified, regions, trails: healths.map((h) => h.trail) },
      findings,
      details,
    };
  };

  const accountLimit = pLimit(req.concurrency);
  let done = 0;
  req.onProgress?.({ done, total: targets.length, startedAt });
  const outcomes = await Promise.all(
    targets.map((t) =>
      accountLimit(async () => {
        const o = await scanAccount(t);
        done++;
        req.onProgress?.({ done, total: targets.length, startedAt });
        return o;
      }),
    ),
  );

  const accounts = outcomes.map((o) => sortAccount(o.account));
  const findings = findingsOf(accounts, outcomes.flatMap((o) => o.findings));
  return {
    schemaVersion: SCAN_SCHEMA_VERSION,
    kind: 'scan',
    generatedAt: req.now.toISOString(),
    window: { start: req.window.start.toISOString(), end: req.window.end.toISOString() },
    scope: {
      organization: req.organization,
      ...(organizationId ? { organizationId } : {}),
      ...(managementAccountId ? { managementAccountId } : {}),
      ...(inactive ? { inactiveAccounts: inactive } : {}),
      ...(req.shard ? { shard: req.shard } : {}),
      regions: req.regions === 'enabled' ? 'enabled' : [...req.regions],
      deep: req.deep,
    },
    summary: summaryOf(accounts),
    accounts,
    findings,
    details: sortDetails(outcomes.flatMap((o) => o.details)),
    stats: { durationMs: Date.now() - startedAt, apiCalls: opened.reduce((n, c) => n + c.callCount, 0) },
  };
}
