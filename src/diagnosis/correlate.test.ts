import { describe, expect, it } from 'vitest';
import { gapEventOf, gapReportOf, healthyEvidence, BUCKET, TRAIL, TRAIL_ARN, ROLE_NAME } from '../evidence/builder.js';
import type { GapEvent, GapReport, GapWindow } from '../evidence/gaps.js';
import type { ChangeEvent, Evidence } from '../evidence/schema.js';
import type { Finding } from '../checks/types.js';
import { correlate, correlateFinding, rankCandidates } from './correlate.js';

const NOW = new Date('2026-11-24T04:00:00Z');
const SINCE = '2026-11-23T10:05:00Z';

let n = 0;
function change(eventName: string, eventTime: string, extra: Partial<ChangeEvent> = {}): ChangeEvent {
  n++;
  return {
    eventId: `ev-${n}`,
    eventName,
    eventSource: 's3.amazonaws.com',
    eventTime,
    actor: 'arn:aws:iam::123456789012:user/bob',
    sourceIPAddress: '203.0.113.7',
    requestParameters: { bucketName: BUCKET },
    resources: [BUCKET],
    sources: ['event-history'],
    ...extra,
  };
}

function evidenceWith(changes: ChangeEvent[], gaps?: GapReport): Evidence {
  const e = healthyEvidence({ now: NOW });
  e.steps.s9.changes = changes;
  if (gaps !== undefined) e.gaps = gaps;
  return e;
}

const policyFinding = (extra: Partial<Finding> = {}): Finding => ({
  id: 's3-bucket-policy-denies',
  confidence: 'confirmed',
  summary: 'policy denies',
  evidence: [],
  remediation: { summary: '', commands: [] },
  triggerEvents: ['PutBucketPolicy', 'DeleteBucketPolicy'],
  resources: [BUCKET],
  since: SINCE,
  ...extra,
});

interface Row {
  name: string;
  changes: ChangeEvent[];
  finding?: Partial<Finding>;
  expect: string | undefined; // eventId or undefined
}

