import { expect } from 'vitest';
import { check } from './organization-policy-denies.js';
import { ACCOUNT, BUCKET } from '../evidence/builder.js';
import { denied, ok } from '../evidence/probe.js';
import type { Evidence } from '../evidence/schema.js';
import { testCheck } from '../../test/support/check-tester.js';

/** AccessDenied, last delivery two hours ago. */
const accessDenied = (e: Evidence) => {
  const s = e.steps.s2.status.value!;
  s.latestDeliveryError = 'AccessDenied';
  s.latestDeliveryTime = '2026-11-24T02:00:00Z';
  const l = e.steps.s6.listing.value!;
  l.newest = { ...l.newest!, deliveryTime: '2026-11-24T02:00:00Z' };
};
const RCP_UNVERIFIED = { step: 4 as const, needs: 'organizations:ListPoliciesForTarget, organizations:DescribePolicy (management account or delegated administrator)' };

testCheck(check, {
  valid: [
    {
      name: 'a bucket policy that does not allow the write is not an organization problem',
      evidence: (e) => {
        accessDenied(e);
        e.steps.s4.policy = ok(JSON.stringify({ Version: '2012-10-17', Statement: [] }));
      },
    },
    { name: 'an unreadable bucket policy leaves it to the bucket-policy check', evidence: (e) => (accessDenied(e), (e.steps.s4.policy = denied('s3:GetBucketPolicy', 'denied'))) },
    { name: 'another error finds nothing', evidence: (e) => (accessDenied(e), (e.steps.s2.status.value!.latestDeliveryError = 'NoSuchBucket')) },
    { name: 'deliveries still arriving find nothing', evidence: (e) => (e.steps.s2.status.value!.latestDeliveryError = 'AccessDenied') },
  ],
  invalid: [
    {
      name: 'AccessDenied while the bucket policy allows CloudTrail: likely, RCPs unverified',
      evidence: accessDenied,
      findings: [{ confidence: 'likely', evidence: [/bucket policy of acme-trail-logs allows every request CloudTrail makes/], match: { resources: [BUCKET] } }],
      unverified: [RCP_UNVERIFIED],
      assert: ({ findings: [f], unverified }) => {
        expect(f!.remediation.commands[0]).toBe(`aws organizations list-policies-for-target --target-id ${ACCOUNT} --filter RESOURCE_CONTROL_POLICY`);
        expect(unverified[0]!.needs).toContain('organizations:ListPoliciesForTarget');
      },
    },
    {
      name: 'SSE-KMS with an unreadable key policy is only possible (the key remains a candidate)',
      evidence: (e) => {
        accessDenied(e);
        e.steps.s1.trail.value!.kmsKeyId = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234`;
        e.steps.s4.kmsKeyPolicy = denied('kms:GetKeyPolicy', 'denied');
      },
      findings: [{ confidence: 'possible' }],
      unverified: [RCP_UNVERIFIED],
    },
  ],
});
