import { evaluatePolicy } from '../policy/evaluate.js';
import type { PolicyRequest } from '../policy/types.js';
import type { CauseDefinition, Confidence } from './types.js';
import { correctPolicy, explainDenied, type RequestVerdict } from './remediation-policies.js';
import { homeRegion, parseArn, result, safe, shellArg, statusOf, trailOf, trailAccount, trailRef, unverifiedOf } from './util.js';

const CLOUDTRAIL = 'cloudtrail.amazonaws.com';

/** The request CloudTrail makes to notify the topic: SNS:Publish by its service principal, for this trail. */
export function snsPublishRequest(topicArn: string, trailArn: string, account: string): PolicyRequest {
  return {
    principal: { type: 'Service', id: CLOUDTRAIL },
    action: 'sns:Publish',
    resource: topicArn,
    context: {
      'aws:SourceArn': trailArn,
      'aws:SourceAccount': account,
      'aws:SecureTransport': true,
      'aws:PrincipalServiceName': CLOUDTRAIL,
      'aws:PrincipalIsAWSService': true,
    },
    label: `SNS:Publish on ${topicArn}`,
  };
}

/**
 * Runbook step 2: the trail notifies an SNS topic whose access policy does not let CloudTrail
 * publish (AWS documentation, "Amazon SNS topic policy for CloudTrail"). CreateTrail and UpdateTrail
 * refuse such a topic (InsufficientSnsTopicPolicyException), so the policy changed afterwards: log
 * files are still delivered, every notification fails.
 */
export const check: CauseDefinition = {
  id: 'sns-topic-policy-denies',
  title: 'SNS topic policy does not let CloudTrail publish',
  step: 2,
  severity: 'low',
  precedence: { tier: 'fallback', rank: 75 },
  triggerEvents: ['SetTopicAttributes', 'UpdateTrail'],
  reads: ['s1.trail', 's1.caller', 's2.status', 's2.snsTopicPolicy'],
  meaning: "the SNS topic's access policy does not let `cloudtrail.amazonaws.com` publish for this trail; logs still deliver",
  fix: 'Add the CloudTrail statement (SNS:Publish for cloudtrail.amazonaws.com, aws:SourceArn = the trail) to the topic policy with set-topic-attributes.',
  run({ evidence: e }) {
    const trail = trailOf(e);
    const topic = trail?.snsTopicArn;
    const probe = e.steps.s2.snsTopicPolicy;
    if (!trail || !topic || !probe) return result();
    const region = parseArn(topic)?.region || homeRegion(e);
    if (probe.status === 'absent' || probe.status === 'skipped') return result(); // a deleted topic is sns-notification-failing
    const status = statusOf(e);
    const notificationError = status?.latestNotificationError;
    if (probe.status !== 'ok') {
      // the read is optional (notifications carry no events); it matters once notifications fail
      if (!notificationError) return result();
      const owner = parseArn(topic)?.account;
      const other = owner && owner !== trailAccount(e) ? ` (the topic belongs to account ${safe(owner, 20)})` : '';
      return result([], [unverifiedOf({ ...probe, optional: false }, 2, `access policy of SNS topic ${safe(topic)}${other}`, 'sns:GetTopicAttributes')]);
    }
    const account = trailAccount(e) ?? parseArn(topic)?.account ?? '';
    const request = snsPublishRequest(topic, trail.arn, account);
    const verdict = evaluatePolicy(probe.value, request);
    if (verdict.decision === 'allow' && !verdict.error) return result();

    const evidence: string[] = [];
    if (notificationError) evidence.push(`step 2: LatestNotificationError = ${safe(notificationError, 300)}`);
    // explainDenied reads the request's action and resource only; SNS:Publish is not one of the delivery requests it is typed for
    evidence.push(...explainDenied(2, `the access policy of SNS topic ${safe(topic)}`, { request: request as RequestVerdict['request'], verdict }));
    const confidence: Confidence = verdict.uncertain && !notificationError ? 'likely' : 'confirmed';
    const statement = {
      Sid: 'AWSCloudTrailSNSPolicy',
      Effect: 'Allow',
      Principal: { Service: CLOUDTRAIL },
      Action: 'SNS:Publish',
      Resource: topic,
      Condition: { StringEquals: { 'aws:SourceArn': trail.arn } },
    };
    const corrected = correctPolicy(probe.value, [statement], verdict.decision === 'explicit-deny' ? verdict.deniedBy : []);
    const denial = verdict.decision === 'explicit-deny' ? `statement ${verdict.deniedBy.map((r) => safe(r.sid ?? `#${r.index}`, 100)).join(', ')} denies it` : 'no statement allows it';
    return result([
      {
        id: 'sns-topic-policy-denies',
        confidence,
        summary: `The access policy of SNS topic ${safe(topic)} does not let cloudtrail.amazonaws.com publish for trail ${safe(trail.name)} (${denial}); notifications fail, log files are still delivered.`,
        evidence,
        remediation: {
          summary: `Put back the CloudTrail statement in the topic policy${corrected.removed.length ? `, without ${corrected.removed.join(', ')}` : ''}; or remove the notification from the trail (the last command).`,
          commands: [
            `aws sns set-topic-attributes --topic-arn ${shellArg(topic)} --attribute-name Policy --attribute-value file://sns-topic-policy.json --region ${shellArg(region)}`,
            `aws sns get-topic-attributes --topic-arn ${shellArg(topic)} --region ${shellArg(region)}`,
            `aws cloudtrail update-trail --name ${trailRef(e)} --region ${homeRegion(e)} --sns-topic-name ''`,
          ],
          policy: corrected.policy,
        },
        resources: [topic, trail.name, trail.arn],
        data: { topic, decision: verdict.decision, deniedBy: verdict.deniedBy, notificationError: notificationError ? safe(notificationError, 1000) : null, removedStatements: corrected.removed },
      },
    ]);
  },
};
