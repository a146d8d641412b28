import { describe, expect, it } from 'vitest';
import { healthyEvidence, BUCKET } from '../evidence/builder.js';
import { denied, failed, skipped } from '../evidence/probe.js';
import type { ChangeEvent, Evidence } from '../evidence/schema.js';
import type { Check, Confidence, Finding, RootCauseId, Severity, StepNumber, Unverified } from '../checks/types.js';
import { exitCodeFor, STEP_TITLES } from '../model/index.js';
import { diagnoseWith } from './diagnose.js';

const NOW = new Date('2026-11-24T04:00:00Z');
const base = () => healthyEvidence({ now: NOW });

function finding(id: RootCauseId, confidence: Confidence, extra: Partial<Finding> = {}): Finding {
  return { id, confidence, summary: `${id} (${confidence})`, evidence: [], remediation: { summary: 'fix it', commands: ['aws do-something'] }, ...extra };
}

/** A fake check reporting fixed findings. */
function fake(id: RootCauseId, findings: Finding[] | ((e: Evidence) => Finding[]), opts: { step?: StepNumber; severity?: Severity; unverified?: Unverified[] } = {}): Check {
  return {
    id,
    title: `title of ${id}`,
    step: opts.step ?? 2,
    severity: opts.severity ?? 'high',
    run: ({ evidence }) => ({ findings: typeof findings === 'function' ? findings(evidence) : findings, unverified: opts.unverified ?? [] }),
  };
}

const throwing = (id: RootCauseId): Check => ({
  id,
  title: 't',
  step: 4,
  severity: 'high',
  run: () => {
    throw new TypeError('cannot read properties of undefined');
  },
});

describe('diagnose: verdict and exit code', () => {
  it('healthy: nothing found and everything observed → healthy first, possible causes after, exit 0', () => {
    const r = diagnoseWith(base(), [fake('log-file-validation-disabled', [finding('log-file-validation-disabled', 'possible')], { severity: 'low' }), fake('logging-stopped', [])]);
    expect(r.verdict).toBe('healthy');
    expect(exitCodeFor(r.verdict)).toBe(0);
    expect(r.rootCauses.map((c) => [c.id, c.confidence])).toEqual([
      ['healthy', 'confirmed'],
      ['log-file-validation-disabled', 'possible'],
    ]);
    expect(r.unverified).toEqual([]);
  });

  it('problem: one likely cause → problem, exit 1', () => {
    const r = diagnoseWith(base(), [fake('s3-bucket-policy-denies', [finding('s3-bucket-policy-denies', 'likely')])]);
    expect(r.verdict).toBe('problem');
    expect(exitCodeFor(r.verdict)).toBe(1);
    expect(r.rootCauses[0]!.id).toBe('s3-bucket-policy-denies');
    expect(r.rootCauses.some((c) => c.id === 'healthy')).toBe(false);
  });

  it('inconclusive: nothing found but a non-optional probe was denied → exit 3, and the probe is listed with its permission', () => {
    const e = base();
    e.steps.s4.policy = denied('s3:GetBucketPolicy', 'Access Denied', { errorCode: 'AccessDenied' });
    const r = diagnoseWith(e, [fake('single-region-trail', [finding('single-region-trail', 'possible')])]);
    expect(r.verdict).toBe('inconclusive');
    expect(exitCodeFor(r.verdict)).toBe(3);
    expect(r.unverified).toEqual([{ step: 4, what: 'bucket policy', needs: 's3:GetBucketPolicy', reason: 'AccessDenied: Access Denied' }]);
    expect(r.rootCauses.map((c) => c.id)).toEqual(['single-region-trail']);
  });

  it('a denied probe does not hide a confirmed cause: problem, and the probe still appears in unverified', () => {
    const e = base();
    e.steps.s5.inlinePolicies = denied('iam:ListRolePolicies', 'denied');
    const r = diagnoseWith(e, [fake('logging-stopped', [finding('logging-stopped', 'confirmed')])]);
    expect(r.verdict).toBe('problem');
    expect(r.unverified.map((u) => u.needs)).toEqual(['iam:ListRolePolicies']);
  });

  it('optional sources never make the verdict inconclusive, and their failures stay listed as optional', () => {
    const e = base();
    e.steps.s1.health = failed('SubscriptionRequiredException', { optional: true }); // AWS Health without a support plan
    e.steps.s8.metrics = denied('cloudwatch:GetMetricData', 'no datapoints', { optional: true });
    // event history denied while the log group answered step 9
    e.steps.s9.fromEventHistory = denied('cloudtrail:LookupEvents', 'denied');
    e.steps.s9.fromEventHistoryGlobal = denied('cloudtrail:LookupEvents', 'denied');
    const r = diagnoseWith(e, []);
    expect(r.verdict).toBe('healthy');
    expect(r.unverified.length).toBeGreaterThanOrEqual(3);
    expect(r.unverified.every((u) => u.optional)).toBe(true);
    expect(r.unverified.map((u) => u.needs)).toEqual(expect.arrayContaining(['cloudwatch:GetMetricData', 'cloudtrail:LookupEvents']));
  });

  it('event history denied when the log group could not answer step 9 is unverified', () => {
    const e = base();
    e.steps.s9.fromLogGroup = skipped('the trail sends nothing to CloudWatch Logs');
    e.steps.s9.fromEventHistory = denied('cloudtrail:LookupEvents', 'denied');
    const r = diagnoseWith(e, []);
    expect(r.verdict).toBe('inconclusive');
    expect(r.unverified).toEqual([expect.objectContaining({ step: 9, needs: 'cloudtrail:LookupEvents' })]);
  });

  it('unverified: check entries and probe entries are de-duplicated (same step and permission)', () => {
    const e = base();
    e.steps.s4.policy = denied('s3:GetBucketPolicy', 'Access Denied');
    const r = diagnoseWith(e, [
      fake('s3-bucket-policy-denies', [], { step: 4, unverified: [{ step: 4, what: 'bucket policy of acme-trail-logs', needs: 's3:GetBucketPolicy' }] }),
      fake('organization-policy-denies', [], { step: 4, unverified: [{ step: 4, what: 'bucket policy of acme-trail-logs', needs: 's3:GetBucketPolicy' }] }),
    ]);
    expect(r.unverified).toEqual([{ step: 4, what: 'bucket policy of acme-trail-logs', needs: 's3:GetBucketPolicy' }]);
  });
});

