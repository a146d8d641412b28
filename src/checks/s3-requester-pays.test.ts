import { expect } from 'vitest';
import { check } from './s3-requester-pays.js';
import { absent, denied, ok, skipped } from '../evidence/probe.js';
import { testCheck } from '../../test/support/check-tester.js';

testCheck(check, {
  valid: [
    {
      name: 'a missing bucket is left to s3-bucket-missing',
      evidence: (e) => {
        e.steps.s4.head = absent('Not Found');
        e.steps.s4.requestPayment = skipped('bucket does not exist');
      },
    },
  ],
  invalid: [
    {
      name: 'Payer = Requester is confirmed, with the exact fix',
      evidence: (e) => (e.steps.s4.requestPayment = ok({ payer: 'Requester' })),
      findings: [{ confidence: 'confirmed', triggerEvents: ['PutBucketRequestPayment'] }],
      assert: ({ findings: [f] }) => {
        expect(f!.remediation.commands[0]).toBe('aws s3api put-bucket-request-payment --bucket acme-trail-logs --request-payment-configuration Payer=BucketOwner');
      },
    },
  ],
  unverified: [
    { name: 'GetBucketRequestPayment denied is unverified', evidence: (e) => (e.steps.s4.requestPayment = denied('s3:GetBucketRequestPayment', 'denied')), unverified: [{ step: 4, needs: 's3:GetBucketRequestPayment' }] },
  ],
});
