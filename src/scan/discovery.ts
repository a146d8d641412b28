import { DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand, type Trail } from '@aws-sdk/client-cloudtrail';
import type { AwsClients } from '../aws/clients.js';
import { enabledRegions } from './fleet-calls.js';
import { classifyError } from '../aws/call.js';
import { send } from '../collect/chain.js';
import { trailConfigOf } from '../collect/step1-trail.js';
import { eventSelectorsOf, trailStatusOf } from '../collect/step2-status.js';
import { parseArn, probe } from '../collect/util.js';
import type { TrailConfig } from '../evidence/schema.js';
import { inertLine } from '../util/text.js';
import { recordsManagementEvents, type CoverageTrail } from './coverage.js';

/**
 * What one account holds: its enabled regions and every trail it can see (its own, shadow copies
 * of its multi-region trails, organization trails of its organization), each trail once.
 */
export interface AccountDiscovery {
  accountId: string;
  regions: string[];
  trails: TrailConfig[];
  /** Regions whose DescribeTrails failed, with the reason. */
  unlisted: Map<string, string>;
  /** What could not be read ("enabled regions: needs ec2:DescribeRegions"). */
  unverified: string[];
}

/** Runs one unit of work (a region's listing, a trail's status) under the scan's shared limit. */
export type Slot = <T>(fn: () => Promise<T>) => Promise<T>;

export const reasonOf = (err: unknown, needs: string): string => {
  const c = classifyError(err);
  const msg = inertLine(c.message, 300);
  return c.kind === 'denied' ? `${c.code}: needs ${needs}` : `${c.code}: ${msg}`;
};

/**
 * Regions to judge: the enabled ones (DescribeRegions), narrowed to `--regions` when given. When
 * the enabled regions cannot be listed the requested list is taken as it is, or the client's own
 * region when none was asked, and the account says so.
 */
async function regionsOf(clients: AwsClients, wanted: 'enabled' | readonly string[], unverified: string[]): Promise<string[]> {
  try {
    const enabled = await enabledRegions(clients);
    return wanted === 'enabled' ? enabled : wanted.filter((r) => enabled.includes(r));
  } catch (err) {
    const why = reasonOf(err, 'ec2:DescribeRegions');
    unverified.push(`enabled regions could not be listed (${why}); ${wanted === 'enabled' ? `only ${clients.region} was judged` : 'the requested regions were judged as if enabled'}`);
    return wanted === 'enabled' ? [clients.region] : [...wanted];
  }
}

export async function discoverAccount(clients: AwsClients, accountId: string, wanted: 'enabled' | readonly string[], slot: Slot): Promise<AccountDiscovery> {
  const unverified: string[] = [];
  const regions = await slot(() => regionsOf(clients, wanted, unverified));
  const unlisted = new Map<string, string>();
  const byArn = new Map<string, TrailConfig>();
  await Promise.all(
    regions.map((region) =>
      slot(async () => {
        let list: Trail[];
        try {
          list = (await send(clients.cloudtrail(region), new DescribeTrailsCommand({ includeShadowTrails: true }))).trailList ?? [];
        } catch (err) {
          unlisted.set(region, reasonOf(err, 'cloudtrail:DescribeTrails'));
          return;
        }
        for (const t of list) {
          const c = trailConfigOf(t);
          if (c && !byArn.has(c.arn)) byArn.set(c.arn, c);
        }
      }),
    ),
  );
  for (const [region, why] of [...unlisted].sort()) unverified.push(`trails of ${region} could not be listed (${why})`);
  const trails = [...byArn.values()].sort((a, b) => a.arn.localeCompare(b.arn));
  return { accountId, regions, trails, unlisted, unverified };
}

export const ownerOf = (t: TrailConfig): string => parseArn(t.arn)?.account ?? '';

export function coverageTrailOf(t: TrailConfig, facts: Pick<CoverageTrail, 'isLogging' | 'recordsManagementEvents' | 'unknownReason'>): CoverageTrail {
  return {
    arn: t.arn,
    name: t.name,
    ownerAccount: ownerOf(t),
    homeRegion: t.homeRegion,
    isMultiRegionTrail: t.isMultiRegionTrail,
    isOrganizationTrail: t.isOrganizationTrail,
    ...facts,
  };
}

/**
 * Whether a trail this account does not diagnose itself (another account's organization trail)
 * records: GetTrailStatus and GetEventSelectors by ARN in its home region, two calls.
 */
export async function coverageFacts(clients: AwsClients, t: TrailConfig): Promise<CoverageTrail> {
  const ct = clients.cloudtrail(t.homeRegion);
  const [status, selectors] = await Promise.all([
    probe(() => send(ct, new GetTrailStatusCommand({ Name: t.arn })), trailStatusOf, { needs: 'cloudtrail:GetTrailStatus' }),
    probe(() => send(ct, new GetEventSelectorsCommand({ TrailName: t.arn })), eventSelectorsOf, { needs: 'cloudtrail:GetEventSelectors' }),
  ]);
  const failed = [status, selectors].filter((p) => p.status !== 'ok').map((p) => `${p.errorCode ?? p.status}${p.needs ? `: needs ${p.needs}` : ''}`);
  return coverageTrailOf(t, {
    isLogging: status.status === 'ok' ? status.value!.isLogging : undefined,
    recordsManagementEvents: recordsManagementEvents(selectors),
    ...(failed.length ? { unknownReason: failed.join(', ') } : {}),
  });
}
