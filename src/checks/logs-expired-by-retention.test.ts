import { describe, expect, it } from 'vitest';
import { check } from './logs-expired-by-retention.js';
import { healthyEvidence, LOG_GROUP } from '../evidence/builder.js';
import type { Evidence } from '../evidence/schema.js';
import { contextOf } from './util.js';

const run = (mut?: (e: Evidence) => void) => {
  const e = healthyEvidence();
  mut?.(e);
  return check.run(contextOf(e));
};

describe('logs-expired-by-retention', () => {
  it('finds nothing on the healthy fixture (365-day retention, 7-day window)', () => {
    expect(run()).toEqual({ findings: [], unverified: [] });
  });

  it('retention shorter than the window: finding with the cut-off date', () => {
    const f = run((e) => (e.steps.s7.logGroup.value!.retentionInDays = 3)).findings[0]!;
    expect(f).toMatchObject({ id: 'logs-expired-by-retention', confidence: 'likely', since: '2026-11-21T04:00:00Z' });
    expect(f.triggerEvents ?? check.triggerEvents).toEqual(['PutRetentionPolicy']);
    expect(f.data).toMatchObject({ retentionInDays: 3, cutoff: '2026-11-21T04:00:00Z', suggestedRetentionDays: 7 });
    expect(f.remediation.commands[0]).toBe(`aws logs put-retention-policy --log-group-name ${LOG_GROUP} --retention-in-days 7 --region eu-west-1`);
  });

  it('no retention (never expire) or a window inside retention finds nothing', () => {
    expect(run((e) => delete e.steps.s7.logGroup.value!.retentionInDays).findings).toEqual([]);
    expect(run((e) => (e.steps.s7.logGroup.value!.retentionInDays = 7)).findings).toEqual([]);
  });

  it('a 30-day window against 14-day retention suggests 30 days', () => {
    const f = run((e) => {
      e.window.start = '2026-10-25T04:00:00Z';
      e.steps.s7.logGroup.value!.retentionInDays = 14;
    }).findings[0]!;
    expect(f.data?.suggestedRetentionDays).toBe(30);
  });
});
