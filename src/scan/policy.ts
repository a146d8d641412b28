import { COLLECT_ACTIONS, isReadOnlyAction } from '../collect/permissions.js';
import { FLEET_ACCOUNT_ACTIONS, FLEET_MANAGEMENT_ACTIONS } from './fleet-calls.js';

/**
 * The IAM policies a fleet scan needs, derived from the calls the code makes: in every scanned
 * account (the role entered there, and the caller in the management account) the read-only calls of
 * discovery and of the diagnosis's nine steps (plus digest validation and event history with --deep);
 * in the management account, listing the organization and assuming the member role.
 */
export interface ScanPolicies {
  ManagementAccount: object;
  MemberAccountRole: object;
}

export function scanPolicies(opts: { roleName?: string; deepActions?: readonly string[]; partition?: string } = {}): ScanPolicies {
  const role = opts.roleName ?? 'OrganizationAccountAccessRole';
  const partition = opts.partition ?? 'aws';
  const member = [...new Set([...COLLECT_ACTIONS, ...FLEET_ACCOUNT_ACTIONS, ...(opts.deepActions ?? [])])].sort();
  const bad = member.filter((a) => !isReadOnlyAction(a));
  if (bad.length) throw new Error(`not read-only IAM actions: ${bad.join(', ')}`);
  const read = { Sid: 'TrailDoctorScanReadOnly', Effect: 'Allow', Action: member, Resource: '*' };
  const orgRead = FLEET_MANAGEMENT_ACTIONS.filter((a) => a !== 'sts:AssumeRole');
  return {
    ManagementAccount: {
      Version: '2012-10-17',
      Statement: [
        read,
        { Sid: 'TrailDoctorScanListOrganization', Effect: 'Allow', Action: [...orgRead].sort(), Resource: '*' },
        { Sid: 'TrailDoctorScanEnterMembers', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:${partition}:iam::*:role/${role}` },
      ],
    },
    MemberAccountRole: { Version: '2012-10-17', Statement: [read] },
  };
}
