import type { CauseDefinition } from './types.js';
import { duration, isoOf, MINUTE, ms, newestDelivery, result, safe, statusOf, targetRegion, trailOf } from './util.js';
import { STOPPED_AFTER_MS } from './delivery-stopped.js';

/** CloudTrail delivers about every 5 minutes; newer silence than this is the normal cadence. */
export const CADENCE_SLACK_MS = 10 * MINUTE;
/** CloudTrail's normal delivery delay: events younger than this may simply not be delivered yet. */
export const DELIVERY_DELAY_MS = 15 * MINUTE;

/**
 * Runbook step 6: only the newest events are missing: the newest log file is older than the usual
 * cadence but not yet long enough to call delivery stopped. Not a fault.
 */
export const check: CauseDefinition = {
  id: 'delivery-delayed',
  title: 'Recent events not delivered yet',
  step: 6,
  severity: 'info',
  precedence: { tier: 'delivery', rank: 40 },
  triggerEvents: [],
  reads: ['s1.trail', 's2.status', 's6.listing'],
  meaning: 'only events younger than CloudTrail\'s normal delivery delay are missing: not a fault',
  fix: 'Nothing to fix: wait for CloudTrail\'s normal delivery delay (typically within 5, up to 15 minutes).',
  run({ evidence: e, now }) {
    const trail = trailOf(e);
    const status = statusOf(e);
    if (!trail?.s3BucketName || !status?.isLogging) return result();
    const newest = newestDelivery(e);
    if (newest === undefined) return result();
    const nowMs = now.getTime();
    const since = Math.max(newest, ms(status.startLoggingTime) ?? 0);
    const age = nowMs - since;
    if (age <= CADENCE_SLACK_MS || age > STOPPED_AFTER_MS) return result();
    return result([
      {
        id: 'delivery-delayed',
        confidence: 'possible',
        summary:
          age <= DELIVERY_DELAY_MS
            ? `The newest log file of trail ${safe(trail.name)} is ${duration(age)} old: events after ${isoOf(newest)} are probably not delivered yet. This is CloudTrail's normal delay (about 5 minutes on average, no guarantee), not a fault.`
            : `The newest log file of trail ${safe(trail.name)} is ${duration(age)} old, longer than CloudTrail's usual delay but not yet long enough to call delivery stopped: events after ${isoOf(newest)} are not delivered yet. So far this is not a fault; look again in 15 minutes.`,
        evidence: [
          `step 6: newest log file in ${targetRegion(e)} delivered ${isoOf(newest)} (key-name time), ${duration(nowMs - newest)} before collection`,
          'step 2: GetTrailStatus IsLogging = true',
          ...(status.latestDeliveryTime ? [`step 2: LatestDeliveryTime = ${safe(status.latestDeliveryTime, 40)}`] : []),
        ],
        remediation: {
          summary: `Wait about 15 minutes and look again; if no new file arrives within 30 minutes, re-run trail-doctor (it then reports delivery-stopped with the cause).`,
          commands: [],
        },
        since: isoOf(newest),
        data: { newestDelivery: isoOf(newest), ageMinutes: Math.round(age / MINUTE), notAFault: true, checkAgainAfter: isoOf(nowMs + DELIVERY_DELAY_MS) },
      },
    ]);
  },
};
