import type { Scenario } from '../scenarios.js';
import { TRAIL_ARN } from '../../evidence/builder.js';
import { addBackgroundChanges, addChange, ALICE, ALICE_IP, at, base, stopCloudWatch, stopS3 } from './helpers.js';

const STOP = '2026-11-23T22:14:05Z';

/** StopLogging: IsLogging false since StopLoggingTime; nothing is recorded or delivered after it. */
export const scenario: Scenario = {
  id: 'logging-stopped',
  title: 'Logging was stopped',
  description:
    'alice (assumed role AdminRole) called StopLogging on trail main on 2026-11-23 at 22:14 UTC from 198.51.100.23. IsLogging is false; the last log file arrived 3 minutes later with the events up to the stop, and CloudWatch Logs received nothing after it.',
  evidence: () => {
    const e = base();
    addBackgroundChanges(e);
    // the StopLogging call itself is the trail's last recorded event
    addChange(e, { eventName: 'StopLogging', eventSource: 'cloudtrail.amazonaws.com', eventTime: STOP, actor: ALICE, sourceIPAddress: ALICE_IP, requestParameters: { name: TRAIL_ARN } });
    const st = e.steps.s2.status.value!;
    st.isLogging = false;
    st.stopLoggingTime = STOP;
    stopS3(e, at(STOP) + 3 * 60_000);
    stopCloudWatch(e, at(STOP) + 60_000);
    return e;
  },
  expect: { verdict: 'problem', rootCause: 'logging-stopped', trigger: 'StopLogging', exitCode: 1 },
};
