import { describe, expect, it } from 'vitest';
import { ACCOUNT, BUCKET, TRAIL_ARN, bucketPolicyFor, healthyEvidence } from '../evidence/builder.js';
import type { Evidence } from '../evidence/schema.js';
import { ok } from '../evidence/probe.js';
import type { AccessLogs, AccessLogSummary } from '../evidence/access-logs.js';
import { check as bucketPolicy } from './s3-bucket-policy-denies.js';
import { accessLoggingAdvice, loggedRefusals } from './access-log-evidence.js';
import { contextOf } from './util.js';

const summary = (over: Partial<AccessLogSummary> = {}): AccessLogSummary => ({
  objectsListed: 4,
  objectsRead: 4,
  bytesRead: 9_000,
  capped: false,
  malformedLines: 0,
  unreadableObjects: 0,
  attempted: 30,
  succeeded: 20,
  refused: 10,
  hourly: [
    { hour: '2026-11-24T01:00:00Z', attempted: 12, succeeded: 12, refused: 0, refusedLogFiles: 0, refusedDigests: 0 },
    { hour: '2026-11-24T02:00:00Z', attempted: 18, succeeded: 8, refused: 10, refusedLogFiles: 10, refusedDigests: 0 },
  ],
  errorCodes: [{ status: 403, errorCode: 'AccessDenied', count: 10 }],
  firstRefused: { time: '2026-11-24T02:17:04Z', kind: 'log-file', operation: 'REST.PUT.OBJECT', status: 403, errorCode: 'AccessDenied' },
  lastRefused: { time: '2026-11-24T02:57:04Z', kind: 'log-file', operation: 'REST.PUT.OBJECT', status: 403, errorCode: 'AccessDenied' },
  refusalRun: { start: '2026-11-24T02:17:04Z', end: '2026-11-24T02:57:04Z', refused: 10 },
  requesters: [],
  ...over,
});
const withLogs = (e: Evidence, v: AccessLogs) => {
  e.steps.s4.accessLogs = ok(v);
  return e;
};
const enabled = { enabled: true, targetBucket: 'acme-access-logs', targetPrefix: 'trail/', keyFormat: 'simple' as const, selfTargeting: false };

describe('access log evidence in the bucket-policy check', () => {
  const broken = () => {
    const e = healthyEvidence();
    e.steps.s4.policy = ok(bucketPolicyFor(BUCKET, ACCOUNT, TRAIL_ARN, 'old-prefix'));
    Object.assign(e.steps.s1.trail.value!, { s3KeyPrefix: 'new-prefix' });
    return e;
  };

  it('refused writes in the access logs confirm a denial the trail status no longer shows, dated to the first refusal', () => {
    const e = withLogs(broken(), { config: enabled, summary: summary() });
    const [f] = bucketPolicy.run(contextOf(e)).findings;
    expect(f).toMatchObject({ id: 's3-bucket-policy-denies', confidence: 'confirmed', since: '2026-11-24T02:17:04Z' });
    expect(f!.evidence.join('\n')).toContain('S3 server access logs: 10 refused CloudTrail writes in the window (403 AccessDenied ×10), first at 2026-11-24T02:17:04Z');
    expect(f!.evidence.join('\n')).toContain('the refusals began at 2026-11-24T02:17:04Z and had not stopped');
  });

  it('logging off is advice inside the finding, not a cause', () => {
    const e = withLogs(broken(), { config: { enabled: false, selfTargeting: false } });
    const [f] = bucketPolicy.run(contextOf(e)).findings;
    expect(f!.evidence.join('\n')).toMatch(/server access logging is off on acme-trail-logs \(not a fault\).*put-bucket-logging/);
    expect(bucketPolicy.run(contextOf(withLogs(healthyEvidence(), { config: { enabled: false, selfTargeting: false } }))).findings).toEqual([]);
  });
});

describe('loggedRefusals and accessLoggingAdvice', () => {
  it('nothing refused, or refusals of other kinds only: undefined (never "no attempts")', () => {
    expect(loggedRefusals(withLogs(healthyEvidence(), { config: enabled, summary: summary({ refused: 0, errorCodes: [], hourly: [] }) }))).toBeUndefined();
    expect(loggedRefusals(withLogs(healthyEvidence(), { config: enabled, summary: summary() }), ['digest-file'])).toBeUndefined();
    expect(loggedRefusals(healthyEvidence())).toBeUndefined();
  });

  it('a recovery, KMS error codes and a partial read are named', () => {
    const r = loggedRefusals(
      withLogs(healthyEvidence(), {
        config: enabled,
        summary: summary({ errorCodes: [{ status: 400, errorCode: 'KMS.DisabledException', count: 10 }], refusalRun: { start: 'a', end: 'b', refused: 10, recoveredAt: '2026-11-24T03:02:00Z' }, capped: true, capReason: 'byte cap' }),
      }),
    )!;
    expect(r).toMatchObject({ kms: true, accessDenied: false, recoveredAt: '2026-11-24T03:02:00Z' });
    expect(r.evidence.join('\n')).toMatch(/succeeded again at 2026-11-24T03:02:00Z[\s\S]*lower bound/);
  });

  it('self-targeting logging is flagged', () => {
    const e = withLogs(healthyEvidence(), { config: { ...enabled, targetBucket: BUCKET, targetPrefix: 'AWSLogs/access/', selfTargeting: true, insideTrailPrefix: true } });
    expect(accessLoggingAdvice(e, BUCKET)[0]).toMatch(/writes into acme-trail-logs itself .*inside the trail's own key prefix/);
    expect(accessLoggingAdvice(withLogs(healthyEvidence(), { config: enabled }), BUCKET)).toEqual([]);
  });
});

describe('access log refusals corroborate a delivery gap', () => {
  it('refused writes in the hours of a silence make the gap likely, with that evidence', async () => {
    const { check: gaps } = await import('./delivery-gaps.js');
    const e = healthyEvidence();
    const listing = e.steps.s6.listing.value!;
    listing.gaps = [{ start: '2026-11-24T02:00:00Z', end: '2026-11-24T03:30:00Z' } as (typeof listing.gaps)[number]];
    const before = gaps.run(contextOf(e)).findings[0];
    withLogs(e, { config: enabled, summary: summary() });
    const [f] = gaps.run(contextOf(e)).findings;
    expect(f!.evidence).toContain('step 4: S3 server access logs record 10 refused CloudTrail log-file writes in the hours of it');
    expect(f!.confidence).toBe('likely');
    expect(before?.evidence ?? []).not.toContain('step 4: S3 server access logs record 10 refused CloudTrail log-file writes in the hours of it');
  });
});
