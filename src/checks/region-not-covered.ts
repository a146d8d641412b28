import type { CauseDefinition, Finding } from './types.js';
import { result, safe, shellArg } from './util.js';

/**
 * No logging trail records the management events of an account in one of its enabled regions: the
 * events happen (event history shows them for 90 days) but no trail delivers them anywhere.
 *
 * This is a fleet cause: it is proven by a scan of every trail an account (and its organization)
 * has, not by the evidence of one trail, so `run` over one trail's evidence finds nothing and the
 * scan calls `regionNotCoveredFinding` with its coverage facts. All of the cause's knowledge —
 * wording, evidence lines, remediation commands — lives here.
 */

/** A trail of the account (or its organization) and why it does not record the region. */
export interface UncoveredRegionTrail {
  name: string;
  arn: string;
  homeRegion: string;
  isMultiRegionTrail: boolean;
  isOrganizationTrail: boolean;
  isLogging?: boolean;
  recordsManagementEvents?: boolean;
  /** Account that owns the trail. */
  ownerAccount: string;
  /** "trail X is a single-region trail of us-east-1", ... */
  whyNot?: string;
}

export interface UncoveredRegion {
  accountId: string;
  region: string;
  partition?: string;
  /** Every trail considered (the account's own and its organization's), none of which records the region. */
  trails: readonly UncoveredRegionTrail[];
}

/** Stands for a bucket the user names; docs/causes/region-not-covered.md gives the bucket policy. */
const BUCKET_PLACEHOLDER = 'BUCKET';

/** The fix, from cheapest to most work: start a stopped trail, widen one, or create one. */
function remediationOf(u: UncoveredRegion): Finding['remediation'] {
  const own = u.trails.filter((t) => t.ownerAccount === u.accountId);
  const stoppedHere = own.find((t) => t.isLogging === false && (t.isMultiRegionTrail || t.homeRegion === u.region) && t.recordsManagementEvents !== false);
  if (stoppedHere) {
    return {
      summary: `Start logging on trail ${safe(stoppedHere.name)} (home region ${stoppedHere.homeRegion}): it would record ${u.region} of account ${u.accountId}.`,
      commands: [
        `aws cloudtrail start-logging --name ${shellArg(stoppedHere.arn)} --region ${stoppedHere.homeRegion}`,
        `aws cloudtrail get-trail-status --name ${shellArg(stoppedHere.arn)} --region ${stoppedHere.homeRegion}`,
      ],
    };
  }
  const excluding = own.find((t) => t.recordsManagementEvents === false && (t.isMultiRegionTrail || t.homeRegion === u.region));
  if (excluding) {
    return {
      summary: `Select management events on trail ${safe(excluding.name)}: its event selectors record none, so ${u.region} of account ${u.accountId} is not recorded.`,
      commands: [
        `aws cloudtrail put-event-selectors --trail-name ${shellArg(excluding.arn)} --region ${excluding.homeRegion} --advanced-event-selectors '[{"Name":"Management events","FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]}]}]'`,
        `aws cloudtrail get-event-selectors --trail-name ${shellArg(excluding.arn)} --region ${excluding.homeRegion}`,
      ],
    };
  }
  const single = own.find((t) => !t.isMultiRegionTrail && t.isLogging !== false && t.recordsManagementEvents !== false);
  if (single) {
    return {
      summary: `Make trail ${safe(single.name)} multi-region (it records ${single.homeRegion} only): every enabled region of account ${u.accountId}, ${u.region} included, is then recorded.`,
      commands: [
        `aws cloudtrail update-trail --name ${shellArg(single.arn)} --region ${single.homeRegion} --is-multi-region-trail --include-global-service-events`,
        `aws cloudtrail describe-trails --trail-name-list ${shellArg(single.arn)} --region ${single.homeRegion}`,
      ],
    };
  }
  const orgSingle = u.trails.find(
    (t) => t.isOrganizationTrail && t.ownerAccount !== u.accountId && !t.isMultiRegionTrail && t.isLogging !== false && t.recordsManagementEvents !== false,
  );
  if (orgSingle) {
    return {
      summary: `Make organization trail ${safe(orgSingle.name)} multi-region, in management account ${orgSingle.ownerAccount}: it records ${orgSingle.homeRegion} only, and would then record every enabled region of every member account, ${u.region} of ${u.accountId} included. Or create a multi-region trail in ${u.accountId}.`,
      commands: [
        `aws cloudtrail update-trail --name ${shellArg(orgSingle.arn)} --region ${orgSingle.homeRegion} --is-multi-region-trail --include-global-service-events`,
        `aws cloudtrail get-trail-status --name ${shellArg(orgSingle.arn)} --region ${orgSingle.homeRegion}`,
      ],
    };
  }
  return {
    summary: `Create a multi-region trail in account ${u.accountId} (or an organization trail from the management account) delivering to an S3 bucket whose policy lets CloudTrail write, then start logging.`,
    commands: [
      `aws cloudtrail create-trail --name management-events --s3-bucket-name ${BUCKET_PLACEHOLDER} --is-multi-region-trail --include-global-service-events --region ${u.region}`,
      `aws cloudtrail start-logging --name management-events --region ${u.region}`,
      `aws cloudtrail get-trail-status --name management-events --region ${u.region}`,
    ],
  };
}

export function regionNotCoveredFinding(u: UncoveredRegion): Finding {
  const evidence = [`scan: ${u.region} is an enabled region of account ${u.accountId} (EC2 DescribeRegions)`];
  if (!u.trails.length) evidence.push(`scan: DescribeTrails (shadow trails included) lists no trail in any region of account ${u.accountId}, and no organization trail includes it`);
  for (const t of u.trails.slice(0, 20)) evidence.push(`scan: ${safe(t.whyNot ?? `trail ${t.name} does not record ${u.region}`)}`);
  if (u.trails.length > 20) evidence.push(`scan: … and ${u.trails.length - 20} more trails that do not record ${u.region}`);
  return {
    id: 'region-not-covered',
    confidence: 'confirmed',
    summary: `No trail records management events of account ${u.accountId} in region ${u.region}.`,
    evidence,
    remediation: remediationOf(u),
    resources: u.trails.flatMap((t) => [t.name, t.arn]),
    triggerEvents: ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'],
    data: { accountId: u.accountId, region: u.region, trails: u.trails.map((t) => t.arn) },
  };
}

export const check: CauseDefinition = {
  id: 'region-not-covered',
  title: 'Region not recorded by any trail',
  step: 1,
  severity: 'critical',
  // Coverage, beside single-region-trail and global-service-events-excluded: events nobody records.
  precedence: { tier: 'fallback', rank: 45 },
  triggerEvents: ['DeleteTrail', 'StopLogging', 'UpdateTrail', 'PutEventSelectors'],
  reads: ['s1.trail'],
  meaning: 'no logging trail records the management events of an account in one of its enabled regions',
  fix: 'Make a trail of the account (or an organization trail) multi-region and logging, or create one.',
  noDemo: 'a fleet cause: only `scan`, over every trail of the account and its organization, can prove it; src/scan and test/scan cover it.',
  run() {
    // One trail's evidence cannot prove that no other trail records a region: only `scan` can.
    return result();
  },
};
