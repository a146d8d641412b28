import { describe, expect, it } from 'vitest';
import { check, s3ErrorExplainedBy } from './s3-delivery-error.js';
import type { Evidence } from '../evidence/schema.js';
import { testCheck } from '../../test/support/check-tester.js';

/** Delivery stopped an hour ago with this error. */
const failing = (error: string) => (e: Evidence) => {
  const s = e.steps.s2.status.value!;
  s.latestDeliveryError = error;
  s.latestDeliveryTime = '2026-11-24T03:00:00Z';
  const l = e.steps.s6.listing.value!;
  l.newest = { ...l.newest!, deliveryTime: '2026-11-24T03:00:00Z' };
};

// the healthy fixture's status omits LatestDeliveryError
testCheck(check, {
  invalid: [
    {
      name: 'reports the error as likely with explainedBy candidates for the diagnosis',
      evidence: failing('AccessDenied'),
      findings: [{ confidence: 'likely', since: '2026-11-24T03:00:00Z', evidence: ['step 2: LatestDeliveryError = AccessDenied'] }],
      assert: ({ findings: [f] }) => {
        expect(f!.data?.explainedBy).toEqual(['s3-bucket-policy-denies', 'organization-policy-denies', 's3-kms-key-denies']);
        expect(f!.evidence[0]).toBe('step 2: LatestDeliveryError = AccessDenied');
      },
    },
    {
      name: 'an unexplained error is still reported',
      evidence: failing('InternalError'),
      findings: [{ confidence: 'likely', match: { data: { explainedBy: [] } } }],
      assert: ({ findings: [f] }) => expect(f!.data?.explainedBy).toEqual([]),
    },
    {
      name: 'an error while files keep arriving is only possible (old or intermittent)',
      evidence: (e) => (e.steps.s2.status.value!.latestDeliveryError = 'AccessDenied'),
      findings: [{ confidence: 'possible', match: { data: { deliveriesCurrent: true } } }],
    },
    {
      name: 'a digest delivery error alone is reported as kind digest',
      evidence: (e) => (e.steps.s2.status.value!.latestDigestDeliveryError = 'AccessDenied'),
      findings: [{ confidence: 'likely', evidence: ['step 2: LatestDigestDeliveryError = AccessDenied'], match: { data: { kind: 'digest' } } }],
      assert: ({ findings: [f] }) => expect(f!.evidence[0]).toBe('step 2: LatestDigestDeliveryError = AccessDenied'),
    },
    {
      name: 'error text from the account is inert (no escape sequences)',
      evidence: failing('AccessDenied\u001b[31m red'),
      findings: [{ confidence: 'likely' }],
      assert: ({ findings: [f] }) => expect(f!.summary).not.toContain('\u001b'),
    },
  ],
});

describe('s3-delivery-error: what the error text points to', () => {
  it.each([
    ['NoSuchBucket', ['s3-bucket-missing']],
    ['KMS.AccessDeniedException', ['s3-kms-key-denies', 's3-bucket-policy-denies', 'organization-policy-denies']],
    ['InsufficientS3BucketPolicyException', []],
    ['InternalError', []],
  ])('%s → %j', (err, want) => {
    expect(s3ErrorExplainedBy(err)).toEqual(want);
  });
});
