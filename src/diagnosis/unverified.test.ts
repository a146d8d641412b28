import { describe, expect, it } from 'vitest';
import { healthyEvidence } from '../evidence/builder.js';
import { denied, failed } from '../evidence/probe.js';
import { PROBE_NAMES, mergeUnverified, unverifiedFromProbes, walkProbes } from './unverified.js';

const NOW = new Date('2026-11-24T04:00:00Z');

describe('probe walk', () => {
  it('every probe of the evidence schema has a readable name (parity: a new probe needs one)', () => {
    const paths = walkProbes(healthyEvidence({ now: NOW })).map((p) => p.path);
    expect(paths.length).toBeGreaterThan(25);
    expect(paths.filter((p) => !PROBE_NAMES[p])).toEqual([]);
  });

  it('lists denied and error probes with step, name, permission and reason; skips ok/absent/skipped; marks optional ones', () => {
    const e = healthyEvidence({ now: NOW });
    e.steps.s5.role = denied('iam:GetRole', 'User is not authorized to perform iam:GetRole', { errorCode: 'AccessDenied' });
    e.steps.s6.listing = failed('socket hang up', { errorCode: 'TimeoutError', needs: 's3:ListBucket' });
    e.steps.s8.metrics = denied('cloudwatch:GetMetricData', 'denied', { optional: true });
    expect(unverifiedFromProbes(e)).toEqual([
      { step: 5, what: 'CloudWatch Logs role and trust policy', needs: 'iam:GetRole', reason: 'AccessDenied: User is not authorized to perform iam:GetRole' },
      { step: 6, what: 'log files in S3', needs: 's3:ListBucket', reason: 'TimeoutError: socket hang up' },
      { step: 8, what: 'CloudWatch metrics', needs: 'cloudwatch:GetMetricData', reason: 'denied', optional: true },
    ]);
  });

  it('a source answered by a fallback lists the failed call as optional, naming what answered', () => {
    const e = healthyEvidence({ now: NOW });
    e.steps.s3.eventCounts = { ...e.steps.s3.eventCounts, substitute: { failed: 'logs:StartQuery', reason: 'InternalFailure (HTTP 500)', answeredBy: 'logs:FilterLogEvents' } };
    expect(unverifiedFromProbes(e)).toEqual([
      { step: 3, what: 'event counts in the log group (answered by logs:FilterLogEvents instead)', needs: 'logs:StartQuery', reason: 'InternalFailure (HTTP 500)', optional: true },
    ]);
  });

  it('a probe error without `needs` still says what would help, and untrusted text stays inert', () => {
    const e = healthyEvidence({ now: NOW });
    e.steps.s7.logGroup = failed('\u001b[2Jboom\nsecond line');
    expect(unverifiedFromProbes(e)).toEqual([{ step: 7, what: 'log group configuration', needs: 'a successful call (the service answered with an error)', reason: 'boom second line' }]);
  });

  it('merge keeps check entries first and drops probe entries naming the same step and permission', () => {
    const merged = mergeUnverified(
      [{ step: 4, what: 'bucket policy of acme-trail-logs', needs: 's3:GetBucketPolicy' }],
      [
        { step: 4, what: 'bucket policy', needs: 's3:GetBucketPolicy' },
        { step: 2, what: 'trail status', needs: 'cloudtrail:GetTrailStatus' },
        { step: 2, what: 'trail status', needs: 'cloudtrail:GetTrailStatus' },
      ],
    );
    expect(merged).toEqual([
      { step: 2, what: 'trail status', needs: 'cloudtrail:GetTrailStatus' },
      { step: 4, what: 'bucket policy of acme-trail-logs', needs: 's3:GetBucketPolicy' },
    ]);
  });
});
