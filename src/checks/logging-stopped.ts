import type { ChangeEvent } from '../evidence/schema.js';
import type { CauseDefinition, Trigger } from './types.js';
import { changesNamed, describeChange, duration, homeRegion, MINUTE, ms, result, safe, statusOf, touches, trailOf, trailRef, unverifiedOf } from './util.js';

/** The diagnosis's correlation window around a fault's start (src/diagnosis/correlate.ts). */
const CORRELATION_WINDOW_MS = 5 * MINUTE;
/** A StopLogging stamped a little after the status's stop time is still that stop (the clocks differ). */
const CLOCK_TOLERANCE_MS = 5 * MINUTE;

/**
 * The StopLogging that stopped the trail: the most recent one of this trail at or before the status's
 * StopLoggingTime — however far before it (the event's clock and the status's need not agree to the
 * correlation window) — named with the difference. Undefined when none precedes the stop.
 */
export function stopTrigger(stops: readonly ChangeEvent[], stopLoggingTime: string | undefined): { change: ChangeEvent; note?: string } | undefined {
  const stopAt = ms(stopLoggingTime);
  const before = stops.filter((c) => stopAt === undefined || (ms(c.eventTime) ?? Infinity) <= stopAt + CLOCK_TOLERANCE_MS);
  const change = [...before].sort((a, b) => (ms(a.eventTime) ?? 0) - (ms(b.eventTime) ?? 0))[before.length - 1];
  if (!change || stopAt === undefined) return change ? { change } : undefined;
  const d = stopAt - (ms(change.eventTime) ?? stopAt);
  if (Math.abs(d) <= CORRELATION_WINDOW_MS) return { change };
  const note = `step 9: this StopLogging is ${duration(Math.abs(d))} ${d > 0 ? 'before' : 'after'} the StopLoggingTime of GetTrailStatus (${safe(stopLoggingTime, 40)}), more than the ${CORRELATION_WINDOW_MS / MINUTE}-minute correlation window; it is the most recent StopLogging of this trail before the stop, so it is taken as the trigger`;
  return { change, note };
}

function triggerOf(c: ChangeEvent): Trigger {
  const source = (['event-history', 'log-group', 's3'] as const).find((x) => c.sources.includes(x)) ?? 'event-history';
  return {
    eventName: c.eventName,
    eventTime: c.eventTime,
    source,
    eventId: c.eventId,
    ...(c.actor ? { actor: c.actor } : {}),
    ...(c.sourceIPAddress ? { sourceIPAddress: c.sourceIPAddress } : {}),
    ...(c.requestParameters !== undefined ? { requestParameters: c.requestParameters } : {}),
  };
}

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
    const stop = neverStarted ? undefined : stopTrigger(stops, status.stopLoggingTime);
    if (stop) evidence.push(describeChange(stop.change), ...(stop.note ? [stop.note] : []));

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
        ...(stop ? { trigger: triggerOf(stop.change) } : {}),
        ...(status.stopLoggingTime ? { since: status.stopLoggingTime } : {}),
        data: { neverStarted, stopLoggingTime: status.stopLoggingTime ?? null, startLoggingTime: status.startLoggingTime ?? null },
      },
    ]);
  },
};
