import type { CauseDefinition } from './types.js';
import { homeRegion, result, safe, shellArg, trailAccount, trailOf, trailRef, partitionOf } from './util.js';

/** Runbook steps 2 and 7: the trail sends nothing to CloudWatch Logs; events are only in S3. */
export const check: CauseDefinition = {
  id: 'cloudwatch-logs-not-configured',
  title: 'CloudWatch Logs delivery is not configured',
  step: 7,
  severity: 'low',
  precedence: { tier: 'fallback', rank: 70 },
  triggerEvents: ['UpdateTrail', 'CreateTrail'],
  state: true,
  reads: ['s1.trail'],
  meaning: 'the trail sends nothing to CloudWatch Logs: events are only in S3',
  fix: 'Search the S3 log files (or Athena), or configure CloudWatch Logs delivery on the trail.',
  run({ evidence: e }) {
    const trail = trailOf(e);
    if (!trail || trail.cloudWatchLogsLogGroupArn) return result();
    const region = homeRegion(e);
    const account = trailAccount(e) ?? 'ACCOUNT';
    const group = `aws-cloudtrail-logs-${trail.name}`;
    const role = `CloudTrailRoleForCloudWatchLogs_${trail.name}`;
    const partition = partitionOf(e);
    return result([
      {
        id: 'cloudwatch-logs-not-configured',
        confidence: 'possible',
        summary: `Trail ${safe(trail.name)} does not send events to CloudWatch Logs: look for them in S3${trail.s3BucketName ? ` (bucket ${safe(trail.s3BucketName)})` : ''} or in event history, not in a log group.`,
        evidence: ['step 2: GetTrail has no CloudWatchLogsLogGroupArn', 'step 7: no log group to inspect'],
        remediation: {
          summary: `If you expect the events in CloudWatch Logs, create a log group and a delivery role that cloudtrail.amazonaws.com can assume (logs:CreateLogStream, logs:PutLogEvents), then attach both to the trail.`,
          commands: [
            `aws logs create-log-group --log-group-name ${shellArg(group)} --region ${region}`,
            `aws iam create-role --role-name ${shellArg(role)} --assume-role-policy-document file://cloudtrail-trust-policy.json`,
            `aws iam put-role-policy --role-name ${shellArg(role)} --policy-name CloudTrailPolicyForCloudWatchLogs --policy-document file://cloudtrail-logs-policy.json`,
            `aws cloudtrail update-trail --name ${trailRef(e)} --region ${region} --cloud-watch-logs-log-group-arn ${shellArg(`arn:${partition}:logs:${region}:${account}:log-group:${group}:*`)} --cloud-watch-logs-role-arn ${shellArg(`arn:${partition}:iam::${account}:role/${role}`)}`,
          ],
          policy: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                Resource: `arn:${partition}:logs:${region}:${account}:log-group:${group}:log-stream:*`,
              },
            ],
          },
        },
        resources: [trail.name, trail.arn],
        data: { s3Bucket: trail.s3BucketName ?? null },
      },
    ]);
  },
};
