import type { CauseDefinition } from './types.js';
import { homeRegion, result, safe, trailOf, trailRef, targetRegion } from './util.js';

/** Runbook step 2: the trail records its home region only; other regions' events are not in it. */
export const check: CauseDefinition = {
  id: 'single-region-trail',
  title: 'Trail records one region only',
  step: 2,
  severity: 'medium',
  precedence: { tier: 'fallback', rank: 50 },
  triggerEvents: ['UpdateTrail', 'CreateTrail'],
  state: true,
  reads: ['s1.trail'],
  meaning: 'the trail records one region only',
  fix: 'Make the trail multi-region (update-trail --is-multi-region-trail).',
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
        data: { homeRegion: region, targetRegion: target },
      },
    ]);
  },
};
