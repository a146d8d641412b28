import type { CauseDefinition } from './types.js';
import { changesNamed, describeChange, homeRegion, result, safe, statusOf, touches, trailOf, trailRef, unverifiedOf } from './util.js';

/** Runbook step 2 (diagnosis step 1): the trail exists but IsLogging is false. */
export const check: CauseDefinition = {
  id: 'logging-stopped',
  title: 'Logging is stopped',
  step: 2,
  severity: 'critical',
  precedence: { tier: 'trail', rank: 20 },
  relations: { explainsSilence: true },
  triggerEvents: ['StopLogging', 'CreateTrail'],
  reads: ['s1.trail', 's2.status', 's9.changes'],
  meaning: '`IsLogging` false (with no StartLoggingTime: created but never started)',
  fix: 'Start logging again (aws cloudtrail start-logging) and find out who stopped it.',
  run({ evidence: e }) {
    const trail = trailOf(e);
    if (!trail) return result();
    const probe = e.steps.s2.status;
    const status = statusOf(e);
    if (!status) return result([], [unverifiedOf(probe, 2, `status of trail ${safe(trail.name)} (IsLogging, delivery errors)`, 'cloudtrail:GetTrailStatus')]);
    if (status.isLogging) return result();

    const neverStarted = !status.startLoggingTime;
    const evidence = ['step 2: GetTrailStatus IsLogging = false'];
    if (status.stopLoggingTime) evidence.push(`step 2: StopLoggingTime = ${safe(status.stopLoggingTime, 40)}`);
    if (status.startLoggingTime) evidence.push(`step 2: StartLoggingTime = ${safe(status.startLoggingTime, 40)}`);
    else evidence.push('step 2: no StartLoggingTime: the trail was created but logging was never started');
    const names = [trail.name, trail.arn];
    const stops = changesNamed(e, ['StopLogging']).filter((c) => touches(c, names) || !c.resources?.length);
    const lastStop = stops[stops.length - 1];
    if (lastStop) evidence.push(describeChange(lastStop));

    const summary = neverStarted
      ? `Trail ${safe(trail.name)} was created but logging was never started: it records nothing.`
      : `Logging of trail ${safe(trail.name)} is stopped${status.stopLoggingTime ? ` since ${safe(status.stopLoggingTime, 40)}` : ''}: no events are recorded or delivered.`;
    return result([
      {
        id: 'logging-stopped',
        confidence: 'confirmed',
        summary,
        evidence,
        remediation: {
          summary: `Start logging on ${safe(trail.name)} (in its home region ${homeRegion(e)}). Events that occurred while it was stopped are not recorded by the trail; recover management events of the last 90 days from event history.`,
          commands: [`aws cloudtrail start-logging --name ${trailRef(e)} --region ${homeRegion(e)}`, `aws cloudtrail get-trail-status --name ${trailRef(e)} --region ${homeRegion(e)}`],
        },
        resources: names,
        triggerEvents: neverStarted ? ['CreateTrail'] : ['StopLogging'],
        ...(status.stopLoggingTime ? { since: status.stopLoggingTime } : {}),
        data: { neverStarted, stopLoggingTime: status.stopLoggingTime ?? null, startLoggingTime: status.startLoggingTime ?? null },
      },
    ]);
  },
};
