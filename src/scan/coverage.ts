import { selectorCoverage } from '../checks/selectors.js';
import type { EventSelectors } from '../evidence/schema.js';
import type { Probe } from '../evidence/probe.js';
import type { CoverageStatus, RegionCoverage } from './model.js';

/**
 * Which trails record the management events of one account in one region, as AWS decides it:
 * - a trail only records while it is logging;
 * - a trail whose selectors (basic or advanced) select no read and no write management events
 *   records none of them, whatever else it selects;
 * - a multi-region trail records every enabled region of its account, a single-region trail its
 *   home region only;
 * - an organization trail records the member accounts of its organization the same way (in the
 *   regions it records: all of them when multi-region, else its home region).
 * Regions that are not enabled (opt-in regions left off) are never judged. Pure.
 */
export interface CoverageTrail {
  arn: string;
  name: string;
  /** Account that owns the trail (from its ARN). */
  ownerAccount: string;
  homeRegion: string;
  isMultiRegionTrail: boolean;
  isOrganizationTrail: boolean;
  /** GetTrailStatus IsLogging; undefined when it could not be read. */
  isLogging?: boolean;
  /** The selectors select read or write management events; undefined when they could not be read. */
  recordsManagementEvents?: boolean;
  /** Why isLogging / recordsManagementEvents are unknown. */
  unknownReason?: string;
}

/** Management events are recorded when read or write management events are selected unconditionally. */
export function recordsManagementEvents(selectors: Probe<EventSelectors> | undefined): boolean | undefined {
  if (!selectors || selectors.status !== 'ok') return undefined;
  const m = selectorCoverage(selectors.value).management;
  return m.read || m.write;
}

/** Why a trail does not record region R of account A, or undefined when it does (or may). */
export function whyNot(t: CoverageTrail, accountId: string, region: string): string | undefined {
  if (t.ownerAccount !== accountId && !t.isOrganizationTrail) return `trail ${t.name} belongs to account ${t.ownerAccount}`;
  if (!t.isMultiRegionTrail && t.homeRegion !== region) return `trail ${t.name} is a single-region trail of ${t.homeRegion}`;
  if (t.isLogging === false) return `trail ${t.name} is not logging`;
  if (t.recordsManagementEvents === false) return `trail ${t.name}'s event selectors exclude management events`;
  return undefined;
}

const decided = (t: CoverageTrail) => t.isLogging !== undefined && t.recordsManagementEvents !== undefined;

export interface CoverageInput {
  accountId: string;
  /** The enabled regions to judge. */
  regions: readonly string[];
  /** Trails that may cover the account: its own and its organization's. */
  trails: readonly CoverageTrail[];
  /** Regions whose trail list could not be read (a single-region trail there would be unseen), with the reason. */
  unlisted?: ReadonlyMap<string, string>;
}

export function coverageOf(input: CoverageInput): RegionCoverage[] {
  return [...input.regions].sort().map((region) => {
    const applicable = input.trails.filter((t) => whyNot(t, input.accountId, region) === undefined);
    const coveredBy = applicable.filter(decided).map((t) => t.arn).sort();
    if (coveredBy.length) return { region, coveredBy, status: 'covered' as CoverageStatus };
    const undecided = applicable.filter((t) => !decided(t));
    const reasons = [
      ...undecided.map((t) => `trail ${t.name} might record it: ${t.unknownReason ?? 'its status or selectors could not be read'}`),
      ...(input.unlisted?.has(region) ? [`the trails of ${region} could not be listed: ${input.unlisted.get(region)}`] : []),
    ];
    if (reasons.length) return { region, coveredBy: [], status: 'unknown' as CoverageStatus, reason: reasons.join('; ') };
    return { region, coveredBy: [], status: 'not-covered' as CoverageStatus };
  });
}

/** For a region-not-covered finding: why each trail the account has does not count. */
export function exclusions(input: CoverageInput, region: string): string[] {
  return input.trails.map((t) => whyNot(t, input.accountId, region)).filter((x): x is string => !!x);
}
