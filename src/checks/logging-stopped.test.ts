import { expect } from 'vitest';
import { check } from './logging-stopped.js';
import { TRAIL_ARN } from '../evidence/builder.js';
import { denied } from '../evidence/probe.js';
import { testCheck } from '../../test/support/check-tester.js';

testCheck(check, {
  invalid: [
    {
      name: 'IsLogging false with StopLoggingTime: confirmed, since that time, StopLogging as trigger candidate',
      evidence: (e) => {
        const s = e.steps.s2.status.value!;
        s.isLogging = false;
        s.stopLoggingTime = '2026-11-23T10:03:11Z';
      },
      findings: [{ confidence: 'confirmed', since: '2026-11-23T10:03:11Z', triggerEvents: ['StopLogging'], evidence: ['step 2: GetTrailStatus IsLogging = false'], match: { data: { neverStarted: false } } }],
      assert: ({ findings: [f] }) => {
        expect(f!.remediation.commands[0]).toBe(`aws cloudtrail start-logging --name ${TRAIL_ARN} --region eu-west-1`);
      },
    },
    {
      name: 'IsLogging false without StartLoggingTime: created but never started',
      evidence: (e) => {
        const s = e.steps.s2.status.value!;
        s.isLogging = false;
        delete s.startLoggingTime;
      },
      findings: [{ confidence: 'confirmed', summary: /created but logging was never started/, since: null, triggerEvents: ['CreateTrail'], match: { data: { neverStarted: true } } }],
    },
    {
      name: 'cites the StopLogging event of step 9',
      evidence: (e) => {
        e.steps.s2.status.value!.isLogging = false;
        e.steps.s9.changes = [
          { eventId: '1', eventName: 'StopLogging', eventSource: 'cloudtrail.amazonaws.com', eventTime: '2026-11-23T10:03:11Z', actor: 'arn:aws:iam::123456789012:user/bob', resources: ['main'], sources: ['event-history'] },
        ];
      },
      findings: [{ confidence: 'confirmed', evidence: ['step 9: StopLogging by arn:aws:iam::123456789012:user/bob at 2026-11-23T10:03:11Z'] }],
    },
    {
      name: 'the most recent StopLogging before the observed stop is the trigger, even 40 min earlier than StopLoggingTime; the difference is named',
      evidence: (e) => {
        const s = e.steps.s2.status.value!;
        s.isLogging = false;
        s.stopLoggingTime = '2026-11-23T10:43:11Z';
        const stop = (id: string, t: string, actor: string) => ({ eventId: id, eventName: 'StopLogging', eventSource: 'cloudtrail.amazonaws.com', eventTime: t, actor, resources: ['main'], sources: ['event-history' as const] });
        e.steps.s9.changes = [stop('old', '2026-11-23T09:00:00Z', 'arn:aws:iam::123456789012:user/old'), stop('1', '2026-11-23T10:03:11Z', 'arn:aws:iam::123456789012:user/bob'), stop('late', '2026-11-23T11:30:00Z', 'arn:aws:iam::123456789012:user/late')];
      },
      findings: [{ confidence: 'confirmed', evidence: ['step 9: StopLogging by arn:aws:iam::123456789012:user/bob at 2026-11-23T10:03:11Z', /40 min before the StopLoggingTime of GetTrailStatus \(2026-11-23T10:43:11Z\), more than the 5-minute correlation window/] }],
      assert: ({ findings: [f] }) => {
        expect(f!.trigger).toMatchObject({ eventName: 'StopLogging', eventId: '1', actor: 'arn:aws:iam::123456789012:user/bob', source: 'event-history' });
      },
    },
    {
      name: 'a StopLogging only after the observed stop is not its trigger',
      evidence: (e) => {
        const s = e.steps.s2.status.value!;
        s.isLogging = false;
        s.stopLoggingTime = '2026-11-23T10:03:11Z';
        e.steps.s9.changes = [{ eventId: 'late', eventName: 'StopLogging', eventSource: 'cloudtrail.amazonaws.com', eventTime: '2026-11-23T11:30:00Z', resources: ['main'], sources: ['event-history'] }];
      },
      findings: [{ confidence: 'confirmed' }],
      assert: ({ findings: [f] }) => {
        expect(f!.trigger).toBeUndefined();
      },
    },
  ],
  unverified: [{ name: 'GetTrailStatus denied is unverified', evidence: (e) => (e.steps.s2.status = denied('cloudtrail:GetTrailStatus', 'denied')), unverified: [{ step: 2, needs: 'cloudtrail:GetTrailStatus' }] }],
});
