import { describe, expect, it } from 'vitest';
import { healthyEvidence } from '../evidence/builder.js';
import type { Evidence } from '../evidence/schema.js';
import type { IntegrityEvidence } from '../evidence/integrity.js';
import { check } from './log-integrity-validation-failed.js';

const now = new Date('2026-11-24T04:00:00Z');

function withIntegrity(integrity: IntegrityEvidence | undefined, validation = true): Evidence {
  const e = structuredClone(healthyEvidence({ now }));
  if (e.steps.s1.trail.value) e.steps.s1.trail.value.logFileValidationEnabled = validation;
  e.integrity = integrity;
  return e;
}

const base = (over: Partial<IntegrityEvidence> = {}): IntegrityEvidence => ({
  status: 'ok',
  window: { start: '2026-11-23T04:00:00Z', end: '2026-11-24T04:00:00Z' },
  summary: { digests: { valid: 24, invalid: 0, missing: 0 }, logs: { valid: 288, invalid: 0, missing: 0, unlisted: 0 }, linkMismatches: 0 },
  problems: [],
  problemsTruncated: false,
  ...over,
});

describe('log-integrity-validation-failed', () => {
  it('is silent when the chain is valid, when validation is off, or when nothing was validated', () => {
    expect(check.run({ evidence: withIntegrity(base()), now }).findings).toEqual([]);
    expect(check.run({ evidence: withIntegrity(undefined), now })).toEqual({ findings: [], unverified: [] });
    expect(check.run({ evidence: withIntegrity(base({ summary: { digests: { valid: 0, invalid: 1, missing: 0 }, logs: { valid: 0, invalid: 0, missing: 0, unlisted: 0 } } }), false), now }).findings).toEqual([]);
  });

  it('raises a confirmed finding naming the files concerned', () => {
    const key = 'AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/23/123456789012_CloudTrail_us-east-1_20261123T0510Z_abcdefghijklmnop.json.gz';
    const r = check.run({
      evidence: withIntegrity(
        base({
          summary: { digests: { valid: 23, invalid: 0, missing: 1 }, logs: { valid: 280, invalid: 1, missing: 0, unlisted: 1 }, linkMismatches: 0 },
          problems: [
            { kind: 'log', bucket: 'b', key, verdict: 'invalid', reason: "hash value doesn't match" },
            { kind: 'digest', bucket: 'b', key: 'AWSLogs/d.json.gz', verdict: 'missing', reason: 'not found' },
          ],
        }),
      ),
      now,
    });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.id).toBe('log-integrity-validation-failed');
    expect(f.confidence).toBe('confirmed');
    expect(f.summary).toMatch(/1 digest file missing, 1 log file modified or corrupt, 1 log file named by no digest/);
    expect(f.evidence.join('\n')).toContain(`s3://b/${key}: INVALID: hash value doesn't match`);
    expect(f.evidence.join('\n')).toContain('s3://b/AWSLogs/d.json.gz: MISSING: not found');
    expect(f.remediation.commands.some((c) => c.startsWith('npx trail-doctor validate'))).toBe(true);
  });

  it('reports unverified, with the permission, when validation could not run', () => {
    const r = check.run({ evidence: withIntegrity({ ...base(), status: 'unverified', summary: undefined, reason: 'AccessDenied', needs: 's3:GetObject' }), now });
    expect(r.findings).toEqual([]);
    expect(r.unverified).toEqual([expect.objectContaining({ step: 6, needs: 's3:GetObject', reason: 'AccessDenied' })]);
  });

  it('finds nothing without a summary (a malformed one never loads: src/evidence/io.test.ts)', () => {
    const e = withIntegrity(undefined);
    e.integrity = { status: 'no-digests', window: { start: '2026-11-23T04:00:00Z', end: '2026-11-24T04:00:00Z' }, problems: [], problemsTruncated: false };
    expect(check.run({ evidence: e, now })).toEqual({ findings: [], unverified: [] });
  });
});