describe('diagnose: isolation', () => {
  it('a throwing check becomes an unverified entry, other checks still run, no crash', () => {
    const r = diagnoseWith(base(), [throwing('s3-kms-key-denies'), fake('logging-stopped', [finding('logging-stopped', 'confirmed')])]);
    expect(r.verdict).toBe('problem');
    expect(r.rootCauses.map((c) => c.id)).toEqual(['logging-stopped']);
    expect(r.unverified).toEqual([expect.objectContaining({ step: 4, what: 'check s3-kms-key-denies failed: cannot read properties of undefined' })]);
  });

  it('a throwing check alone makes the verdict inconclusive, not healthy', () => {
    const r = diagnoseWith(base(), [throwing('s3-kms-key-denies')]);
    expect(r.verdict).toBe('inconclusive');
  });

  it('a check returning garbage is treated as failed', () => {
    const bad: Check = { id: 'delivery-gaps', title: 't', step: 6, severity: 'medium', run: () => ({ findings: [{ nope: 1 }], unverified: [] }) as never };
    const r = diagnoseWith(base(), [bad]);
    expect(r.unverified[0]!.what).toMatch(/^check delivery-gaps failed: /);
  });
});

describe('diagnose: ranking and de-duplication', () => {
  it('confidence first, then precedence (runbook order), then severity; every cause kept', () => {
    const r = diagnoseWith(base(), [
      fake('delivery-gaps', [finding('delivery-gaps', 'likely')], { severity: 'critical', step: 6 }),
      fake('single-region-trail', [finding('single-region-trail', 'possible')], { severity: 'low' }),
      fake('s3-bucket-policy-denies', [finding('s3-bucket-policy-denies', 'likely')], { severity: 'critical', step: 4 }),
      fake('cloudwatch-role-invalid', [finding('cloudwatch-role-invalid', 'likely')], { severity: 'high', step: 5 }),
      fake('logs-expired-by-retention', [finding('logs-expired-by-retention', 'confirmed')], { severity: 'medium', step: 7 }),
    ]);
    expect(r.rootCauses.map((c) => c.id)).toEqual([
      'logs-expired-by-retention', // confirmed beats likely
      'cloudwatch-role-invalid', // (2) IAM before (3) S3, despite lower severity
      's3-bucket-policy-denies',
      'delivery-gaps', // a symptom the configuration causes explain: after them, before possible ones
      'single-region-trail',
    ]);
  });

  it('within one tier, severity decides', () => {
    const r = diagnoseWith(base(), [
      fake('s3-requester-pays', [finding('s3-requester-pays', 'confirmed')], { severity: 'medium' }),
      fake('s3-bucket-missing', [finding('s3-bucket-missing', 'confirmed')], { severity: 'critical' }),
    ]);
    expect(r.rootCauses.map((c) => c.id)).toEqual(['s3-bucket-missing', 's3-requester-pays']);
  });

  it('drops the generic s3-delivery-error when the specific cause it names was found', () => {
    const r = diagnoseWith(base(), [
      fake('s3-delivery-error', [finding('s3-delivery-error', 'confirmed', { data: { explainedBy: ['s3-bucket-policy-denies'] } })]),
      fake('s3-bucket-policy-denies', [finding('s3-bucket-policy-denies', 'likely')]),
    ]);
    expect(r.rootCauses.map((c) => c.id)).toEqual(['s3-bucket-policy-denies']);
  });

  it('keeps s3-delivery-error when nothing specific explains it, and when the specific cause is only possible', () => {
    const r = diagnoseWith(base(), [
      fake('s3-delivery-error', [finding('s3-delivery-error', 'confirmed')]),
      fake('organization-policy-denies', [finding('organization-policy-denies', 'possible')]),
    ]);
    expect(r.rootCauses.map((c) => c.id)).toEqual(['s3-delivery-error', 'organization-policy-denies']);
  });

  it('drops cloudwatch-delivery-error explained by cloudwatch-role-invalid (catalogue default)', () => {
    const r = diagnoseWith(base(), [fake('cloudwatch-delivery-error', [finding('cloudwatch-delivery-error', 'confirmed')]), fake('cloudwatch-role-invalid', [finding('cloudwatch-role-invalid', 'confirmed')])]);
    expect(r.rootCauses.map((c) => c.id)).toEqual(['cloudwatch-role-invalid']);
  });

  it('delivery-stopped (confirmed) ranks below a likely configuration cause that explains the silence', () => {
    const r = diagnoseWith(base(), [fake('delivery-stopped', [finding('delivery-stopped', 'confirmed')]), fake('s3-kms-key-denies', [finding('s3-kms-key-denies', 'likely')])]);
    expect(r.rootCauses.map((c) => c.id)).toEqual(['s3-kms-key-denies', 'delivery-stopped']);
  });

  it('delivery-stopped stays first when only possible causes exist', () => {
    const r = diagnoseWith(base(), [fake('delivery-stopped', [finding('delivery-stopped', 'likely')]), fake('single-region-trail', [finding('single-region-trail', 'possible')])]);
    expect(r.rootCauses.map((c) => c.id)).toEqual(['delivery-stopped', 'single-region-trail']);
  });

  it('fills every RootCause field: severity and title from the check, trigger from correlation', () => {
    const e = base();
    e.steps.s9.changes = [
      { eventId: 'e1', eventName: 'PutBucketPolicy', eventSource: 's3.amazonaws.com', eventTime: '2026-11-23T10:03:11Z', actor: 'arn:aws:iam::123456789012:user/bob', sourceIPAddress: '203.0.113.7', requestParameters: { bucketName: BUCKET }, resources: [BUCKET], sources: ['event-history'] },
    ];
    const r = diagnoseWith(e, [
      fake('s3-bucket-policy-denies', [finding('s3-bucket-policy-denies', 'confirmed', { since: '2026-11-23T10:05:00Z', triggerEvents: ['PutBucketPolicy'], resources: [BUCKET], evidence: ['step 2: LatestDeliveryError = AccessDenied', 'step 4: no statement allows s3:PutObject'] })], { step: 4, severity: 'critical' }),
    ]);
    const c = r.rootCauses[0]!;
    expect(c).toMatchObject({ id: 's3-bucket-policy-denies', confidence: 'confirmed', severity: 'critical', title: 'title of s3-bucket-policy-denies', remediation: { commands: ['aws do-something'] } });
    expect(c.trigger).toMatchObject({ eventName: 'PutBucketPolicy', actor: 'arn:aws:iam::123456789012:user/bob', sourceIPAddress: '203.0.113.7', eventId: 'e1', source: 'event-history' });
    expect(r.timeline!.changes).toEqual([{ time: '2026-11-23T10:03:11Z', eventName: 'PutBucketPolicy', actor: 'arn:aws:iam::123456789012:user/bob', sourceIPAddress: '203.0.113.7', isTrigger: true }]);
    // step 4 (the check's step) and step 9 (the change) are what the cause is based on; the status shows no error here
    expect(r.steps.filter((s) => s.status === 'problem').map((s) => s.step)).toEqual([4, 9]);
    // with the error in the status, step 2 is a problem too
    e.steps.s2.status.value!.latestDeliveryError = 'AccessDenied';
    expect(diagnoseWith(e, [fake('s3-bucket-policy-denies', [finding('s3-bucket-policy-denies', 'confirmed')], { step: 4 })]).steps.filter((s) => s.status === 'problem').map((s) => s.step)).toEqual([2, 4, 9]);
  });
});

