import { expect } from 'vitest';
import type { Evidence } from '../evidence/schema.js';
import type { IntegrityEvidence } from '../evidence/integrity.js';
import { check } from './log-integrity-validation-failed.js';
import { testCheck } from '../../test/support/check-tester.js';

/** The validator's verdict on the chain, with log file validation on (or off). */
const withIntegrity = (integrity: IntegrityEvidence | undefined, validation = true) => (e: Evidence) => {
  if (e.steps.s1.trail.value) e.steps.s1.trail.value.logFileValidationEnabled = validation;
  e.integrity = integrity;
};

const base = (over: Partial<IntegrityEvidence> = {}): IntegrityEvidence => ({
  status: 'ok',
  window: { start: '2026-11-23T04:00:00Z', end: '2026-11-24T04:00:00Z' },
  summary: { digests: { valid: 24, invalid: 0, missing: 0 }, logs: { valid: 288, invalid: 0, missing: 0, unlisted: 0 }, linkMismatches: 0 },
  problems: [],
  problemsTruncated: false,
  ...over,
});
const key = 'AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/23/123456789012_CloudTrail_us-east-1_20261123T0510Z_abcdefghijklmnop.json.gz';

testCheck(check, {
  valid: [
    { name: 'silent when the chain is valid', evidence: withIntegrity(base()) },
    { name: 'silent when nothing was validated', evidence: withIntegrity(undefined) },
    { name: 'silent when validation is off', evidence: withIntegrity(base({ summary: { digests: { valid: 0, invalid: 1, missing: 0 }, logs: { valid: 0, invalid: 0, missing: 0, unlisted: 0 } } }), false) },
    {
      name: 'finds nothing without a summary (a malformed one never loads: src/evidence/io.test.ts)',
      evidence: (e) => {
        withIntegrity(undefined)(e);
        e.integrity = { status: 'no-digests', window: { start: '2026-11-23T04:00:00Z', end: '2026-11-24T04:00:00Z' }, problems: [], problemsTruncated: false };
      },
    },
  ],
  invalid: [
    {
      name: 'raises a confirmed finding naming the files concerned',
      evidence: withIntegrity(
        base({
          summary: { digests: { valid: 23, invalid: 0, missing: 1 }, logs: { valid: 280, invalid: 1, missing: 0, unlisted: 1 }, linkMismatches: 0 },
          problems: [
            { kind: 'log', bucket: 'b', key, verdict: 'invalid', reason: "hash value doesn't match" },
            { kind: 'digest', bucket: 'b', key: 'AWSLogs/d.json.gz', verdict: 'missing', reason: 'not found' },
          ],
        }),
      ),
      findings: [{ confidence: 'confirmed', summary: /1 digest file missing, 1 log file modified or corrupt, 1 log file named by no digest/ }],
      assert: ({ findings: [f] }) => {
        expect(f!.evidence.join('\n')).toContain(`s3://b/${key}: INVALID: hash value doesn't match`);
        expect(f!.evidence.join('\n')).toContain('s3://b/AWSLogs/d.json.gz: MISSING: not found');
        expect(f!.remediation.commands.some((c) => c.startsWith('npx trail-doctor validate'))).toBe(true);
      },
    },
  ],
  unverified: [
    {
      name: 'reports unverified, with the permission, when validation could not run',
      evidence: withIntegrity({ ...base(), status: 'unverified', summary: undefined, reason: 'AccessDenied', needs: 's3:GetObject' }),
      unverified: [{ step: 6, needs: 's3:GetObject', reason: 'AccessDenied' }],
    },
  ],
});
