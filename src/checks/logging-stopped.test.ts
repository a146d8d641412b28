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
  ],
  unverified: [{ name: 'GetTrailStatus denied is unverified', evidence: (e) => (e.steps.s2.status = denied('cloudtrail:GetTrailStatus', 'denied')), unverified: [{ step: 2, needs: 'cloudtrail:GetTrailStatus' }] }],
});
