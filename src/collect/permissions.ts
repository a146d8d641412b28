import { COLLECTORS } from './plan.js';

/**
 * The least-privilege IAM policy trail-doctor needs: the union of every collector's declared `apis`.
 * A test sends every collector through fakes and fails when a call is not declared here.
 */

/** API operations whose IAM action has another name. */
const ACTION_OF_OPERATION: Record<string, string> = {
  's3:HeadBucket': 's3:ListBucket',
  's3:ListObjectsV2': 's3:ListBucket',
  's3:ListObjects': 's3:ListBucket',
  's3:GetBucketEncryption': 's3:GetEncryptionConfiguration',
  's3:GetObjectLockConfiguration': 's3:GetBucketObjectLockConfiguration',
  's3:GetBucketLifecycleConfiguration': 's3:GetLifecycleConfiguration',
  's3:HeadObject': 's3:GetObject',
};

/** `service:Operation` of an API call → the IAM action that authorises it. */
export const actionForCall = (call: string): string => ACTION_OF_OPERATION[call] ?? call;

export const COLLECT_ACTIONS: readonly string[] = Object.freeze([...new Set(COLLECTORS.flatMap((c) => c.apis))].sort());

/** Read-only verbs; anything else is refused, whatever a caller adds. */
const READ_ONLY = /^[a-z0-9-]+:(Get|List|Describe|Lookup|Filter|Head|Search|Batch(Get|Describe))[A-Za-z0-9]*$/;
const READ_ONLY_EXTRA = new Set(['logs:StartQuery', 'logs:StopQuery']);

export const isReadOnlyAction = (a: string): boolean => READ_ONLY.test(a) || READ_ONLY_EXTRA.has(a);

export function leastPrivilegePolicy(extraActions: readonly string[] = []): object {
  const bad = extraActions.filter((a) => !isReadOnlyAction(a));
  if (bad.length) throw new Error(`not read-only IAM actions: ${bad.join(', ')}`);
  const actions = [...new Set([...COLLECT_ACTIONS, ...extraActions])].sort();
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'TrailDoctorReadOnly',
        Effect: 'Allow',
        Action: actions,
        Resource: '*',
      },
    ],
  };
}
