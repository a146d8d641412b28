import type { CauseDefinition, RootCauseId } from './types.js';
import { duration, homeRegion, MINUTE, ms, newestLogGroupEvent, result, safe, shellArg, statusOf, trailOf, trailRef } from './util.js';

/** Root causes a CloudWatch Logs delivery error text points to. */
export function cloudWatchErrorExplainedBy(error: string): RootCauseId[] {
  const out: RootCauseId[] = [];
  if (/ResourceNotFound|does not exist|log ?group.*not found/i.test(error)) out.push('cloudwatch-log-group-missing');
  if (/AccessDenied|not authorized|assume|role|credential|Forbidden/i.test(error)) out.push('cloudwatch-role-invalid');
  if (/too large|size|256/i.test(error)) out.push('cloudwatch-event-size-limit');
  return out;
}

/** Runbook step 2: CloudTrail reports a CloudWatch Logs delivery error. */
export const check: CauseDefinition = {
  id: 'cloudwatch-delivery-error',
  title: 'CloudTrail reports a CloudWatch Logs delivery error',
  step: 2,
  severity: 'high',
  precedence: { tier: 'trail', rank: 60 },
  relations: {
    residueOf: ['cloudwatch-log-group-missing', 'cloudwatch-role-invalid'],
    explainedBy: [{ cause: 'cloudwatch-event-size-limit', when: (f) => cloudWatchErrorExplainedBy(String(f.data?.error ?? '')).includes('cloudwatch-event-size-limit'), why: 'the error names an event too large for CloudWatch Logs' }],
    explainsSilence: true,
  },
  triggerEvents: ['DeleteLogGroup', 'PutRolePolicy', 'DeleteRolePolicy', 'DetachRolePolicy', 'UpdateAssumeRolePolicy', 'DeleteRole', 'PutRolePermissionsBoundary', 'UpdateTrail'],
  reads: ['s1.trail', 's2.status', 's3.newestEventTime', 's7.logGroupName'],
  meaning: 'CloudTrail reports a CloudWatch Logs delivery error none of the above explains',
  fix: 'Check the log group, the delivery role and its policies against the error, then confirm delivery resumes.',
  run({ evidence: e, now }) {
    const trail = trailOf(e);
    const status = statusOf(e);
    if (!trail || !status?.latestCloudWatchLogsDeliveryError) return result();
    const error = status.latestCloudWatchLogsDeliveryError;
    const explainedBy = cloudWatchErrorExplainedBy(error);
    const evidence = [`step 2: LatestCloudWatchLogsDeliveryError = ${safe(error, 300)}`];
    if (status.latestCloudWatchLogsDeliveryTime) evidence.push(`step 2: LatestCloudWatchLogsDeliveryTime = ${safe(status.latestCloudWatchLogsDeliveryTime, 40)}`);
    const newest = newestLogGroupEvent(e);
    const lastOk = ms(status.latestCloudWatchLogsDeliveryTime);
    const current = newest !== undefined && now.getTime() - newest <= 30 * MINUTE && lastOk !== undefined && now.getTime() - lastOk <= 30 * MINUTE;
    if (current) evidence.push(`step 3: the newest event in the log group is ${duration(now.getTime() - newest!)} old: deliveries are current, the error is old or intermittent`);
    const group = e.steps.s7.logGroupName ?? trail.cloudWatchLogsLogGroupArn ?? 'LOG_GROUP';
    const role = trail.cloudWatchLogsRoleArn;
    const roleName = role?.split('/').pop();
    const commands = [`aws cloudtrail get-trail-status --name ${trailRef(e)} --region ${homeRegion(e)}`, `aws logs describe-log-groups --log-group-name-prefix ${shellArg(group)} --region ${homeRegion(e)}`];
    if (roleName) commands.push(`aws iam get-role --role-name ${shellArg(roleName)}`, `aws iam list-role-policies --role-name ${shellArg(roleName)}`);
    return result([
      {
        id: 'cloudwatch-delivery-error',
        confidence: current ? 'possible' : 'likely',
        summary: `CloudTrail reports CloudWatch Logs delivery error "${safe(error, 200)}" for trail ${safe(trail.name)} (log group ${safe(group)}).`,
        evidence,
        remediation: {
          summary: explainedBy.length
            ? `The error points to ${explainedBy.join(' / ')}: fix that cause, then confirm delivery resumes.`
            : 'Check the log group, the delivery role and its policies against the error, then confirm delivery resumes.',
          commands,
        },
        resources: [group, ...(role ? [role] : [])],
        ...(status.latestCloudWatchLogsDeliveryTime ? { since: status.latestCloudWatchLogsDeliveryTime } : {}),
        data: { error: safe(error, 1000), explainedBy, deliveriesCurrent: current },
      },
    ]);
  },
};
