import { describe, expect, it } from 'vitest';
import { check } from './logging-stopped.js';
import { healthyEvidence, TRAIL_ARN } from '../evidence/builder.js';
import { denied } from '../evidence/probe.js';
import type { Evidence } from '../evidence/schema.js';
import { contextOf } from './util.js';

const run = (mut?: (e: Evidence) => void) => {
  const e = healthyEvidence();
  mut?.(e);
  return check.run(contextOf(e));
};

describe('logging-stopped', () => {
  it('finds nothing on the healthy fixture', () => {
    expect(run()).toEqual({ findings: [], unverified: [] });
  });

  it('IsLogging false with StopLoggingTime: confirmed, since that time, StopLogging as trigger candidate', () => {
    const r = run((e) => {
      const s = e.steps.s2.status.value!;
      s.isLogging = false;
      s.stopLoggingTime = '2026-11-23T10:03:11Z';
    });
    const f = r.findings[0]!;
    expect(f).toMatchObject({ id: 'logging-stopped', confidence: 'confirmed', since: '2026-11-23T10:03:11Z', triggerEvents: ['StopLogging'] });
    expect(f.evidence).toContain('step 2: GetTrailStatus IsLogging = false');
    expect(f.remediation.commands[0]).toBe(`aws cloudtrail start-logging --name ${TRAIL_ARN} --region eu-west-1`);
    expect(f.data?.neverStarted).toBe(false);
  });

  it('IsLogging false without StartLoggingTime: created but never started', () => {
    const f = run((e) => {
      const s = e.steps.s2.status.value!;
      s.isLogging = false;
      delete s.startLoggingTime;
    }).findings[0]!;
    expect(f.summary).toContain('created but logging was never started');
    expect(f.triggerEvents).toEqual(['CreateTrail']);
    expect(f.since).toBeUndefined();
    expect(f.data?.neverStarted).toBe(true);
  });

  it('cites the StopLogging event of step 9', () => {
    const f = run((e) => {
      e.steps.s2.status.value!.isLogging = false;
      e.steps.s9.changes = [
        { eventId: '1', eventName: 'StopLogging', eventSource: 'cloudtrail.amazonaws.com', eventTime: '2026-11-23T10:03:11Z', actor: 'arn:aws:iam::123456789012:user/bob', resources: ['main'], sources: ['event-history'] },
      ];
    }).findings[0]!;
    expect(f.evidence).toContain('step 9: StopLogging by arn:aws:iam::123456789012:user/bob at 2026-11-23T10:03:11Z');
  });

  it('GetTrailStatus denied is unverified', () => {
    const r = run((e) => (e.steps.s2.status = denied('cloudtrail:GetTrailStatus', 'denied')));
    expect(r.findings).toEqual([]);
    expect(r.unverified).toEqual([expect.objectContaining({ step: 2, needs: 'cloudtrail:GetTrailStatus' })]);
  });
});