describe('diagnose: step statuses', () => {
  it('a CloudWatch Logs delivery-stopped marks step 3, not the S3 listing of step 6', () => {
    const r = diagnoseWith(base(), [fake('delivery-stopped', [finding('delivery-stopped', 'likely', { data: { destination: 'cloudwatch-logs' } })], { step: 6 })]);
    expect(r.steps.filter((s) => s.status === 'problem').map((s) => s.step)).toEqual([3]);
  });

  it('possible causes mark no step', () => {
    const r = diagnoseWith(base(), [fake('single-region-trail', [finding('single-region-trail', 'possible')], { step: 2 })]);
    expect(r.steps.every((s) => s.status === 'ok')).toBe(true);
  });
});

describe('diagnose: gap report', () => {
  it('a delivery gap takes the gap report\'s ranked trigger, marked in the timeline, and the gap window is shaded', () => {
    const e = base();
    const changes: ChangeEvent[] = [
      { eventId: 'tag', eventName: 'UpdateTrail', eventSource: 'cloudtrail.amazonaws.com', eventTime: '2026-11-22T01:00:30Z', requestParameters: { name: 'main', s3KeyPrefix: 'x' }, resources: ['main'], sources: ['event-history'] },
      { eventId: 'pol', eventName: 'PutBucketPolicy', eventSource: 's3.amazonaws.com', eventTime: '2026-11-22T00:58:10Z', actor: 'arn:aws:iam::123456789012:user/bob', requestParameters: { bucketName: BUCKET }, resources: [BUCKET], sources: ['event-history'] },
    ];
    e.steps.s9.changes = changes.sort((a, b) => a.eventTime.localeCompare(b.eventTime));
    e.gaps = {
      window: e.window,
      totals: { recorded: 900, delivered: 700, missing: 200, sampled: false },
      gaps: [
        {
          destination: 's3',
          start: '2026-11-22T01:02:00Z',
          end: '2026-11-22T04:07:00Z',
          eventsMissing: 200,
          trigger: { eventName: 'PutBucketPolicy', eventTime: '2026-11-22T00:58:10Z', actor: 'arn:aws:iam::123456789012:user/bob', sourceIPAddress: '203.0.113.7' },
          closedBy: { eventName: 'PutBucketPolicy', eventTime: '2026-11-22T04:05:00Z', actor: 'arn:aws:iam::123456789012:user/alice', sourceIPAddress: '198.51.100.23' },
        },
      ],
    };
    const r = diagnoseWith(e, [fake('delivery-gaps', [finding('delivery-gaps', 'likely', { since: '2026-11-22T01:02:00Z' })], { step: 6 })]);
    expect(r.rootCauses[0]!.trigger).toMatchObject({ eventName: 'PutBucketPolicy', eventId: 'pol', actor: 'arn:aws:iam::123456789012:user/bob' });
    expect(r.timeline!.changes.filter((c) => c.isTrigger).map((c) => c.eventName)).toEqual(['PutBucketPolicy']);
    expect(r.timeline!.gaps).toEqual([{ start: '2026-11-22T01:02:00Z', end: '2026-11-22T04:07:00Z', destination: 's3' }]);
    expect(r.gaps).toBe(e.gaps);
  });
});

