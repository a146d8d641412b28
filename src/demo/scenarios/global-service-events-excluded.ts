import type { Scenario } from '../scenarios.js';
import { addBackgroundChanges, base } from './helpers.js';

/** IncludeGlobalServiceEvents false: IAM, STS (global endpoint) and CloudFront calls are not recorded. */
export const scenario: Scenario = {
  id: 'global-service-events-excluded',
  title: 'Global-service events are excluded',
  description:
    'Trail main is multi-region but has IncludeGlobalServiceEvents false: IAM, STS global-endpoint and CloudFront calls (recorded in us-east-1) never reach it, so "who created that access key" has no answer in these logs. Delivery itself is healthy.',
  evidence: () => {
    const e = base();
    e.steps.s1.trail.value!.includeGlobalServiceEvents = false;
    addBackgroundChanges(e);
    return e;
  },
  expect: { verdict: 'healthy', rootCause: 'global-service-events-excluded', exitCode: 0 },
};
