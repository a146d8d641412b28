import { describe, expect, it } from 'vitest';
import { check } from './s3-bucket-missing.js';
import { BUCKET, healthyEvidence } from '../evidence/builder.js';
import { absent, denied, ok } from '../evidence/probe.js';
import type { Evidence } from '../evidence/schema.js';
import { contextOf } from './util.js';

const run = (mut?: (e: Evidence) => void) => {
  const e = healthyEvidence();
  mut?.(e);
  return check.run(contextOf(e));
};

describe('s3-bucket-missing', () => {
  it('finds nothing on the healthy fixture', () => {
    expect(run()).toEqual({ findings: [], unverified: [] });
  });

  it('deduces: HeadBucket 404 proves it although GetTrailStatus shows no delivery error yet', () => {
    const r = run((e) => (e.steps.s4.head = absent('Not Found', { errorCode: 'NotFound' })));
    const f = r.findings[0]!;
    expect(f).toMatchObject({ id: 's3-bucket-missing', confidence: 'confirmed', resources: [BUCKET] });
    expect(f.evidence.join('\n')).toContain('step 4: HeadBucket acme-trail-logs: NotFound');
    expect(f.evidence.join('\n')).toContain('no delivery error yet');
    expect(f.remediation.commands[0]).toBe('aws s3api create-bucket --bucket acme-trail-logs --region eu-west-1 --create-bucket-configuration LocationConstraint=eu-west-1');
    expect(JSON.stringify(f.remediation.policy)).toContain('arn:aws:s3:::acme-trail-logs/AWSLogs/123456789012/*');
  });

  it('LatestDeliveryError NoSuchBucket alone is confirmed too', () => {
    const r = run((e) => {
      e.steps.s2.status.value!.latestDeliveryError = 'NoSuchBucket';
      e.steps.s4.head = denied('s3:ListBucket', 'Forbidden', { errorCode: 'Forbidden' });
    });
    expect(r.findings[0]).toMatchObject({ confidence: 'confirmed' });
    expect(r.findings[0]!.evidence[0]).toBe('step 2: LatestDeliveryError = NoSuchBucket');
  });

  it('HeadBucket 403 is NOT missing: unverified, naming the caller and the trail owner account', () => {
    const r = run((e) => {
      e.steps.s4.head = denied('s3:ListBucket', 'Forbidden', { errorCode: 'Forbidden' });
      e.steps.s1.caller.value!.accountId = '999999999999';
    });
    expect(r.findings).toEqual([]);
    expect(r.unverified).toHaveLength(1);
    expect(r.unverified[0]!.what).toContain('another account');
    expect(r.unverified[0]!.what).toContain('account 999999999999');
    expect(r.unverified[0]!.what).toContain('trail belongs to account 123456789012');
    expect(r.unverified[0]!.needs).toBe('s3:ListBucket');
  });

  it('uses the DeleteBucket event as since and evidence', () => {
    const f = run((e) => {
      e.steps.s4.head = absent('Not Found');
      e.steps.s9.changes = [{ eventId: 'd', eventName: 'DeleteBucket', eventSource: 's3.amazonaws.com', eventTime: '2026-11-23T09:00:00Z', resources: [BUCKET], sources: ['event-history'] }];
    }).findings[0]!;
    expect(f.since).toBe('2026-11-23T09:00:00Z');
    expect(f.evidence.some((x) => x.startsWith('step 9: DeleteBucket'))).toBe(true);
  });

  it('us-east-1 buckets are created without a LocationConstraint', () => {
    const f = run((e) => {
      e.steps.s1.trail.value!.homeRegion = 'us-east-1';
      e.steps.s4.head = absent('Not Found');
    }).findings[0]!;
    expect(f.remediation.commands[0]).toBe('aws s3api create-bucket --bucket acme-trail-logs --region us-east-1');
  });

  it('an existing bucket (HeadBucket ok) with another error is not missing', () => {
    expect(run((e) => (e.steps.s4.head = ok({ region: 'eu-west-1' }))).findings).toEqual([]);
  });
});