describe('diagnose: report fields', () => {
  it('fills the report envelope from the evidence, deterministically', () => {
    const e = base();
    e.stats = { durationMs: 1234, apiCalls: 41, longestChain: 4, stepDurationsMs: { s1: 10 } };
    e.gaps = { window: e.window, totals: { recorded: 0, delivered: 0, missing: 0, sampled: false }, gaps: [] };
    e.integrity = { status: 'no-digests', window: e.window, problems: [], problemsTruncated: false };
    const r = diagnoseWith(e, []);
    expect(r).toMatchObject({
      schemaVersion: 1,
      tool: { name: 'trail-doctor' },
      generatedAt: '2026-11-24T04:00:00Z',
      trail: { name: 'main', arn: 'arn:aws:cloudtrail:eu-west-1:123456789012:trail/main', region: 'eu-west-1', homeRegion: 'eu-west-1' },
      window: { start: '2026-11-17T04:00:00Z', end: '2026-11-24T04:00:00Z' },
      stats: { durationMs: 1234, apiCalls: 41, longestChain: 4 },
      gaps: e.gaps,
      integrity: { status: 'no-digests', window: e.window, problems: [], problemsTruncated: false },
    });
    expect(diagnoseWith(e, [])).toEqual(r);
  });

  it('always has the nine steps in order with their titles', () => {
    const r = diagnoseWith(base(), []);
    expect(r.steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(r.steps.map((s) => s.title)).toEqual(Object.values(STEP_TITLES));
    expect(r.steps.every((s) => s.status === 'ok')).toBe(true);
  });

  it('a missing trail: name from the target, no ARN, steps skipped', () => {
    const e = base();
    e.target.trail = 'gone';
    e.steps.s1.trail = { status: 'absent', reason: 'TrailNotFoundException', errorCode: 'TrailNotFoundException' };
    e.steps.s2.status = skipped('no trail');
    const r = diagnoseWith(e, [fake('trail-not-found', [finding('trail-not-found', 'confirmed', { evidence: ['step 1: GetTrail TrailNotFoundException'] })], { step: 1 })]);
    expect(r.trail).toEqual({ name: 'gone', region: 'eu-west-1' });
    e.target.trail = 'arn:aws:cloudtrail:us-east-1:210987654321:trail/org-trail';
    expect(diagnoseWith(e, []).trail).toEqual({ name: 'org-trail', arn: 'arn:aws:cloudtrail:us-east-1:210987654321:trail/org-trail', region: 'eu-west-1' });
    expect(r.steps[0]!.status).toBe('problem');
    expect(r.steps[1]!.status).toBe('skipped');
  });

  it('the healthy cause is never listed when the verdict is not healthy', () => {
    const r = diagnoseWith(base(), [fake('healthy', [finding('healthy', 'confirmed')]), fake('logging-stopped', [finding('logging-stopped', 'likely')])]);
    expect(r.rootCauses.map((c) => c.id)).toEqual(['logging-stopped']);
  });

  it('does not modify the evidence', () => {
    const e = base();
    const before = JSON.stringify(e);
    diagnoseWith(e, [fake('s3-bucket-policy-denies', [finding('s3-bucket-policy-denies', 'confirmed')])]);
    expect(JSON.stringify(e)).toBe(before);
  });

  it('status probe ok is summarised with figures', () => {
    const r = diagnoseWith(base(), []);
    expect(r.steps[1]!.summary).toBe('IsLogging true; last delivery 3 min ago; no delivery error; management events All, 0 data resource types');
    expect(r.steps[5]!.summary).toBe('2016 log files (77 MB), newest 2026-11-24T03:57Z (3 min ago), no gap');
  });
});
