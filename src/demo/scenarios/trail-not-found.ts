import type { Scenario } from '../scenarios.js';
import { absent, skipped } from '../../evidence/probe.js';
import { TRAIL_ARN } from '../../evidence/builder.js';
import { addBackgroundChanges, addChange, base, BOB, BOB_IP } from './helpers.js';

/** The trail was deleted: GetTrail answers TrailNotFoundException; event history still shows who did it. */
export const scenario: Scenario = {
  id: 'trail-not-found',
  title: 'The trail was deleted',
  description:
    'bob deleted trail main on 2026-11-23 at 10:03 UTC from 203.0.113.7. GetTrail now answers TrailNotFoundException and no trail is left in eu-west-1, so nothing records API activity; CloudTrail event history (90 days, management events) still shows the DeleteTrail call.',
  evidence: () => {
    const e = base();
    // without a trail there is no known log group: step 9 relies on event history alone
    e.steps.s9.fromLogGroup = skipped('the trail (and so its log group) is unknown');
    addBackgroundChanges(e);
    addChange(e, {
      eventName: 'DeleteTrail',
      eventSource: 'cloudtrail.amazonaws.com',
      eventTime: '2026-11-23T10:03:11Z',
      actor: BOB,
      sourceIPAddress: BOB_IP,
      requestParameters: { name: TRAIL_ARN },
    });
    const s = e.steps;
    const noTrail = 'the trail does not exist';
    s.s1.trail = absent('Unknown trail: arn:aws:cloudtrail:eu-west-1:123456789012:trail/main for the user: 123456789012', { errorCode: 'TrailNotFoundException' });
    s.s1.trailsInRegion.value = [];
    s.s2 = { status: skipped(noTrail), selectors: skipped(noTrail) };
    s.s3 = { streams: skipped(noTrail), eventCounts: skipped(noTrail), deliveryFailures: skipped(noTrail) };
    s.s4 = {
      head: skipped(noTrail),
      location: skipped(noTrail),
      policy: skipped(noTrail),
      encryption: skipped(noTrail),
      kmsKey: skipped(noTrail),
      kmsKeyPolicy: skipped(noTrail),
      ownership: skipped(noTrail),
      objectLock: skipped(noTrail),
      lifecycle: skipped(noTrail),
      requestPayment: skipped(noTrail),
    };
    s.s5 = { role: skipped(noTrail), inlinePolicies: skipped(noTrail), attachedPolicies: skipped(noTrail) };
    s.s6 = { prefixes: [], listing: skipped(noTrail), organizationId: skipped(noTrail) };
    s.s7 = { logGroup: skipped(noTrail) };
    s.s8 = { metrics: skipped(noTrail) };
    return e;
  },
  expect: { verdict: 'problem', rootCause: 'trail-not-found', trigger: 'DeleteTrail', exitCode: 1 },
};
