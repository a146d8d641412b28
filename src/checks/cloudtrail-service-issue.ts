import type { CauseDefinition } from './types.js';
import { homeRegion, result, safe, targetRegion, unverifiedOf, valueOf } from './util.js';

/**
 * Runbook step 1: AWS Health reports an open CloudTrail issue in the region (or globally).
 * Health needs a Business/Enterprise support plan; without one the probe is optional and silent.
 */
export const check: CauseDefinition = {
  id: 'cloudtrail-service-issue',
  title: 'AWS Health reports a CloudTrail service issue',
  step: 1,
  severity: 'high',
  precedence: { tier: 'trail', rank: 30 },
  relations: { explainsSilence: true },
  triggerEvents: [],
  reads: ['s1.health'],
  meaning: 'AWS Health reports an open CloudTrail issue in the region',
  fix: 'Nothing to change in the account: follow the AWS Health event; CloudTrail delivers the backlog when it recovers.',
  noDemo: 'AWS Health events cannot be reproduced in a recorded account without inventing an AWS incident; the check table covers it.',
  run({ evidence: e }) {
    const probe = e.steps.s1.health;
    const events = valueOf(probe);
    if (!events) return result([], [unverifiedOf(probe, 1, 'AWS Health events for CloudTrail', 'health:DescribeEvents')]);
    const regions = new Set([targetRegion(e), homeRegion(e), 'global']);
    const open = events.filter(
      (h) => (h.statusCode ? h.statusCode.toLowerCase() !== 'closed' : !h.endTime) && (!h.region || regions.has(h.region)),
    );
    if (!open.length) return result();
    const first = open.map((h) => h.startTime).filter((x): x is string => !!x).sort()[0];
    return result([
      {
        id: 'cloudtrail-service-issue',
        confidence: 'likely',
        summary: `AWS Health reports ${open.length === 1 ? 'an open CloudTrail issue' : `${open.length} open CloudTrail issues`} in ${[...new Set(open.map((h) => safe(h.region ?? targetRegion(e), 40)))].join(', ')}: delivery may be delayed or failing on AWS's side.`,
        evidence: open.slice(0, 5).map(
          (h) => `step 1: AWS Health ${safe(h.eventTypeCode ?? 'event', 100)} (${safe(h.statusCode ?? 'open', 20)}) in ${safe(h.region ?? 'the region', 40)} since ${safe(h.startTime ?? 'unknown', 40)}: ${safe(h.arn)}`,
        ),
        remediation: {
          summary: 'Follow the AWS Health event; CloudTrail retries delivery for up to 30 days, so logs usually arrive once the issue is resolved. Re-run trail-doctor afterwards.',
          commands: [
            `aws health describe-event-details --event-arns ${open.slice(0, 10).map((h) => safe(h.arn)).join(' ')} --region us-east-1`,
            `aws health describe-events --filter services=CLOUDTRAIL,eventStatusCodes=open,upcoming --region us-east-1`,
          ],
        },
        ...(first ? { since: first } : {}),
        data: { events: open.slice(0, 20) },
      },
    ]);
  },
};
