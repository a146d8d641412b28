import { expect } from 'vitest';
import { check } from './logs-expired-by-lifecycle.js';
import { denied, ok } from '../evidence/probe.js';
import type { Evidence, LifecycleRule } from '../evidence/schema.js';
import { testCheck } from '../../test/support/check-tester.js';

/** The bucket's lifecycle rules (the healthy fixture has no lifecycle configuration). */
const rules = (list: LifecycleRule[], mut?: (e: Evidence) => void) => (e: Evidence) => {
  e.steps.s4.lifecycle = ok(list);
  mut?.(e);
};
const prefixed = (e: Evidence) => (e.steps.s1.trail.value!.s3KeyPrefix = 'audit');

testCheck(check, {
  valid: [
    { name: 'a rule elsewhere does not cover the logs', evidence: rules([{ status: 'Enabled', prefix: 'tmp/', expirationDays: 1 }]) },
    { name: 'with a trail prefix, AWSLogs/ alone does not cover the logs', evidence: rules([{ status: 'Enabled', prefix: 'AWSLogs/', expirationDays: 2 }], prefixed) },
    { name: 'transition to STANDARD_IA keeps files readable', evidence: rules([{ status: 'Enabled', prefix: 'AWSLogs/', transitions: [{ days: 1, storageClass: 'STANDARD_IA' }] }]) },
    { name: 'disabled rules are ignored', evidence: rules([{ status: 'Disabled', prefix: '', expirationDays: 1 }]) },
    { name: 'rules whose cut-off is before the window are ignored', evidence: rules([{ status: 'Enabled', prefix: '', expirationDays: 365 }]) },
    { name: 'a tag-only filter does not match log files', evidence: rules([{ status: 'Enabled', filterDescription: 'Tag project=x', expirationDays: 2 }]) },
  ],
  invalid: [
    {
      name: 'an enabled expiration rule over AWSLogs/ inside the window: likely, with the cut-off',
      evidence: rules([{ id: 'expire-logs', status: 'Enabled', prefix: 'AWSLogs/', expirationDays: 3 }]),
      findings: [{ confidence: 'likely', since: '2026-11-21T04:00:00Z', summary: /deletes/ }],
      assert: ({ findings: [f] }) => expect(f!.remediation.commands[0]).toBe('aws s3api get-bucket-lifecycle-configuration --bucket acme-trail-logs'),
    },
    { name: 'a whole-bucket rule (empty prefix) covers the logs', evidence: rules([{ status: 'Enabled', prefix: '', expirationDays: 1 }]), findings: [{ confidence: 'likely' }] },
    { name: 'a rule on a deeper path under the trail prefix covers it', evidence: rules([{ status: 'Enabled', prefix: 'AWSLogs/123456789012/CloudTrail/', expirationDays: 2 }]), findings: [{ confidence: 'likely' }] },
    { name: 'with a trail prefix, a rule on that prefix covers it', evidence: rules([{ status: 'Enabled', prefix: 'audit/', expirationDays: 2 }], prefixed), findings: [{ confidence: 'likely' }] },
    {
      name: 'transition to GLACIER makes files unreadable',
      evidence: rules([{ status: 'Enabled', prefix: 'AWSLogs/', transitions: [{ days: 1, storageClass: 'GLACIER' }] }]),
      findings: [{ confidence: 'likely', summary: /moves to GLACIER/ }],
      assert: ({ findings: [f] }) => expect(f!.remediation.commands.some((c) => c.startsWith('aws s3api restore-object --bucket acme-trail-logs'))).toBe(true),
    },
    { name: 'a size-only filter is possible (it may match log files)', evidence: rules([{ status: 'Enabled', filterDescription: 'ObjectSizeGreaterThan 1000', expirationDays: 2 }]), findings: [{ confidence: 'possible' }] },
  ],
  unverified: [
    { name: 'GetBucketLifecycleConfiguration denied is unverified', evidence: (e) => (e.steps.s4.lifecycle = denied('s3:GetLifecycleConfiguration', 'denied')), unverified: [{ step: 4, needs: 's3:GetLifecycleConfiguration' }] },
  ],
});
