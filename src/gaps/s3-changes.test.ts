import { describe, expect, it } from 'vitest';
import { healthyEvidence } from '../evidence/builder.js';
import { denied } from '../evidence/probe.js';
import { s3ChangesPlan } from './s3-changes.js';
import type { Evidence } from '../evidence/schema.js';

/** When step 9 falls back to the S3 log files, and which hours and folders it reads. */
function silent(mutate: (e: Evidence) => void = () => {}): Evidence {
  const e = healthyEvidence();
  e.steps.s9.fromEventHistory = denied('cloudtrail:LookupEvents', 'not authorized');
  e.steps.s9.fromLogGroup = { status: 'absent', reason: 'log group not found' };
  const l = e.steps.s6.listing.value!;
  const end = Date.parse(e.window.end);
  l.newest = { key: 'k', deliveryTime: new Date(end - 90 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'), size: 1 };
  l.gaps = [];
  mutate(e);
  return e;
}

describe('step 9 from the S3 log files', () => {
  it('reads only the hours around the stop, in the regions whose resources record changes', () => {
    const e = silent();
    const plan = s3ChangesPlan(e);
    if ('skip' in plan) throw new Error(plan.skip);
    const stop = Date.parse(e.steps.s6.listing.value!.newest!.deliveryTime);
    const hour = stop - (stop % 3_600_000);
    expect(plan.ranges).toEqual([[hour - 3_600_000, Math.min(hour + 2 * 3_600_000, Date.parse(e.collectedAt), Date.parse(e.window.end))]]);
    expect(plan.regions).toContain(e.steps.s1.trail.value!.homeRegion);
    expect(plan.why).toContain('event history denied');
  });

  it('a gap of step 6 is a moment delivery stopped too', () => {
    const plan = s3ChangesPlan(silent((e) => (e.steps.s6.listing.value!.gaps = [{ start: '2026-11-23T06:10:00Z', end: '2026-11-23T07:40:00Z', minutes: 90 }])));
    expect('skip' in plan ? [] : plan.moments).toContain('2026-11-23T06:10:00Z');
  });

  it('not when event history or the log group answered, nor when delivery has not stopped', () => {
    expect(s3ChangesPlan(healthyEvidence())).toEqual({ skip: 'event history answered' });
    expect(s3ChangesPlan(silent((e) => (e.steps.s9.fromLogGroup = { status: 'ok', value: [] })))).toEqual({ skip: 'the log group answered' });
    const fresh = silent((e) => (e.steps.s6.listing.value!.newest!.deliveryTime = e.window.end));
    expect(s3ChangesPlan(fresh)).toEqual({ skip: 'delivery has not stopped in the window' });
  });

  it('a single-region trail writes only its home region folder', () => {
    const plan = s3ChangesPlan(silent((e) => (e.steps.s1.trail.value!.isMultiRegionTrail = false)));
    expect('skip' in plan ? [] : plan.regions).toEqual([silent().steps.s1.trail.value!.homeRegion]);
  });
});
