import type { Scenario } from '../scenarios.js';
import { addBackgroundChanges, base } from './helpers.js';

/** A single-region trail: healthy for eu-west-1, blind to every other region. */
export const scenario: Scenario = {
  id: 'single-region-trail',
  title: 'The trail records one region only',
  description:
    'Trail main was created as a single-region trail in eu-west-1. It delivers on schedule, but API calls in any other region (us-east-1 included, where IAM and other global-service events are recorded) never reach it. Not a delivery fault: the verdict stays healthy, with the coverage limit listed.',
  evidence: () => {
    const e = base();
    e.steps.s1.trail.value!.isMultiRegionTrail = false;
    addBackgroundChanges(e);
    return e;
  },
  expect: { verdict: 'healthy', rootCause: 'single-region-trail', exitCode: 0 },
};
