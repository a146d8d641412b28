import { describe, expect, it } from 'vitest';
import { check } from './log-file-validation-disabled.js';
import { healthyEvidence, TRAIL_ARN } from '../evidence/builder.js';
import type { Evidence } from '../evidence/schema.js';
import { contextOf } from './util.js';

const run = (mut?: (e: Evidence) => void) => {
  const e = healthyEvidence();
  mut?.(e);
  return check.run(contextOf(e));
};

describe('log-file-validation-disabled', () => {
  it('finds nothing on the healthy fixture', () => {
    expect(run()).toEqual({ findings: [], unverified: [] });
  });

  it('LogFileValidationEnabled false: possible, low severity check, exact fix', () => {
    const f = run((e) => (e.steps.s1.trail.value!.logFileValidationEnabled = false)).findings[0]!;
    expect(check.severity).toBe('low');
    expect(f).toMatchObject({ id: 'log-file-validation-disabled', confidence: 'possible' });
    expect(f.remediation.commands).toEqual([`aws cloudtrail update-trail --name ${TRAIL_ARN} --region eu-west-1 --enable-log-file-validation`]);
  });
});
