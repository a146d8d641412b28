import { describe, expect, it } from 'vitest';
import { check, s3ErrorExplainedBy } from './s3-delivery-error.js';
import { healthyEvidence } from '../evidence/builder.js';
import type { Evidence } from '../evidence/schema.js';
import { contextOf } from './util.js';

const run = (mut?: (e: Evidence) => void) => {
  const e = healthyEvidence();
  mut?.(e);
  return check.run(contextOf(e));
};
/** Delivery stopped an hour ago with this error. */
const failing = (error: string) => (e: Evidence) => {
  const s = e.steps.s2.status.value!;
  s.latestDeliveryError = error;
  s.latestDeliveryTime = '2026-11-24T03:00:00Z';
  const l = e.steps.s6.listing.value!;
  l.newest = { ...l.newest!, deliveryTime: '2026-11-24T03:00:00Z' };
};

describe('s3-delivery-error', () => {
  it('finds nothing on the healthy fixture (a healthy status omits LatestDeliveryError)', () => {
    expect(run()).toEqual({ findings: [], unverified: [] });
  });

  it('reports the error as likely with explainedBy candidates for the diagnosis', () => {
    const f = run(failing('AccessDenied')).findings[0]!;
    expect(f).toMatchObject({ id: 's3-delivery-error', confidence: 'likely', since: '2026-11-24T03:00:00Z' });
    expect(f.data?.explainedBy).toEqual(['s3-bucket-policy-denies', 'organization-policy-denies', 's3-kms-key-denies']);
    expect(f.evidence[0]).toBe('step 2: LatestDeliveryError = AccessDenied');
  });

  it.each([
    ['NoSuchBucket', ['s3-bucket-missing']],
    ['KMS.AccessDeniedException', ['s3-kms-key-denies', 's3-bucket-policy-denies', 'organization-policy-denies']],
    ['InsufficientS3BucketPolicyException', []],
    ['InternalError', []],
  ])('%s → %j', (err, want) => {
    expect(s3ErrorExplainedBy(err)).toEqual(want);
  });

  it('an unexplained error is still reported', () => {
    const f = run(failing('InternalError')).findings[0]!;
    expect(f.data?.explainedBy).toEqual([]);
    expect(f.confidence).toBe('likely');
  });

  it('an error while files keep arriving is only possible (old or intermittent)', () => {
    const f = run((e) => (e.steps.s2.status.value!.latestDeliveryError = 'AccessDenied')).findings[0]!;
    expect(f.confidence).toBe('possible');
    expect(f.data?.deliveriesCurrent).toBe(true);
  });

  it('a digest delivery error alone is reported as kind digest', () => {
    const f = run((e) => (e.steps.s2.status.value!.latestDigestDeliveryError = 'AccessDenied')).findings[0]!;
    expect(f.data?.kind).toBe('digest');
    expect(f.evidence[0]).toBe('step 2: LatestDigestDeliveryError = AccessDenied');
  });

  it('error text from the account is inert (no escape sequences)', () => {
    const f = run(failing('AccessDenied\u001b[31m red')).findings[0]!;
    expect(f.summary).not.toContain('\u001b');
  });
});
