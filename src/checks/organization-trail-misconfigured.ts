import type { CauseDefinition, Finding } from './types.js';
import { param } from '../evidence/events.js';
import {
  bucketOf,
  callerAccount,
  changesNamed,
  describeChange,
  duration,
  homeRegion,
  isoOf,
  keyPath,
  MINUTE,
  ms,
  newestDelivery,
  result,
  safe,
  shellArg,
  statusOf,
  trailAccount,
  trailOf,
  trailRef,
  unverifiedOf,
  valueOf,
} from './util.js';

/**
 * Fallback: an organization trail that keeps a member account's events out: CloudTrail's trusted
 * access was disabled, the account left or was removed from the organization, or (seen from a member
 * account) the trail delivers for the organization but nothing arrives under this account's path
 * `[prefix/]AWSLogs/<o-id>/<account>/`.
 */
export const check: CauseDefinition = {
  id: 'organization-trail-misconfigured',
  title: 'Organization trail does not cover the account',
  step: 6,
  severity: 'high',
  precedence: { tier: 'fallback', rank: 30 },
  relations: { explainsSilence: true },
  triggerEvents: ['DisableAWSServiceAccess', 'RemoveAccountFromOrganization', 'LeaveOrganization', 'DeregisterDelegatedAdministrator'],
  reads: ['s1.trail', 's1.caller', 's2.status', 's4.bucket', 's6.listing', 's6.organizationId', 's9.changes'],
  meaning: 'an organization trail whose policy, paths or membership keep a member\'s events out',
  fix: 'Re-enable CloudTrail\'s trusted access in the organization, and fix the organization trail\'s bucket policy for the member\'s AWSLogs/<org-id>/<account>/ path.',
  noDemo: 'needs an organization with a member account; the check table covers the member and management views.',
  run({ evidence: e, now }) {
    const trail = trailOf(e);
    if (!trail?.isOrganizationTrail) return result();
    const s6 = e.steps.s6;
    const unverified = [unverifiedOf(s6.organizationId, 6, `organization id of trail ${safe(trail.name)} (its log path AWSLogs/<o-id>/<account>/)`, 'organizations:DescribeOrganization')];
    const caller = callerAccount(e);
    const owner = trailAccount(e);
    const member = !!caller && !!owner && caller !== owner;
    const evidence: string[] = [`step 2: GetTrail IsOrganizationTrail = true (trail of account ${safe(owner ?? 'unknown', 20)}${member ? `, seen from member account ${caller}` : ''})`];
    let confidence: Finding['confidence'] | undefined;
    let since: string | undefined;

    // configuration changes that take accounts out of the organization trail
    const orgChanges = changesNamed(e, check.triggerEvents).filter((c) => {
      if (c.eventName !== 'DisableAWSServiceAccess') return true;
      const sp = param(c.requestParameters, 'servicePrincipal');
      return typeof sp !== 'string' || sp === 'cloudtrail.amazonaws.com';
    });
    if (orgChanges.length) {
      confidence = 'likely';
      const last = orgChanges[orgChanges.length - 1]!;
      since = last.eventTime;
      for (const c of orgChanges.slice(-3)) evidence.push(describeChange(c));
    }

    // seen from a member account: the trail delivers, but nothing arrives for this account
    const status = statusOf(e);
    const listing = valueOf(s6.listing);
    const lastOk = ms(status?.latestDeliveryTime);
    const newest = newestDelivery(e);
    const path = keyPath(e);
    if (member && status?.isLogging && listing && lastOk !== undefined && now.getTime() - lastOk <= 30 * MINUTE) {
      if (newest === undefined || now.getTime() - newest > 30 * MINUTE) {
        confidence = 'likely';
        since ??= newest !== undefined ? isoOf(newest) : undefined;
        evidence.push(
          `step 2: the trail delivered ${duration(now.getTime() - lastOk)} ago (LatestDeliveryTime ${safe(status.latestDeliveryTime, 40)})`,
          newest === undefined
            ? `step 6: no log file under ${safe(path)} in the whole window: the organization trail does not deliver for account ${caller}`
            : `step 6: the newest log file under ${safe(path)} is ${duration(now.getTime() - newest)} old`,
        );
      }
    }
    if (!confidence) return result([], unverified);

    const bucket = bucketOf(e);
    return result(
      [
        {
          id: 'organization-trail-misconfigured',
          confidence,
          summary: `Organization trail ${safe(trail.name)} does not cover ${member ? `account ${caller}` : 'every member account'}: ${orgChanges.length ? `${safe(orgChanges[orgChanges.length - 1]!.eventName, 60)} removed it from the organization trail's scope` : 'its events stop arriving under its path'}.`,
          evidence,
          remediation: {
            summary: `From the management account ${safe(owner ?? '', 20)}: check that the account is still a member, that CloudTrail's trusted access is enabled, and that the trail is still an organization trail.`,
            commands: [
              'aws organizations list-aws-service-access-for-organization',
              'aws organizations enable-aws-service-access --service-principal cloudtrail.amazonaws.com',
              ...(member && caller ? [`aws organizations describe-account --account-id ${shellArg(caller)}`] : ['aws organizations list-accounts']),
              `aws cloudtrail get-trail --name ${trailRef(e)} --region ${homeRegion(e)}`,
              ...(bucket ? [`aws s3 ls s3://${shellArg(`${bucket}/${path}`)}`] : []),
            ],
          },
          resources: [trail.name, trail.arn, ...(bucket ? [bucket] : [])],
          ...(since ? { since } : {}),
          data: { memberAccount: member ? caller : null, managementAccount: owner ?? null, keyPath: path, orgChanges: orgChanges.map((c) => c.eventName) },
        },
      ],
      unverified,
    );
  },
};
