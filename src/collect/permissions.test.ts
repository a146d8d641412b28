import { describe, expect, it } from 'vitest';
import { actionForCall, COLLECT_ACTIONS, isReadOnlyAction, leastPrivilegePolicy } from './permissions.js';
import { COLLECTORS } from './plan.js';

describe('least-privilege policy', () => {
  it('COLLECT_ACTIONS is the sorted, de-duplicated union of every collector’s apis, all read-only', () => {
    expect([...COLLECT_ACTIONS]).toEqual([...new Set(COLLECTORS.flatMap((c) => c.apis))].sort());
    expect(COLLECT_ACTIONS.every(isReadOnlyAction)).toBe(true);
    expect(COLLECT_ACTIONS).toEqual(
      expect.arrayContaining(['cloudtrail:GetTrail', 'cloudtrail:LookupEvents', 's3:ListBucket', 's3:GetEncryptionConfiguration', 'kms:GetKeyPolicy', 'iam:GetPolicyVersion', 'logs:FilterLogEvents', 'organizations:DescribeOrganization']),
    );
    // IAM names, not API names
    expect(COLLECT_ACTIONS).not.toContain('s3:HeadBucket');
    expect(COLLECT_ACTIONS).not.toContain('s3:ListObjectsV2');
  });

  it('every collector declares what it may call, and only steps 1-9 collect', () => {
    for (const c of COLLECTORS) {
      expect(c.step).toBeGreaterThanOrEqual(1);
      expect(c.step).toBeLessThanOrEqual(9);
      for (const a of c.apis) expect(a).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/);
    }
    expect(COLLECTORS.map((c) => c.name).filter((n) => /^s\d$/.test(n)).sort()).toEqual(['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9']);
  });

  it('maps API operations to IAM actions', () => {
    expect(actionForCall('s3:HeadBucket')).toBe('s3:ListBucket');
    expect(actionForCall('s3:GetObjectLockConfiguration')).toBe('s3:GetBucketObjectLockConfiguration');
    expect(actionForCall('s3:GetBucketLifecycleConfiguration')).toBe('s3:GetLifecycleConfiguration');
    expect(actionForCall('cloudtrail:GetTrail')).toBe('cloudtrail:GetTrail');
  });

  it('builds one Allow statement with extra read-only actions, and refuses anything that writes', () => {
    const p = leastPrivilegePolicy(['s3:GetObject', 'cloudtrail:ListPublicKeys', 's3:GetObject']) as { Version: string; Statement: { Effect: string; Action: string[]; Resource: string }[] };
    expect(p.Version).toBe('2012-10-17');
    expect(p.Statement).toHaveLength(1);
    expect(p.Statement[0]!.Effect).toBe('Allow');
    expect(p.Statement[0]!.Resource).toBe('*');
    expect(p.Statement[0]!.Action).toContain('s3:GetObject');
    expect(p.Statement[0]!.Action.filter((a) => a === 's3:GetObject')).toHaveLength(1);
    expect([...p.Statement[0]!.Action]).toEqual([...p.Statement[0]!.Action].sort());
    expect(() => leastPrivilegePolicy(['s3:PutObject'])).toThrow(/s3:PutObject/);
    expect(() => leastPrivilegePolicy(['cloudtrail:StopLogging'])).toThrow();
    expect(() => leastPrivilegePolicy(['iam:*'])).toThrow();
  });
});