const rows: Row[] = [
  { name: 'the PutBucketPolicy 2 minutes before', changes: [change('PutBucketPolicy', '2026-11-23T10:03:00Z', { eventId: 'good' })], expect: 'good' },
  {
    name: 'a failed PutBucketPolicy (errorCode) is never blamed',
    changes: [change('PutBucketPolicy', '2026-11-23T10:04:00Z', { eventId: 'failed', errorCode: 'AccessDenied' })],
    expect: undefined,
  },
  {
    name: 'the successful call wins over a failed one closer to since',
    changes: [change('PutBucketPolicy', '2026-11-23T10:01:00Z', { eventId: 'ok' }), change('PutBucketPolicy', '2026-11-23T10:04:30Z', { eventId: 'failed', errorCode: 'MalformedPolicy' })],
    expect: 'ok',
  },
  {
    name: 'a change on another bucket is not blamed',
    changes: [change('PutBucketPolicy', '2026-11-23T10:03:00Z', { eventId: 'other', requestParameters: { bucketName: 'someone-elses-bucket' }, resources: ['someone-elses-bucket'] })],
    expect: undefined,
  },
  { name: 'a change 20 minutes before since is outside the 5-minute window', changes: [change('PutBucketPolicy', '2026-11-23T09:45:00Z', { eventId: 'early' })], expect: undefined },
  { name: 'an event name the cause does not list is not blamed', changes: [change('PutBucketTagging', '2026-11-23T10:03:00Z', { eventId: 'tag' })], expect: undefined },
  {
    name: 'of two plausible changes the one nearer since wins',
    changes: [change('PutBucketPolicy', '2026-11-23T10:00:30Z', { eventId: 'far' }), change('DeleteBucketPolicy', '2026-11-23T10:04:00Z', { eventId: 'near' })],
    expect: 'near',
  },
  {
    name: 'a change on the bucket named only in requestParameters still matches',
    changes: [change('PutBucketPolicy', '2026-11-23T10:03:00Z', { eventId: 'params', resources: undefined, requestParameters: { BucketName: BUCKET, policy: '{}' } })],
    expect: 'params',
  },
  {
    name: 'a bucket whose name merely contains the trail bucket name does not match by parameters',
    changes: [change('PutBucketPolicy', '2026-11-23T10:03:00Z', { eventId: 'prefix', resources: undefined, requestParameters: { bucketName: `${BUCKET}-archive` } })],
    expect: undefined,
  },
  {
    name: 'without since: the most recent matching change in the window',
    finding: { since: undefined },
    changes: [change('PutBucketPolicy', '2026-11-20T08:00:00Z', { eventId: 'old' }), change('PutBucketPolicy', '2026-11-22T08:00:00Z', { eventId: 'recent' })],
    expect: 'recent',
  },
  {
    name: 'without since: a change before the window is ignored',
    finding: { since: undefined },
    changes: [change('PutBucketPolicy', '2026-11-10T08:00:00Z', { eventId: 'ancient' })],
    expect: undefined,
  },
  {
    name: 'a change shortly after since (the last good delivery) is within the cadence',
    changes: [change('PutBucketPolicy', '2026-11-23T10:07:00Z', { eventId: 'after' })],
    expect: 'after',
  },
  {
    name: 'a failed StopLogging is not blamed for logging-stopped',
    finding: { id: 'logging-stopped', triggerEvents: ['StopLogging'], resources: [TRAIL, TRAIL_ARN], since: '2026-11-23T10:05:00Z' },
    changes: [
      change('StopLogging', '2026-11-23T10:04:00Z', { eventId: 'denied-stop', eventSource: 'cloudtrail.amazonaws.com', errorCode: 'AccessDenied', requestParameters: { name: TRAIL }, resources: [TRAIL] }),
    ],
    expect: undefined,
  },
  {
    name: 'StopLogging by trail ARN matches a finding naming the trail',
    finding: { id: 'logging-stopped', triggerEvents: ['StopLogging'], resources: [TRAIL], since: '2026-11-23T10:05:00Z' },
    changes: [change('StopLogging', '2026-11-23T10:05:00Z', { eventId: 'stop', eventSource: 'cloudtrail.amazonaws.com', requestParameters: { name: TRAIL_ARN }, resources: [TRAIL_ARN, TRAIL] })],
    expect: 'stop',
  },
  {
    name: 'StopLogging of another trail is not blamed',
    finding: { id: 'logging-stopped', triggerEvents: ['StopLogging'], resources: [TRAIL, TRAIL_ARN], since: '2026-11-23T10:05:00Z' },
    changes: [change('StopLogging', '2026-11-23T10:05:00Z', { eventId: 'other-trail', requestParameters: { name: 'audit' }, resources: ['audit'] })],
    expect: undefined,
  },
  {
    name: 'defaults: a finding without triggerEvents/resources correlates through the catalogue (DetachRolePolicy on the role)',
    finding: { id: 'cloudwatch-role-invalid', triggerEvents: undefined, resources: undefined, since: '2026-11-23T10:05:00Z' },
    changes: [change('DetachRolePolicy', '2026-11-23T10:02:00Z', { eventId: 'detach', eventSource: 'iam.amazonaws.com', requestParameters: { roleName: ROLE_NAME }, resources: [ROLE_NAME] })],
    expect: 'detach',
  },
];

describe('correlateFinding (runbook diagnosis step 5)', () => {
  for (const row of rows) {
    it(row.name, () => {
      const e = evidenceWith(row.changes);
      const t = correlateFinding(e, policyFinding(row.finding));
      expect(t?.eventId).toBe(row.expect);
    });
  }

  it('fills the trigger from the change: who, when, from where, what, source', () => {
    const e = evidenceWith([change('PutBucketPolicy', '2026-11-23T10:03:11Z', { eventId: 'x', sources: ['log-group', 'event-history'] })]);
    expect(correlateFinding(e, policyFinding())).toEqual({
      eventName: 'PutBucketPolicy',
      eventTime: '2026-11-23T10:03:11Z',
      actor: 'arn:aws:iam::123456789012:user/bob',
      sourceIPAddress: '203.0.113.7',
      requestParameters: { bucketName: BUCKET },
      eventId: 'x',
      source: 'event-history',
    });
  });

  it('keeps a trigger the check already set', () => {
    const e = evidenceWith([change('PutBucketPolicy', '2026-11-23T10:03:00Z')]);
    const preset = { eventName: 'DeleteBucketPolicy', eventTime: '2026-11-23T10:00:00Z', source: 'log-group' as const };
    expect(correlateFinding(e, policyFinding({ trigger: preset }))).toBe(preset);
  });

  it('correlate() returns copies with trigger set, leaving the input untouched', () => {
    const e = evidenceWith([change('PutBucketPolicy', '2026-11-23T10:03:00Z', { eventId: 'y' })]);
    const f = policyFinding();
    const [out] = correlate(e, [f]);
    expect(out!.trigger?.eventId).toBe('y');
    expect(f.trigger).toBeUndefined();
  });
});

