import type { Scenario } from '../scenarios.js';
import { ok } from '../../evidence/probe.js';
import { BUCKET } from '../../evidence/builder.js';
import { addBackgroundChanges, addChange, at, base, BOB, BOB_IP, stopS3 } from './helpers.js';

const CHANGED = '2026-11-23T10:00:11Z';

/**
 * A bucket policy rewritten for another purpose: it keeps TLS enforcement and an analytics reader
 * but drops CloudTrail's two statements, so CloudTrail's GetBucketAcl and PutObject are implicitly denied.
 */
export const NEW_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
    {
      Sid: 'AnalyticsRead',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::123456789012:role/AnalyticsReader' },
      Action: ['s3:GetObject', 's3:ListBucket'],
      Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
    },
  ],
});

export const scenario: Scenario = {
  id: 's3-bucket-policy-denies',
  title: 'A bucket policy change locked CloudTrail out',
  description:
    'bob replaced the policy of acme-trail-logs on 2026-11-23 at 10:00 UTC (PutBucketPolicy from 203.0.113.7) with one that enforces TLS and lets an analytics role read, but no longer allows cloudtrail.amazonaws.com to write. The last log file arrived at 10:02; CloudTrail reports AccessDenied. CloudWatch Logs delivery, which does not use the bucket, keeps flowing.',
  evidence: () => {
    const e = base();
    addBackgroundChanges(e);
    addChange(e, {
      eventName: 'PutBucketPolicy',
      eventSource: 's3.amazonaws.com',
      eventTime: CHANGED,
      actor: BOB,
      sourceIPAddress: BOB_IP,
      requestParameters: { bucketName: BUCKET, Host: `${BUCKET}.s3.eu-west-1.amazonaws.com`, bucketPolicy: JSON.parse(NEW_POLICY) as unknown, policy: '' },
    });
    e.steps.s4.policy = ok(NEW_POLICY);
    stopS3(e, at(CHANGED) + 2 * 60_000, { error: 'AccessDenied' });
    return e;
  },
  expect: { verdict: 'problem', rootCause: 's3-bucket-policy-denies', trigger: 'PutBucketPolicy', exitCode: 1 },
};
