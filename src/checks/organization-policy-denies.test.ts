import { describe, expect, it } from 'vitest';
import { check } from './organization-policy-denies.js';
import { ACCOUNT, BUCKET, healthyEvidence } from '../evidence/builder.js';
import { denied, ok } from '../evidence/probe.js';
import type { Evidence } from '../evidence/schema.js';
import { contextOf } from './util.js';

const run = (mut?: (e: Evidence) => void) => {
  const e = healthyEvidence();
  mut?.(e);
  return check.run(contextOf(e));
};
/** AccessDenied, last delivery two hours ago. */
const accessDenied = (e: Evidence) => {
  const s = e.steps.s2.status.value!;
  s.latestDeliveryError = 'AccessDenied';
  s.latestDeliveryTime = '2026-11-24T02:00:00Z';
  const l = e.steps.s6.listing.value!;
  l.newest = { ...l.newest!, deliveryTime: '2026-11-24T02:00:00Z' };
};

describe('organization-policy-denies', () => {
  it('finds nothing on the healthy fixture', () => {
    expect(run()).toEqual({ findings: [], unverified: [] });
  });

  it('AccessDenied while the bucket policy allows CloudTrail: likely, RCPs unverified', () => {
    const r = run(accessDenied);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ id: 'organization-policy-denies', confidence: 'likely', resources: [BUCKET] });
    expect(r.findings[0]!.evidence.join('\n')).toContain('bucket policy of acme-trail-logs allows every request CloudTrail makes');
    expect(r.findings[0]!.remediation.commands[0]).toBe(`aws organizations list-policies-for-target --target-id ${ACCOUNT} --filter RESOURCE_CONTROL_POLICY`);
    expect(r.unverified[0]!.needs).toContain('organizations:ListPoliciesForTarget');
  });

  it('a bucket policy that does not allow the write is not an organization problem', () => {
    const r = run((e) => {
      accessDenied(e);
      e.steps.s4.policy = ok(JSON.stringify({ Version: '2012-10-17', Statement: [] }));
    });
    expect(r).toEqual({ findings: [], unverified: [] });
  });

  it('an unreadable bucket policy leaves it to the bucket-policy check', () => {
    expect(run((e) => (accessDenied(e), (e.steps.s4.policy = denied('s3:GetBucketPolicy', 'denied'))))).toEqual({ findings: [], unverified: [] });
  });

  it('other errors, or deliveries still arriving, find nothing', () => {
    expect(run((e) => (accessDenied(e), (e.steps.s2.status.value!.latestDeliveryError = 'NoSuchBucket'))).findings).toEqual([]);
    expect(run((e) => (e.steps.s2.status.value!.latestDeliveryError = 'AccessDenied')).findings).toEqual([]);
  });

  it('SSE-KMS with an unreadable key policy is only possible (the key remains a candidate)', () => {
    const f = run((e) => {
      accessDenied(e);
      e.steps.s1.trail.value!.kmsKeyId = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234`;
      e.steps.s4.kmsKeyPolicy = denied('kms:GetKeyPolicy', 'denied');
    }).findings[0]!;
    expect(f.confidence).toBe('possible');
  });
});
