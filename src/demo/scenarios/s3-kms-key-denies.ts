import type { Scenario } from '../scenarios.js';
import { ok } from '../../evidence/probe.js';
import { ACCOUNT, REGION, TRAIL_ARN } from '../../evidence/builder.js';
import { addBackgroundChanges, addChange, at, base, BOB, BOB_IP, stopS3 } from './helpers.js';

const KEY_ID = '0f3c1e2a-7b4d-4c8e-9a61-5d2b8e7f1c34';
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${KEY_ID}`;
const DISABLED = '2026-11-22T19:26:48Z';

/** The key policy AWS documents for CloudTrail (it is intact here: the key itself was disabled). */
export const KEY_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Id: 'Key policy created by CloudTrail',
  Statement: [
    { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
    {
      Sid: 'Allow CloudTrail to encrypt logs',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceArn': TRAIL_ARN }, StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${ACCOUNT}:trail/*` } },
    },
    { Sid: 'Allow CloudTrail to describe key', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'kms:DescribeKey', Resource: '*' },
  ],
});

export const scenario: Scenario = {
  id: 's3-kms-key-denies',
  title: 'The trail\'s KMS key was disabled',
  description:
    'Trail main encrypts its log files with KMS key 0f3c1e2a-…. bob disabled that key on 2026-11-22 at 19:26 UTC (DisableKey from 203.0.113.7), so S3 cannot get a data key for CloudTrail\'s PutObject: CloudTrail reports KMS.DisabledException and the last log file arrived at 19:27. CloudWatch Logs delivery does not use this key and keeps flowing.',
  evidence: () => {
    const e = base();
    e.steps.s1.trail.value!.kmsKeyId = KEY_ARN;
    const s4 = e.steps.s4;
    s4.kmsKeySource = 'trail';
    s4.kmsKey = ok({ keyId: KEY_ID, arn: KEY_ARN, keyState: 'Disabled', enabled: false, keyManager: 'CUSTOMER', accountId: ACCOUNT });
    s4.kmsKeyPolicy = ok(KEY_POLICY);
    addBackgroundChanges(e);
    addChange(e, { eventName: 'DisableKey', eventSource: 'kms.amazonaws.com', eventTime: DISABLED, actor: BOB, sourceIPAddress: BOB_IP, requestParameters: { keyId: KEY_ARN } });
    stopS3(e, at(DISABLED) + 60_000, { error: 'KMS.DisabledException' });
    return e;
  },
  expect: { verdict: 'problem', rootCause: 's3-kms-key-denies', trigger: 'DisableKey', exitCode: 1 },
};
