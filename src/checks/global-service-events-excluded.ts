import type { CauseDefinition } from './types.js';
import { globalEventsRegion, homeRegion, partitionOf, result, safe, trailOf, trailRef } from './util.js';

/**
 * Runbook step 2: IAM, STS (global endpoint) and CloudFront events are not recorded. Either the
 * trail excludes them (IncludeGlobalServiceEvents false), or it is a single-region trail outside
 * us-east-1: since 2021-11-22 global-service events are recorded in us-east-1 only, so such a trail
 * never receives them whatever IncludeGlobalServiceEvents says.
 */
export const check: CauseDefinition = {
  id: 'global-service-events-excluded',
  title: 'Global service events are not recorded',
  step: 2,
  severity: 'medium',
  precedence: { tier: 'fallback', rank: 60 },
  triggerEvents: ['UpdateTrail', 'CreateTrail'],
  state: true,
  reads: ['s1.trail'],
  meaning: 'IAM, STS and other global-service events are not recorded (also: a single-region trail outside us-east-1 never receives them)',
  fix: 'Include global service events (update-trail --include-global-service-events) on a trail that records us-east-1.',
  run({ evidence: e }) {
    const trail = trailOf(e);
    if (!trail) return result();
    const region = homeRegion(e);
    const globalRegion = globalEventsRegion(partitionOf(e));
    const excluded = !trail.includeGlobalServiceEvents;
    const wrongRegion = !trail.isMultiRegionTrail && region !== globalRegion;
    if (!excluded && !wrongRegion) return result();
    const evidence: string[] = [];
    if (excluded) evidence.push('step 2: GetTrail IncludeGlobalServiceEvents = false');
    if (wrongRegion)
      evidence.push(
        `step 2: single-region trail in ${region}: global-service events (IAM, STS global endpoint, CloudFront) are recorded in ${globalRegion} since 2021-11-22, so this trail never receives them`,
      );
    const commands =
      wrongRegion || !trail.isMultiRegionTrail
        ? [`aws cloudtrail update-trail --name ${trailRef(e)} --region ${region} --is-multi-region-trail --include-global-service-events`]
        : [`aws cloudtrail update-trail --name ${trailRef(e)} --region ${region} --include-global-service-events`];
    return result([
      {
        id: 'global-service-events-excluded',
        confidence: 'possible',
        summary: excluded
          ? `Trail ${safe(trail.name)} excludes global-service events: IAM, STS and CloudFront events are not recorded.`
          : `Trail ${safe(trail.name)} is a single-region trail in ${region}: IAM, STS and CloudFront events (recorded in ${globalRegion}) never reach it.`,
        evidence,
        remediation: {
          summary: wrongRegion
            ? `Make the trail multi-region with global service events (or create a trail in ${globalRegion} that includes them).`
            : 'Include global service events in the trail.',
          commands,
        },
        resources: [trail.name, trail.arn],
        data: { includeGlobalServiceEvents: trail.includeGlobalServiceEvents, isMultiRegionTrail: trail.isMultiRegionTrail, homeRegion: region, globalEventsRegion: globalRegion, reason: excluded ? 'excluded' : 'single-region-outside-global-region' },
      },
    ]);
  },
};
