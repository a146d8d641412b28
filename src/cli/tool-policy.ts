import { leastPrivilegePolicy } from '../collect/permissions.js';

/** validate: digests and logs (GetObject, ListBucket), public keys, the trail's bucket, org id. */
export const VALIDATE_ACTIONS = [
  'cloudtrail:DescribeTrails',
  'cloudtrail:ListPublicKeys',
  'organizations:DescribeOrganization',
  's3:GetObject',
  's3:ListBucket',
] as const;

/** gaps: event history, delivered records in S3 and CloudWatch Logs. */
export const GAPS_ACTIONS = ['cloudtrail:LookupEvents', 's3:GetObject', 's3:ListBucket', 'logs:FilterLogEvents'] as const;

/** Every read-only action trail-doctor may call: the nine steps, validate and gaps. */
export function toolPolicy(): object {
  return leastPrivilegePolicy([...VALIDATE_ACTIONS, ...GAPS_ACTIONS]);
}
