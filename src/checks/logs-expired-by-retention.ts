import type { CauseDefinition } from './types.js';
import { bucketOf, DAY, isoOf, keyPath, ms, parseArn, result, safe, shellArg, trailOf, valueOf, homeRegion } from './util.js';

/** Retention values CloudWatch Logs accepts (PutRetentionPolicy). */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/**
 * Runbook step 7 (fallback): events older than the log group's retention are gone from CloudWatch
 * Logs. A finding when the diagnosis window starts before the retention cut-off.
 */
export const check: CauseDefinition = {
  id: 'logs-expired-by-retention',
  title: 'Log group retention removed older events',
  step: 7,
  severity: 'medium',
  precedence: { tier: 'fallback', rank: 10 },
  triggerEvents: ['PutRetentionPolicy'],
  state: true,
  reads: ['s1.trail', 's4.bucket', 's7.logGroup'],
  meaning: 'the missing events are older than the log group\'s retention',
  fix: 'Raise the log group\'s retention (put-retention-policy) and read older events from S3.',
  run({ evidence: e, now }) {
    const trail = trailOf(e);
    const lg = valueOf(e.steps.s7.logGroup);
    if (!trail?.cloudWatchLogsLogGroupArn || !lg?.retentionInDays) return result();
    const days = lg.retentionInDays;
    const cutoff = now.getTime() - days * DAY;
    const start = ms(e.window.start);
    if (start === undefined || start >= cutoff) return result();
    // events before the group existed were never in it: only the part after creation expired
    const created = ms(lg.creationTime);
    if (created !== undefined && created >= cutoff) return result();
    const neededDays = Math.ceil((now.getTime() - start) / DAY);
    const suggested = RETENTION_DAYS.find((d) => d >= neededDays) ?? 3653;
    const region = parseArn(lg.arn)?.region || homeRegion(e);
    const bucket = bucketOf(e);
    const commands = [`aws logs put-retention-policy --log-group-name ${shellArg(lg.name)} --retention-in-days ${suggested} --region ${shellArg(region)}`];
    if (bucket) commands.push(`aws s3 ls s3://${shellArg(`${bucket}/${keyPath(e)}CloudTrail/`)} --recursive`);
    return result([
      {
        id: 'logs-expired-by-retention',
        confidence: 'likely',
        summary: `Log group ${safe(lg.name)} keeps events for ${days} days: events before ${isoOf(cutoff)} have expired from CloudWatch Logs (the window starts ${safe(e.window.start, 40)}).`,
        evidence: [`step 7: log group ${safe(lg.name)} retentionInDays = ${days}`, `step 7: retention cut-off ${isoOf(cutoff)} is after the window start ${safe(e.window.start, 40)}`],
        remediation: {
          summary: `Older events are no longer in CloudWatch Logs${bucket ? `; read them from the S3 log files in ${safe(bucket)} (unless an S3 lifecycle rule removed them too)` : ''}. To keep ${neededDays} days, raise retention to ${suggested} days (or remove the retention policy).`,
          commands,
        },
        resources: [lg.name, lg.arn],
        since: isoOf(cutoff),
        data: { logGroup: lg.name, retentionInDays: days, cutoff: isoOf(cutoff), suggestedRetentionDays: suggested },
      },
    ]);
  },
};
