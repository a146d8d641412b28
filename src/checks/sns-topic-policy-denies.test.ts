import { expect } from 'vitest';
import { check, snsPublishRequest } from './sns-topic-policy-denies.js';
import { ACCOUNT, TRAIL_ARN } from '../evidence/builder.js';
import { absent, denied, ok } from '../evidence/probe.js';
import type { Evidence } from '../evidence/schema.js';
import { evaluatePolicy } from '../policy/evaluate.js';
import { testCheck } from '../../test/support/check-tester.js';

const TOPIC = `arn:aws:sns:eu-west-1:${ACCOUNT}:trail-notify`;
/** AWS documentation's topic policy for CloudTrail (Amazon SNS topic policy for CloudTrail). */
const docStatement = (sourceArn = TRAIL_ARN) => ({
  Sid: 'AWSCloudTrailSNSPolicy20131101',
  Effect: 'Allow',
  Principal: { Service: 'cloudtrail.amazonaws.com' },
  Action: 'SNS:Publish',
  Resource: TOPIC,
  Condition: { StringEquals: { 'AWS:SourceArn': sourceArn } },
});
/** An application's publish grant: not CloudTrail's. */
const owner = { Sid: 'AllowOrdersAppPublish', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/orders-app` }, Action: 'SNS:Publish', Resource: TOPIC };

/** The trail notifies TOPIC, whose access policy is `statements`. */
const topicPolicy = (statements: unknown[], mut?: (e: Evidence) => void) => (e: Evidence) => {
  e.steps.s1.trail.value!.snsTopicArn = TOPIC;
  e.steps.s2.snsTopicPolicy = ok(JSON.stringify({ Version: '2008-10-17', Statement: statements }));
  mut?.(e);
};
const notificationFails = (e: Evidence) => (e.steps.s2.status.value!.latestNotificationError = 'AuthorizationError');

testCheck(check, {
  valid: [
    { name: "AWS documentation's topic policy lets CloudTrail publish", evidence: topicPolicy([owner, docStatement()]) },
    { name: 'a statement without conditions for the CloudTrail service principal allows', evidence: topicPolicy([{ Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'sns:Publish', Resource: TOPIC }]) },
    { name: 'a deleted topic is sns-notification-failing, not this', evidence: (e) => ((e.steps.s1.trail.value!.snsTopicArn = TOPIC), (e.steps.s2.snsTopicPolicy = absent('Topic does not exist', { errorCode: 'NotFound' }))) },
    {
      name: 'an unreadable policy while notifications work is not worth a question (the read is optional)',
      evidence: (e) => ((e.steps.s1.trail.value!.snsTopicArn = TOPIC), (e.steps.s2.snsTopicPolicy = denied('sns:GetTopicAttributes', 'AuthorizationError', { optional: true }))),
    },
    { name: 'a policy read without a topic on the trail is ignored', evidence: (e) => (e.steps.s2.snsTopicPolicy = ok(JSON.stringify({ Statement: [] }))) },
  ],
  invalid: [
    {
      name: "only an application's publish grant: confirmed, the corrected policy lets CloudTrail publish",
      evidence: topicPolicy([owner], notificationFails),
      findings: [
        {
          confidence: 'confirmed',
          summary: /does not let cloudtrail\.amazonaws\.com publish for trail main \(no statement allows it\)/,
          evidence: ['step 2: LatestNotificationError = AuthorizationError', /^step 2: the access policy of SNS topic .*: sns:Publish on .*: no statement allows it \(implicit deny\)$/],
          match: { resources: [TOPIC, 'main', TRAIL_ARN], data: { decision: 'implicit-deny' } },
        },
      ],
      assert: ({ findings: [f] }) => {
        expect(f!.remediation.commands[0]).toBe(`aws sns set-topic-attributes --topic-arn ${TOPIC} --attribute-name Policy --attribute-value file://sns-topic-policy.json --region eu-west-1`);
        const corrected = f!.remediation.policy as { Statement: { Sid: string }[] };
        expect(corrected.Statement.map((s) => s.Sid)).toEqual(['AllowOrdersAppPublish', 'AWSCloudTrailSNSPolicy']);
        expect(evaluatePolicy(corrected, snsPublishRequest(TOPIC, TRAIL_ARN, ACCOUNT)).decision).toBe('allow');
      },
    },
    {
      name: 'a SourceArn naming another trail: the condition is named',
      evidence: topicPolicy([owner, docStatement(`arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/old`)]),
      findings: [{ confidence: 'confirmed', evidence: [/AWSCloudTrailSNSPolicy20131101.*does not apply: .*aws:SourceArn/i] }],
    },
    {
      name: 'an explicit Deny is named and removed in the correction',
      evidence: topicPolicy([docStatement(), { Sid: 'DenyServices', Effect: 'Deny', Principal: '*', Action: 'SNS:Publish', Resource: TOPIC, Condition: { Bool: { 'aws:PrincipalIsAWSService': 'true' } } }], notificationFails),
      findings: [{ confidence: 'confirmed', summary: /statement DenyServices denies it/, match: { data: { decision: 'explicit-deny' } } }],
      assert: ({ findings: [f] }) => {
        const corrected = f!.remediation.policy;
        expect(JSON.stringify(corrected)).not.toContain('DenyServices');
        expect(evaluatePolicy(corrected, snsPublishRequest(TOPIC, TRAIL_ARN, ACCOUNT)).decision).toBe('allow');
      },
    },
  ],
  unverified: [
    {
      name: 'GetTopicAttributes denied while notifications fail is unverified with the permission',
      evidence: (e) => {
        e.steps.s1.trail.value!.snsTopicArn = TOPIC;
        e.steps.s2.snsTopicPolicy = denied('sns:GetTopicAttributes', 'AuthorizationError', { optional: true });
        notificationFails(e);
      },
      unverified: [{ step: 2, needs: 'sns:GetTopicAttributes' }],
    },
    {
      name: 'a topic in another account names that account',
      evidence: (e) => {
        e.steps.s1.trail.value!.snsTopicArn = 'arn:aws:sns:eu-west-1:444455556666:central';
        e.steps.s2.snsTopicPolicy = denied('sns:GetTopicAttributes', 'AuthorizationError', { optional: true });
        notificationFails(e);
      },
      unverified: [{ step: 2 }],
      assert: ({ unverified: [u] }) => expect(u!.what).toContain('account 444455556666'),
    },
  ],
});
