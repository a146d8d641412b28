import type { Check } from './types.js';
import { homeRegion, result, safe, trailOf, trailRef, targetRegion } from './util.js';

/** Runbook step 2: the trail records its home region only; other regions' events are not in it. */
export const check: Check = {
  id: 'single-region-trail',
  title: 'Trail records one region only',
  step: 2,
  severity: 'medium',
  run({ evidence: e }) {
    const trail = trailOf(e);
    if (!trail || trail.isMultiRegionTrail) return result();
    const region = homeRegion(e);
    const target = targetRegion(e);
    return result([
      {
        id: 'single-region-trail',
        confidence: 'possible',
        summary: `Trail ${safe(trail.name)} records ${region} only: events of every other region are not in it.`,
        evidence: [`step 2: GetTrail IsMultiRegionTrail = false, home region ${region}${target !== region ? ` (asked about ${target})` : ''}`],
        remediation: {
          summary: `Make ${safe(trail.name)} a multi-region trail (this also requires global service events), or create a trail in the region whose events are missing.`,
          commands: [`aws cloudtrail update-trail --name ${trailRef(e)} --region ${region} --is-multi-region-trail --include-global-service-events`],
        },
        resources: [trail.name, trail.arn],
        triggerEvents: ['UpdateTrail', 'CreateTrail'],
        data: { homeRegion: region, targetRegion: target },
      },
    ]);
  },
};
