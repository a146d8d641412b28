import type { CauseDefinition } from './types.js';
import { homeRegion, parseArn, result, safe, shellArg, statusOf, trailOf, trailRef } from './util.js';

/** Runbook step 2: the trail's SNS notifications fail; log files still deliver. */
export const check: CauseDefinition = {
  id: 'sns-notification-failing',
  title: 'SNS notifications fail',
  step: 2,
  severity: 'low',
  precedence: { tier: 'fallback', rank: 80 },
  relations: { residueOf: ['sns-topic-policy-denies'] },
  triggerEvents: ['DeleteTopic', 'SetTopicAttributes', 'UpdateTrail'],
  reads: ['s1.trail', 's2.status'],
  meaning: 'the trail\'s SNS notifications fail; logs still deliver',
  fix: 'Recreate the topic or give cloudtrail.amazonaws.com SNS:Publish in its access policy; or remove the notification from the trail.',
  noDemo: 'log files still deliver, so no events are missing: a demo of it would show a healthy delivery; the check table covers it.',
  run({ evidence: e }) {
    const trail = trailOf(e);
    const status = statusOf(e);
    if (!trail || !status?.latestNotificationError) return result();
    const topic = trail.snsTopicArn;
    const region = parseArn(topic)?.region || homeRegion(e);
    const commands = topic
      ? [
          `aws sns get-topic-attributes --topic-arn ${shellArg(topic)} --region ${shellArg(region)}`,
          `aws sns set-topic-attributes --topic-arn ${shellArg(topic)} --attribute-name Policy --attribute-value file://cloudtrail-sns-policy.json --region ${shellArg(region)}`,
          `aws cloudtrail update-trail --name ${trailRef(e)} --region ${homeRegion(e)} --sns-topic-name ''`,
        ]
      : [`aws cloudtrail get-trail --name ${trailRef(e)} --region ${homeRegion(e)}`];
    return result([
      {
        id: 'sns-notification-failing',
        confidence: 'confirmed',
        summary: `SNS notifications of trail ${safe(trail.name)}${topic ? ` to ${safe(topic)}` : ''} fail ("${safe(status.latestNotificationError, 200)}"); log files are still delivered.`,
        evidence: [
          `step 2: LatestNotificationError = ${safe(status.latestNotificationError, 300)}`,
          ...(status.latestNotificationTime ? [`step 2: LatestNotificationTime = ${safe(status.latestNotificationTime, 40)}`] : []),
        ],
        remediation: {
          summary: topic
            ? `Recreate the topic or give cloudtrail.amazonaws.com SNS:Publish on it in its access policy; or remove the notification from the trail (the last command).`
            : 'Check the trail\'s SNS topic configuration.',
          commands,
          ...(topic
            ? {
                policy: {
                  Version: '2012-10-17',
                  Statement: [
                    {
                      Sid: 'AWSCloudTrailSNSPolicy',
                      Effect: 'Allow',
                      Principal: { Service: 'cloudtrail.amazonaws.com' },
                      Action: 'SNS:Publish',
                      Resource: topic,
                      Condition: { StringEquals: { 'aws:SourceArn': trail.arn } },
                    },
                  ],
                },
              }
            : {}),
        },
        resources: topic ? [topic] : [],
        data: { topic: topic ?? null, error: safe(status.latestNotificationError, 1000) },
      },
    ]);
  },
};
