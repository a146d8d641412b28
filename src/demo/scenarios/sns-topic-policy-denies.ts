import type { Scenario } from '../scenarios.js';
import { ok } from '../../evidence/probe.js';
import { ACCOUNT } from '../../evidence/builder.js';
import { addBackgroundChanges, addChange, base, BOB, BOB_IP } from './helpers.js';

const TOPIC = `arn:aws:sns:eu-west-1:${ACCOUNT}:trail-notify`;
const CHANGED = '2026-11-23T14:12:40Z';
/** What bob left: publishing for the orders application's role only. */
const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'AllowOrdersAppPublish', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/orders-app` }, Action: 'SNS:Publish', Resource: TOPIC }],
});

/** The topic policy was replaced: CloudTrail's SNS:Publish is refused, log files still arrive. */
export const scenario: Scenario = {
  id: 'sns-topic-policy-denies',
  title: "The trail's SNS topic policy no longer lets CloudTrail publish",
  description:
    'The trail notifies SNS topic trail-notify for every log file (a SIEM ingests from it). On 2026-11-23 at 14:12 UTC bob replaced the topic policy with one that lets only the orders application publish (SetTopicAttributes from 203.0.113.7), dropping the CloudTrail statement. Every notification since fails with AuthorizationError; log files are still delivered on schedule, so only the SIEM stopped seeing new files.',
  evidence: () => {
    const e = base();
    addBackgroundChanges(e);
    e.steps.s1.trail.value!.snsTopicArn = TOPIC;
    addChange(e, {
      eventName: 'SetTopicAttributes',
      eventSource: 'sns.amazonaws.com',
      eventTime: CHANGED,
      actor: BOB,
      sourceIPAddress: BOB_IP,
      requestParameters: { topicArn: TOPIC, attributeName: 'Policy', attributeValue: POLICY },
    });
    const st = e.steps.s2.status.value!;
    st.latestNotificationError = 'AuthorizationError';
    st.latestNotificationTime = '2026-11-23T14:10:21Z';
    e.steps.s2.snsTopicPolicy = ok(POLICY);
    return e;
  },
  expect: { verdict: 'problem', rootCause: 'sns-topic-policy-denies', trigger: 'SetTopicAttributes', exitCode: 1 },
};
