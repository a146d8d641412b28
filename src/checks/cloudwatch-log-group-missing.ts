import { logGroupNameOf } from '../aws/arn.js';
import type { CauseDefinition } from './types.js';
import { callerAccount, changesNamed, describeChange, parseArn, result, safe, shellArg, statusOf, touches, trailOf, trailRef, homeRegion, unverifiedOf } from './util.js';

/** The log group name from its ARN (`arn:aws:logs:r:a:log-group:NAME[:*]`). */
export { logGroupNameOf };

/**
 * Runbook steps 7 and 2: the configured log group does not exist. A log group in another account
 * that cannot be read is unverified, never "missing".
 */
export const check: CauseDefinition = {
  id: 'cloudwatch-log-group-missing',
  title: 'CloudWatch Logs log group does not exist',
  step: 7,
  severity: 'high',
  precedence: { tier: 'cloudwatch-role', rank: 20 },
  relations: { explainsSilence: true },
  triggerEvents: ['DeleteLogGroup', 'UpdateTrail'],
  reads: ['s1.trail', 's1.caller', 's2.status', 's7.logGroupName', 's7.logGroup', 's9.changes'],
  meaning: 'the configured log group does not exist',
  fix: 'Recreate the log group (create-log-group) or point the trail at an existing one (update-trail).',
  run({ evidence: e }) {
    const trail = trailOf(e);
    const arn = trail?.cloudWatchLogsLogGroupArn;
    if (!trail || !arn) return result();
    const s7 = e.steps.s7;
    const name = s7.logGroupName ?? logGroupNameOf(arn) ?? arn;
    const parsed = parseArn(arn);
    const caller = callerAccount(e);
    const region = parsed?.region || homeRegion(e);
    const status = statusOf(e);
    const cwError = status?.latestCloudWatchLogsDeliveryError;
    const errorSaysMissing = !!cwError && /ResourceNotFound|does not exist|not found/i.test(cwError);
    const probe = s7.logGroup;

    if (parsed && caller && parsed.account !== caller && probe.status !== 'ok') {
      return result(
        [],
        [
          {
            step: 7,
            what: `log group ${safe(name)} belongs to account ${parsed.account}${parsed.region ? ` (${parsed.region})` : ''}, which trail-doctor (account ${caller}) cannot read`,
            needs: `logs:DescribeLogGroups in account ${parsed.account}`,
            ...(probe.reason ? { reason: safe(probe.reason, 500) } : {}),
          },
        ],
      );
    }
    if (probe.status === 'denied' || probe.status === 'error') {
      if (!errorSaysMissing) return result([], [unverifiedOf(probe, 7, `log group ${safe(name)}`, 'logs:DescribeLogGroups')]);
    }
    if (probe.status !== 'absent' && !errorSaysMissing) return result();

    const evidence: string[] = [];
    if (probe.status === 'absent') evidence.push(`step 7: DescribeLogGroups in ${safe(region, 40)} finds no log group ${safe(name)}`);
    if (cwError) evidence.push(`step 2: LatestCloudWatchLogsDeliveryError = ${safe(cwError, 300)}`);
    const deletes = changesNamed(e, ['DeleteLogGroup']).filter((c) => touches(c, [name, arn]));
    const last = deletes[deletes.length - 1];
    if (last) evidence.push(describeChange(last));
    return result([
      {
        id: 'cloudwatch-log-group-missing',
        confidence: 'confirmed',
        summary: `Log group ${safe(name)}, the CloudWatch Logs destination of trail ${safe(trail.name)}, does not exist: no events reach CloudWatch Logs.`,
        evidence,
        remediation: {
          summary: `Recreate log group ${safe(name)} in ${safe(region, 40)} (CloudTrail resumes delivery to it), or point the trail to an existing log group. Events of the silent period are still in S3.`,
          commands: [
            `aws logs create-log-group --log-group-name ${shellArg(name)} --region ${shellArg(region)}`,
            `aws logs put-retention-policy --log-group-name ${shellArg(name)} --retention-in-days 365 --region ${shellArg(region)}`,
            `aws cloudtrail get-trail-status --name ${trailRef(e)} --region ${homeRegion(e)}`,
          ],
        },
        resources: [name, arn],
        ...(last ? { since: last.eventTime } : status?.latestCloudWatchLogsDeliveryTime ? { since: status.latestCloudWatchLogsDeliveryTime } : {}),
        data: { logGroup: name, logGroupArn: arn, describeLogGroups: probe.status },
      },
    ]);
  },
};
