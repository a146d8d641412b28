import { describe, expect, it } from 'vitest';
import { check } from './s3-requester-pays.js';
import { healthyEvidence } from '../evidence/builder.js';
import { absent, denied, ok, skipped } from '../evidence/probe.js';
import type { Evidence } from '../evidence/schema.js';
import { contextOf } from './util.js';

const run = (mut?: (e: Evidence) => void) => {
  const e = healthyEvidence();
  mut?.(e);
  return check.run(contextOf(e));
};

describe('s3-requester-pays', () => {
  it('finds nothing on the healthy fixture', () => {
    expect(run()).toEqual({ findings: [], unverified: [] });
  });

  it('Payer = Requester is confirmed, with the exact fix', () => {
    const f = run((e) => (e.steps.s4.requestPayment = ok({ payer: 'Requester' }))).findings[0]!;
    expect(f).toMatchObject({ id: 's3-requester-pays', confidence: 'confirmed' });
    expect(f.triggerEvents ?? check.triggerEvents).toEqual(['PutBucketRequestPayment']);
    expect(f.remediation.commands[0]).toBe('aws s3api put-bucket-request-payment --bucket acme-trail-logs --request-payment-configuration Payer=BucketOwner');
  });

  it('GetBucketRequestPayment denied is unverified; a missing bucket is left to s3-bucket-missing', () => {
    const r = run((e) => (e.steps.s4.requestPayment = denied('s3:GetBucketRequestPayment', 'denied')));
    expect(r.unverified).toEqual([expect.objectContaining({ step: 4, needs: 's3:GetBucketRequestPayment' })]);
    const gone = run((e) => {
      e.steps.s4.head = absent('Not Found');
      e.steps.s4.requestPayment = skipped('bucket does not exist');
    });
    expect(gone).toEqual({ findings: [], unverified: [] });
  });
});
