import { describe, expect, it } from 'vitest';
import { check } from './delivery-delayed.js';
import { healthyEvidence } from '../evidence/builder.js';
import type { Evidence } from '../evidence/schema.js';
import { contextOf } from './util.js';

const run = (newest?: string, mut?: (e: Evidence) => void) => {
  const e = healthyEvidence();
  if (newest) {
    const l = e.steps.s6.listing.value!;
    l.newest = { ...l.newest!, deliveryTime: newest };
  }
  mut?.(e);
  return check.run(contextOf(e));
};

describe('delivery-delayed', () => {
  it('finds nothing on the healthy fixture (newest file 3 minutes old)', () => {
    expect(run()).toEqual({ findings: [], unverified: [] });
  });

  it('newest file 20 minutes old: possible, info, explicitly not a fault', () => {
    const f = run('2026-11-24T03:40:00Z').findings[0]!;
    expect(check.severity).toBe('info');
    expect(f).toMatchObject({ id: 'delivery-delayed', confidence: 'possible', since: '2026-11-24T03:40:00Z' });
    expect(f.summary).toContain('not a fault');
    expect(f.data).toMatchObject({ notAFault: true, ageMinutes: 20 });
  });

  it('12 minutes: within the normal delay', () => {
    const f = run('2026-11-24T03:48:00Z').findings[0]!;
    expect(f.summary).toContain("CloudTrail's normal delay");
  });

  it('within the cadence, or past 30 minutes (delivery-stopped), it says nothing', () => {
    expect(run('2026-11-24T03:52:00Z').findings).toEqual([]);
    expect(run('2026-11-24T03:00:00Z').findings).toEqual([]);
  });

  it('says nothing when the trail is not logging', () => {
    expect(run('2026-11-24T03:40:00Z', (e) => (e.steps.s2.status.value!.isLogging = false)).findings).toEqual([]);
  });
});