describe('request-parameter relevance and state causes', () => {
  const trailChange = (eventName: string, eventTime: string, params: Record<string, unknown>, eventId: string) =>
    change(eventName, eventTime, { eventId, eventSource: 'cloudtrail.amazonaws.com', requestParameters: { name: TRAIL, ...params }, resources: [TRAIL] });
  const stateFinding = (id: Finding['id'], since?: string): Finding => ({
    id,
    confidence: 'possible',
    summary: id,
    evidence: [],
    remediation: { summary: '', commands: [] },
    triggerEvents: ['UpdateTrail', 'CreateTrail'],
    resources: [TRAIL, TRAIL_ARN],
    ...(since ? { since } : {}),
  });

  it('single-region-trail: the UpdateTrail that set isMultiRegionTrail false, not a later unrelated UpdateTrail', () => {
    const e = evidenceWith([
      trailChange('UpdateTrail', '2026-11-20T10:00:00Z', { isMultiRegionTrail: false }, 'narrowed'),
      trailChange('UpdateTrail', '2026-11-22T10:00:00Z', { snsTopicName: 'alerts' }, 'sns'),
      trailChange('UpdateTrail', '2026-11-23T10:00:00Z', { isMultiRegionTrail: true }, 'widened-other'),
    ]);
    expect(correlateFinding(e, stateFinding('single-region-trail'))?.eventId).toBe('narrowed');
  });

  it('log-file-validation-disabled: CreateTrail without enableLogFileValidation is blamed, one enabling it is not', () => {
    expect(correlateFinding(evidenceWith([trailChange('CreateTrail', '2026-11-20T10:00:00Z', { s3BucketName: BUCKET }, 'created')]), stateFinding('log-file-validation-disabled'))?.eventId).toBe('created');
    expect(correlateFinding(evidenceWith([trailChange('CreateTrail', '2026-11-20T10:00:00Z', { s3BucketName: BUCKET, enableLogFileValidation: true }, 'created')]), stateFinding('log-file-validation-disabled'))).toBeUndefined();
  });

  it('s3-bucket-policy-denies: an UpdateTrail that changed only the SNS topic is not blamed', () => {
    const e = evidenceWith([trailChange('UpdateTrail', '2026-11-23T10:03:00Z', { snsTopicName: 'alerts' }, 'sns')]);
    expect(correlateFinding(e, policyFinding({ triggerEvents: ['PutBucketPolicy', 'UpdateTrail'], resources: [BUCKET, TRAIL] }))).toBeUndefined();
    const e2 = evidenceWith([trailChange('UpdateTrail', '2026-11-23T10:03:00Z', { s3KeyPrefix: 'logs' }, 'prefix')]);
    expect(correlateFinding(e2, policyFinding({ triggerEvents: ['PutBucketPolicy', 'UpdateTrail'], resources: [BUCKET, TRAIL] }))?.eventId).toBe('prefix');
  });

  it('logs-expired-by-retention: since is a retention cut-off, so the latest PutRetentionPolicy in the window is the trigger', () => {
    const e = evidenceWith([
      change('PutRetentionPolicy', '2026-11-22T09:12:00Z', { eventId: 'retention', eventSource: 'logs.amazonaws.com', requestParameters: { logGroupName: 'aws-cloudtrail-logs-main', retentionInDays: 5 }, resources: ['aws-cloudtrail-logs-main'] }),
    ]);
    const f: Finding = { id: 'logs-expired-by-retention', confidence: 'likely', summary: '', evidence: [], remediation: { summary: '', commands: [] }, triggerEvents: ['PutRetentionPolicy'], resources: ['aws-cloudtrail-logs-main'], since: '2026-11-19T04:00:00Z' };
    expect(correlateFinding(e, f)?.eventId).toBe('retention');
  });
});

