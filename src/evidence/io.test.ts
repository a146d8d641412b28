import { describe, expect, it } from 'vitest';
import { gapEventOf, gapReportOf, healthyEvidence } from './builder.js';
import { parseEvidence } from './io.js';
import { EvidenceError, serializeEvidence } from './file.js';
import type { IntegrityEvidence } from './integrity.js';

const integrity: IntegrityEvidence = {
  status: 'ok',
  window: { start: '2026-11-23T04:00:00Z', end: '2026-11-24T04:00:00Z' },
  summary: { digests: { valid: 23, invalid: 1, missing: 0 }, logs: { valid: 280, invalid: 0, missing: 8, unlisted: 0 }, linkMismatches: 0 },
  problems: [{ kind: 'log', key: 'AWSLogs/1/CloudTrail/x.json.gz', bucket: 'b', verdict: 'missing', reason: 'not found' }],
  problemsTruncated: false,
};

/** The JSON of healthy evidence with `patch` applied to the parsed object. */
function textWith(patch: (raw: Record<string, unknown>) => void): string {
  const raw = JSON.parse(serializeEvidence(healthyEvidence())) as Record<string, unknown>;
  patch(raw);
  return JSON.stringify(raw);
}

const reject = (text: string) => {
  try {
    parseEvidence(text, 'e.json');
  } catch (e) {
    expect(e).toBeInstanceOf(EvidenceError);
    return (e as Error).message;
  }
  throw new Error('parseEvidence accepted it');
};

describe('parseEvidence: integrity and gap evidence are typed', () => {
  it('reads back what collect writes, gap report and integrity included', () => {
    const e = healthyEvidence();
    e.integrity = integrity;
    e.gaps = gapReportOf(e.window, [
      { start: '2026-11-22T10:00:00Z', end: '2026-11-22T13:00:00Z', eventsMissing: 4, trigger: gapEventOf({ eventName: 'PutBucketPolicy', eventTime: '2026-11-22T09:58:00Z', actor: 'arn:aws:iam::123456789012:user/bob' }), open: false },
    ], { tooLargeForCloudWatch: [{ eventId: 'x', eventName: 'PutRolePolicy', eventTime: '2026-11-20T02:00:00Z', sizeBytes: 300_000 }] });
    expect(parseEvidence(serializeEvidence(e))).toEqual(e);
  });

  it('a gap report of another shape is corrupt evidence, named by its path', () => {
    expect(reject(textWith((r) => (r.gaps = { status: 'error', reason: 'boom' })))).toMatch(/^e\.json is not valid evidence: gaps\.window: /);
    expect(reject(textWith((r) => (r.gaps = { nonsense: true })))).toMatch(/^e\.json is not valid evidence: gaps\./);
  });

  it('a gap window of an unknown destination or with a trigger of the wrong type is corrupt', () => {
    const w = { start: '2026-11-22T10:00:00Z', end: '2026-11-22T13:00:00Z', eventsMissing: 1, trigger: null, closedBy: null };
    const base = gapReportOf({ start: '2026-11-17T04:00:00Z', end: '2026-11-24T04:00:00Z' });
    expect(reject(textWith((r) => (r.gaps = { ...base, gaps: [{ ...w, destination: 'sqs' }] })))).toMatch(/gaps\.gaps\.0\.destination/);
    expect(reject(textWith((r) => (r.gaps = { ...base, gaps: [{ ...w, destination: 's3', trigger: { eventName: 1 } }] })))).toMatch(/gaps\.gaps\.0\.trigger/);
  });

  it('integrity evidence of another shape is corrupt evidence, named by its path', () => {
    expect(reject(textWith((r) => (r.integrity = { ...integrity, status: 'weird' })))).toMatch(/^e\.json is not valid evidence: integrity\.status: /);
    expect(reject(textWith((r) => (r.integrity = { ...integrity, problems: [{ ...integrity.problems[0], verdict: 'fine' }] })))).toMatch(/integrity\.problems\.0\.verdict/);
  });

  it('the message is one line', () => {
    expect(reject(textWith((r) => (r.gaps = { status: 'error' })))).not.toContain('\n');
  });
});
