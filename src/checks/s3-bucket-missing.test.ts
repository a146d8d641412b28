import { expect } from 'vitest';
import { check } from './s3-bucket-missing.js';
import { BUCKET } from '../evidence/builder.js';
import { absent, denied, ok } from '../evidence/probe.js';
import { testCheck } from '../../test/support/check-tester.js';

testCheck(check, {
  valid: [{ name: 'an existing bucket (HeadBucket ok) with another error is not missing', evidence: (e) => (e.steps.s4.head = ok({ region: 'eu-west-1' })) }],
  invalid: [
    {
      name: 'deduces: HeadBucket 404 proves it although GetTrailStatus shows no delivery error yet',
      evidence: (e) => (e.steps.s4.head = absent('Not Found', { errorCode: 'NotFound' })),
      findings: [{ confidence: 'confirmed', evidence: [/step 4: HeadBucket acme-trail-logs: NotFound/], match: { resources: [BUCKET] } }],
      assert: ({ findings: [f] }) => {
        expect(f!.evidence.join('\n')).toContain('no delivery error yet');
        expect(f!.remediation.commands[0]).toBe('aws s3api create-bucket --bucket acme-trail-logs --region eu-west-1 --create-bucket-configuration LocationConstraint=eu-west-1');
        expect(JSON.stringify(f!.remediation.policy)).toContain('arn:aws:s3:::acme-trail-logs/AWSLogs/123456789012/*');
      },
    },
    {
      name: 'LatestDeliveryError NoSuchBucket alone is confirmed too',
      evidence: (e) => {
        e.steps.s2.status.value!.latestDeliveryError = 'NoSuchBucket';
        e.steps.s4.head = denied('s3:ListBucket', 'Forbidden', { errorCode: 'Forbidden' });
      },
      findings: [{ confidence: 'confirmed' }],
      assert: ({ findings: [f] }) => expect(f!.evidence[0]).toBe('step 2: LatestDeliveryError = NoSuchBucket'),
    },
    {
      name: 'uses the DeleteBucket event as since and evidence',
      evidence: (e) => {
        e.steps.s4.head = absent('Not Found');
        e.steps.s9.changes = [{ eventId: 'd', eventName: 'DeleteBucket', eventSource: 's3.amazonaws.com', eventTime: '2026-11-23T09:00:00Z', resources: [BUCKET], sources: ['event-history'] }];
      },
      findings: [{ confidence: 'confirmed', since: '2026-11-23T09:00:00Z', evidence: [/^step 9: DeleteBucket/] }],
    },
    {
      name: 'us-east-1 buckets are created without a LocationConstraint',
      evidence: (e) => {
        e.steps.s1.trail.value!.homeRegion = 'us-east-1';
        e.steps.s4.head = absent('Not Found');
      },
      findings: [{ confidence: 'confirmed' }],
      assert: ({ findings: [f] }) => expect(f!.remediation.commands[0]).toBe('aws s3api create-bucket --bucket acme-trail-logs --region us-east-1'),
    },
  ],
  unverified: [
    {
      name: 'HeadBucket 403 is NOT missing: unverified, naming the caller and the trail owner account',
      evidence: (e) => {
        e.steps.s4.head = denied('s3:ListBucket', 'Forbidden', { errorCode: 'Forbidden' });
        e.steps.s1.caller.value!.accountId = '999999999999';
      },
      unverified: [{ needs: 's3:ListBucket' }],
      assert: ({ unverified: [u] }) => {
        expect(u!.what).toContain('another account');
        expect(u!.what).toContain('account 999999999999');
        expect(u!.what).toContain('trail belongs to account 123456789012');
      },
    },
  ],
});
