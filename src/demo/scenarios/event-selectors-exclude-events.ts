import type { Scenario } from '../scenarios.js';
import { ok } from '../../evidence/probe.js';
import { TRAIL_ARN } from '../../evidence/builder.js';
import { addBackgroundChanges, addChange, at, base, BOB, BOB_IP, stopCloudWatch, stopS3 } from './helpers.js';

const CHANGED = '2026-11-23T11:30:27Z';

/** Management events switched off and no data events: the trail selects nothing, so it delivers nothing. */
export const scenario: Scenario = {
  id: 'event-selectors-exclude-events',
  title: 'The event selectors select nothing',
  description:
    'To cut costs, bob set the event selectors of trail main on 2026-11-23 at 11:30 UTC (PutEventSelectors from 203.0.113.7) to exclude management events, without adding data events. The trail is logging and has no delivery error, yet it selects no event at all: the last log file arrived at 11:32 and CloudWatch Logs went silent too.',
  evidence: () => {
    const e = base();
    addBackgroundChanges(e);
    const selectors = [{ readWriteType: 'All' as const, includeManagementEvents: false, dataResources: [], excludeManagementEventSources: [] }];
    addChange(e, {
      eventName: 'PutEventSelectors',
      eventSource: 'cloudtrail.amazonaws.com',
      eventTime: CHANGED,
      actor: BOB,
      sourceIPAddress: BOB_IP,
      requestParameters: { trailName: TRAIL_ARN, eventSelectors: [{ readWriteType: 'All', includeManagementEvents: false, dataResources: [], excludeManagementEventSources: [] }] },
    });
    e.steps.s1.trail.value!.hasCustomEventSelectors = true;
    e.steps.s2.selectors = ok({ eventSelectors: selectors });
    stopS3(e, at(CHANGED) + 2 * 60_000);
    stopCloudWatch(e, at(CHANGED) + 60_000);
    return e;
  },
  expect: { verdict: 'problem', rootCause: 'event-selectors-exclude-events', trigger: 'PutEventSelectors', exitCode: 1 },
};
