import { describe, expect, it } from 'vitest';
import { check } from './logs-expired-by-lifecycle.js';
import { healthyEvidence } from '../evidence/builder.js';
import { denied, ok } from '../evidence/probe.js';
import type { Evidence, LifecycleRule } from '../evidence/schema.js';
import { contextOf } from './util.js';

const run = (rules: LifecycleRule[] | undefined, mut?: (e: Evidence) => void) => {
  const e = healthyEvidence();
  if (rules) e.steps.s4.lifecycle = ok(rules);
  mut?.(e);
  return check.run(contextOf(e));
};

describe('logs-expired-by-lifecycle', () => {
  it('finds nothing on the healthy fixture (no lifecycle configuration)', () => {
    expect(run(undefined)).toEqual({ findings: [], unverified: [] });
  });

  it('an enabled expiration rule over AWSLogs/ inside the window: likely, with the cut-off', () => {
    const f = run([{ id: 'expire-logs', status: 'Enabled', prefix: 'AWSLogs/', expirationDays: 3 }]).findings[0]!;
    expect(f).toMatchObject({ id: 'logs-expired-by-lifecycle', confidence: 'likely', since: '2026-11-21T04:00:00Z' });
    expect(f.summary).toContain('deletes');
    expect(f.remediation.commands[0]).toBe('aws s3api get-bucket-lifecycle-configuration --bucket acme-trail-logs');
  });

  it('a whole-bucket rule (empty prefix) covers the logs; a rule elsewhere does not', () => {
    expect(run([{ status: 'Enabled', prefix: '', expirationDays: 1 }]).findings).toHaveLength(1);
    expect(run([{ status: 'Enabled', prefix: 'tmp/', expirationDays: 1 }]).findings).toEqual([]);
  });

  it('a rule on a deeper path under the trail prefix covers it; with a trail prefix, AWSLogs/ alone does not', () => {
    expect(run([{ status: 'Enabled', prefix: 'AWSLogs/123456789012/CloudTrail/', expirationDays: 2 }]).findings).toHaveLength(1);
    const prefixed = (e: Evidence) => (e.steps.s1.trail.value!.s3KeyPrefix = 'audit');
    expect(run([{ status: 'Enabled', prefix: 'AWSLogs/', expirationDays: 2 }], prefixed).findings).toEqual([]);
    expect(run([{ status: 'Enabled', prefix: 'audit/', expirationDays: 2 }], prefixed).findings).toHaveLength(1);
  });

  it('transition to GLACIER makes files unreadable; STANDARD_IA does not', () => {
    const f = run([{ status: 'Enabled', prefix: 'AWSLogs/', transitions: [{ days: 1, storageClass: 'GLACIER' }] }]).findings[0]!;
    expect(f.summary).toContain('moves to GLACIER');
    expect(f.remediation.commands.some((c) => c.startsWith('aws s3api restore-object --bucket acme-trail-logs'))).toBe(true);
    expect(run([{ status: 'Enabled', prefix: 'AWSLogs/', transitions: [{ days: 1, storageClass: 'STANDARD_IA' }] }]).findings).toEqual([]);
  });

  it('disabled rules and rules whose cut-off is before the window are ignored', () => {
    expect(run([{ status: 'Disabled', prefix: '', expirationDays: 1 }]).findings).toEqual([]);
    expect(run([{ status: 'Enabled', prefix: '', expirationDays: 365 }]).findings).toEqual([]);
  });

  it('a tag/size-only filter is possible (it may match log files)', () => {
    const f = run([{ status: 'Enabled', filterDescription: 'ObjectSizeGreaterThan 1000', expirationDays: 2 }]).findings[0]!;
    expect(f.confidence).toBe('possible');
    expect(run([{ status: 'Enabled', filterDescription: 'Tag project=x', expirationDays: 2 }]).findings).toEqual([]);
  });

  it('GetBucketLifecycleConfiguration denied is unverified', () => {
    const r = run(undefined, (e) => (e.steps.s4.lifecycle = denied('s3:GetLifecycleConfiguration', 'denied')));
    expect(r.unverified).toEqual([expect.objectContaining({ step: 4, needs: 's3:GetLifecycleConfiguration' })]);
  });
});
