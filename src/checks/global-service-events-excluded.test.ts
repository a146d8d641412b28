import { describe, expect, it } from 'vitest';
import { check } from './global-service-events-excluded.js';
import { healthyEvidence, TRAIL_ARN } from '../evidence/builder.js';
import type { Evidence } from '../evidence/schema.js';
import { contextOf } from './util.js';

const run = (mut?: (e: Evidence) => void) => {
  const e = healthyEvidence();
  mut?.(e);
  return check.run(contextOf(e));
};

describe('global-service-events-excluded', () => {
  it('finds nothing on the healthy fixture', () => {
    expect(run()).toEqual({ findings: [], unverified: [] });
  });

  it('IncludeGlobalServiceEvents false is possible, fixed with --include-global-service-events', () => {
    const f = run((e) => (e.steps.s1.trail.value!.includeGlobalServiceEvents = false)).findings[0]!;
    expect(f).toMatchObject({ id: 'global-service-events-excluded', confidence: 'possible' });
    expect(f.data?.reason).toBe('excluded');
    expect(f.remediation.commands).toEqual([`aws cloudtrail update-trail --name ${TRAIL_ARN} --region eu-west-1 --include-global-service-events`]);
  });

  it('a single-region trail outside us-east-1 never receives IAM/STS events even when it includes them', () => {
    const f = run((e) => (e.steps.s1.trail.value!.isMultiRegionTrail = false)).findings[0]!;
    expect(f.data).toMatchObject({ reason: 'single-region-outside-global-region', globalEventsRegion: 'us-east-1' });
    expect(f.evidence[0]).toContain('recorded in us-east-1 since 2021-11-22');
    expect(f.remediation.commands[0]).toContain('--is-multi-region-trail --include-global-service-events');
  });

  it('a single-region trail in us-east-1 including global events is fine', () => {
    expect(
      run((e) => {
        const t = e.steps.s1.trail.value!;
        t.isMultiRegionTrail = false;
        t.homeRegion = 'us-east-1';
      }).findings,
    ).toEqual([]);
  });

  it('GovCloud records global events in us-gov-west-1', () => {
    const f = run((e) => {
      const t = e.steps.s1.trail.value!;
      t.isMultiRegionTrail = false;
      t.homeRegion = 'us-gov-east-1';
      e.steps.s1.caller.value!.partition = 'aws-us-gov';
    }).findings[0]!;
    expect(f.data?.globalEventsRegion).toBe('us-gov-west-1');
  });
});