describe('evidence.gaps ranked trigger', () => {
  const gapReport = (trigger: Partial<GapEvent> & { eventName: string; eventTime: string }, extra: Partial<GapWindow> = {}): GapReport =>
    gapReportOf({ start: '2026-11-17T04:00:00Z', end: '2026-11-24T04:00:00Z' }, [
      { destination: 's3', start: '2026-11-23T10:05:00Z', end: '2026-11-23T13:10:00Z', eventsMissing: 5, trigger: gapEventOf(trigger), closedBy: null, ...extra },
    ]);

  it('prefers the gap report trigger over a nearer step-9 candidate', () => {
    const e = evidenceWith(
      [change('DeleteBucketPolicy', '2026-11-23T10:02:00Z', { eventId: 'ranked' }), change('PutBucketPolicy', '2026-11-23T10:04:50Z', { eventId: 'nearer' })],
      gapReport({ eventName: 'DeleteBucketPolicy', eventTime: '2026-11-23T10:02:00Z', actor: 'arn:aws:iam::123456789012:user/bob', sourceIPAddress: '203.0.113.7' }),
    );
    const t = correlateFinding(e, policyFinding());
    expect(t?.eventId).toBe('ranked');
    expect(t?.requestParameters).toEqual({ bucketName: BUCKET });
  });

  it('ignores a gap trigger that failed (errorCode in step 9) and falls back to step 9', () => {
    const e = evidenceWith(
      [change('PutBucketPolicy', '2026-11-23T10:02:00Z', { eventId: 'failed', errorCode: 'AccessDenied' }), change('PutBucketPolicy', '2026-11-23T10:03:00Z', { eventId: 'good' })],
      gapReport({ eventName: 'PutBucketPolicy', eventTime: '2026-11-23T10:02:00Z' }),
    );
    expect(correlateFinding(e, policyFinding())?.eventId).toBe('good');
  });

  it('ignores a gap trigger whose name the cause does not list', () => {
    const e = evidenceWith([], gapReport({ eventName: 'UpdateTrail', eventTime: '2026-11-23T10:02:00Z' }));
    expect(correlateFinding(e, policyFinding())).toBeUndefined();
  });

  it('uses a gap trigger absent from step 9 as is (source event-history)', () => {
    const e = evidenceWith([], gapReport({ eventName: 'PutBucketPolicy', eventTime: '2026-11-23T10:02:00Z', actor: 'arn:aws:iam::123456789012:user/eve' }));
    expect(correlateFinding(e, policyFinding())).toEqual({ eventName: 'PutBucketPolicy', eventTime: '2026-11-23T10:02:00Z', actor: 'arn:aws:iam::123456789012:user/eve', source: 'event-history' });
  });

  it("reads the gap's other candidates after its trigger, skipping times that do not parse", () => {
    const candidates = [gapEventOf({ eventName: 'PutBucketPolicy', eventTime: 'yesterday' }), gapEventOf({ eventName: 'PutBucketPolicy', eventTime: '2026-11-23T10:01:00Z', eventId: 'second' })];
    const e = evidenceWith([], gapReport({ eventName: 'UpdateTrail', eventTime: '2026-11-23T10:02:00Z' }, { candidates }));
    expect(correlateFinding(e, policyFinding())).toEqual({ eventName: 'PutBucketPolicy', eventTime: '2026-11-23T10:01:00Z', eventId: 'second', source: 'event-history' });
  });

  it('ignores gap windows whose times do not parse', () => {
    const e = evidenceWith([], gapReport({ eventName: 'PutBucketPolicy', eventTime: '2026-11-23T10:02:00Z' }, { start: 'x', end: 'y' }));
    expect(correlateFinding(e, policyFinding())).toBeUndefined();
  });
});

describe('rankCandidates', () => {
  it('lists every plausible change, best first', () => {
    const changes = [change('PutBucketPolicy', '2026-11-23T10:01:00Z', { eventId: 'a' }), change('PutBucketPolicy', '2026-11-23T10:04:00Z', { eventId: 'b' }), change('PutBucketPolicy', '2026-11-23T09:00:00Z', { eventId: 'c' })];
    const ranked = rankCandidates(changes, { triggerEvents: ['PutBucketPolicy'], resources: [BUCKET], since: SINCE, now: NOW.toISOString(), windowStart: '2026-11-17T04:00:00Z' });
    expect(ranked.map((c) => c.change.eventId)).toEqual(['b', 'a']);
  });
});
