import { describe, expect, it } from 'vitest';
import { check } from './single-region-trail.js';
import { healthyEvidence, TRAIL_ARN } from '../evidence/builder.js';
import type { Evidence } from '../evidence/schema.js';
import { contextOf } from './util.js';

const run = (mut?: (e: Evidence) => void) => {
  const e = healthyEvidence();
  mut?.(e);
  return check.run(contextOf(e));
};

describe('single-region-trail', () => {
  it('finds nothing on the healthy fixture (multi-region)', () => {
    expect(run()).toEqual({ findings: [], unverified: [] });
  });

  it('IsMultiRegionTrail false is possible: other regions are not recorded', () => {
    const f = run((e) => (e.steps.s1.trail.value!.isMultiRegionTrail = false)).findings[0]!;
    expect(f).toMatchObject({ id: 'single-region-trail', confidence: 'possible' });
    expect(f.summary).toContain('records eu-west-1 only');
    expect(f.remediation.commands).toEqual([`aws cloudtrail update-trail --name ${TRAIL_ARN} --region eu-west-1 --is-multi-region-trail --include-global-service-events`]);
  });
});
