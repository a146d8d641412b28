import type { CauseDefinition, Finding } from './types.js';
import {
  bucketOf,
  duration,
  homeRegion,
  isoOf,
  keyPath,
  metricEventsBetween,
  MINUTE,
  ms,
  newestDelivery,
  newestLogGroupEvent,
  result,
  safe,
  shellArg,
  statusOf,
  targetRegion,
  trailOf,
  trailRef,
  unverifiedOf,
  valueOf,
} from './util.js';

/** Silence longer than this, with the trail logging, means delivery has stopped (cloudtrail-files.md §6). */
export const STOPPED_AFTER_MS = 30 * MINUTE;

/**
 * Runbook step 6 (diagnosis step 4): the trail is logging, yet nothing was delivered for much longer
 * than the ~5-minute cadence. Uses key-name delivery times (never LastModified), corroborated with
 * LatestDeliveryTime, the log group's newest event and metrics. Configuration causes rank above it
 * in the diagnosis; this check only reports the silence.
 */
export const check: CauseDefinition = {
  id: 'delivery-stopped',
  title: 'Log delivery has stopped',
  step: 6,
  severity: 'critical',
  precedence: { tier: 'delivery', rank: 10 },
  relations: { silenceSymptom: true },
  triggerEvents: ['PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketAcl', 'PutBucketEncryption', 'PutKeyPolicy', 'DisableKey', 'ScheduleKeyDeletion', 'UpdateTrail', 'PutEventSelectors', 'DeleteLogGroup', 'PutRolePolicy', 'DeleteRolePolicy', 'DetachRolePolicy', 'UpdateAssumeRolePolicy', 'DeleteRole'],
  reads: ['s1.trail', 's2.status', 's3.newestEventTime', 's4.head', 's6.listing', 's7.logGroupName', 's7.logGroup', 's8.metrics'],
  meaning: 'logging, but nothing delivered for much longer than the ~5-minute cadence, and no configuration cause found',
  fix: 'Find the change just before delivery stopped (step 9) and revert it; confirm GetTrailStatus shows a new delivery.',
  run({ evidence: e, now }) {
    const trail = trailOf(e);
    const status = statusOf(e);
    if (!trail || !status?.isLogging) return result();
    const nowMs = now.getTime();
    const started = ms(status.startLoggingTime);
    const findings: Finding[] = [];
    const unverified = [];
    const cwlNewest = trail.cloudWatchLogsLogGroupArn ? newestLogGroupEvent(e) : undefined;
    const windowStart = ms(e.window.start) ?? nowMs;

    // --- S3 ---
    const bucket = bucketOf(e);
    const listingProbe = e.steps.s6.listing;
    const listing = valueOf(listingProbe);
    if (bucket && !listing && e.steps.s4.head.status !== 'absent') {
      unverified.push(unverifiedOf(listingProbe, 6, `log files in s3://${safe(bucket)}/${safe(keyPath(e))}`, 's3:ListBucket'));
    }
    if (bucket && listing) {
      const newest = newestDelivery(e);
      const since = Math.max(newest ?? windowStart, started ?? 0);
      const silence = nowMs - since;
      if (silence > STOPPED_AFTER_MS) {
        const evidence: string[] = [];
        evidence.push(
          newest !== undefined
            ? `step 6: newest log file in ${targetRegion(e)} was delivered ${safe(listing.newest?.deliveryTime, 40)} (key-name time), ${duration(nowMs - newest)} ago; CloudTrail delivers about every 5 minutes`
            : `step 6: no log file in ${targetRegion(e)} in the whole window (${safe(e.window.start, 40)} to ${safe(e.window.end, 40)})`,
        );
        if (started !== undefined && started > (newest ?? 0)) evidence.push(`step 2: logging (re)started ${safe(status.startLoggingTime, 40)}, ${duration(nowMs - started)} ago, with no delivery since`);
        evidence.push('step 2: GetTrailStatus IsLogging = true');
        let confidence: Finding['confidence'] = 'likely';
        const ldt = ms(status.latestDeliveryTime);
        if (ldt !== undefined) {
          if (nowMs - ldt > STOPPED_AFTER_MS) evidence.push(`step 2: LatestDeliveryTime = ${safe(status.latestDeliveryTime, 40)}, ${duration(nowMs - ldt)} ago: CloudTrail confirms no recent delivery`);
          else {
            evidence.push(`step 2: LatestDeliveryTime = ${safe(status.latestDeliveryTime, 40)} is recent: the trail still delivers for some region or account, ${targetRegion(e)} may simply be quiet`);
            confidence = 'possible';
          }
        } else evidence.push('step 2: GetTrailStatus has no LatestDeliveryTime');
        if (status.latestDeliveryError) evidence.push(`step 2: LatestDeliveryError = ${safe(status.latestDeliveryError, 200)}`);
        if (cwlNewest !== undefined) {
          evidence.push(
            nowMs - cwlNewest <= STOPPED_AFTER_MS
              ? `step 3: events still reach CloudWatch Logs (newest ${isoOf(cwlNewest)}): the account is active, only S3 delivery stopped`
              : `step 3: the log group's newest event is ${duration(nowMs - cwlNewest)} old too`,
          );
          if (nowMs - cwlNewest <= STOPPED_AFTER_MS) confidence = 'likely';
        }
        const metric = metricEventsBetween(e, since, nowMs);
        if (metric !== undefined) evidence.push(`step 8: IncomingLogEvents since the last delivery: ${metric}`);
        const path = keyPath(e);
        findings.push({
          id: 'delivery-stopped',
          confidence,
          summary: `Trail ${safe(trail.name)} is logging but has delivered no log file to s3://${safe(bucket)}/${safe(path)} for ${duration(silence)}.`,
          evidence,
          remediation: {
            summary: 'Find why CloudTrail cannot write: check the delivery error, the bucket policy, encryption key and the changes made just before the last delivery.',
            commands: [
              `aws cloudtrail get-trail-status --name ${trailRef(e)} --region ${homeRegion(e)}`,
              `aws s3api get-bucket-policy --bucket ${shellArg(bucket)}`,
              `aws s3 ls s3://${shellArg(`${bucket}/${path}CloudTrail/${targetRegion(e)}/${isoOf(nowMs).slice(0, 10).replace(/-/g, '/')}/`)}`,
            ],
          },
          resources: [bucket, trail.name, trail.arn],
          triggerEvents: ['PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketAcl', 'PutBucketEncryption', 'PutKeyPolicy', 'DisableKey', 'ScheduleKeyDeletion', 'UpdateTrail', 'PutEventSelectors'],
          since: isoOf(since),
          data: { destination: 's3', lastDelivery: newest !== undefined ? isoOf(newest) : null, silenceMinutes: Math.round(silence / MINUTE), latestDeliveryTime: status.latestDeliveryTime ?? null },
        });
      }
    }

    // --- CloudWatch Logs: silent while S3 shows the account is active ---
    const group = e.steps.s7.logGroupName ?? trail.cloudWatchLogsLogGroupArn;
    const s3Newest = newestDelivery(e);
    if (trail.cloudWatchLogsLogGroupArn && group && cwlNewest !== undefined && e.steps.s7.logGroup.status === 'ok') {
      const since = Math.max(cwlNewest, started ?? 0);
      const silence = nowMs - since;
      if (silence > STOPPED_AFTER_MS && s3Newest !== undefined && nowMs - s3Newest <= STOPPED_AFTER_MS) {
        const evidence = [
          `step 3: newest event in log group ${safe(group)} is from ${isoOf(cwlNewest)}, ${duration(nowMs - cwlNewest)} ago`,
          `step 6: log files still reach S3 (newest ${isoOf(s3Newest)}): the account is active, only CloudWatch Logs delivery stopped`,
        ];
        if (status.latestCloudWatchLogsDeliveryError) evidence.push(`step 2: LatestCloudWatchLogsDeliveryError = ${safe(status.latestCloudWatchLogsDeliveryError, 200)}`);
        const metric = metricEventsBetween(e, since, nowMs);
        if (metric !== undefined) evidence.push(`step 8: IncomingLogEvents since then: ${metric}`);
        findings.push({
          id: 'delivery-stopped',
          confidence: 'likely',
          summary: `Trail ${safe(trail.name)} has sent no event to log group ${safe(group)} for ${duration(silence)}, while S3 delivery continues.`,
          evidence,
          remediation: {
            summary: 'Check the CloudWatch Logs delivery error, the delivery role and the log group.',
            commands: [`aws cloudtrail get-trail-status --name ${trailRef(e)} --region ${homeRegion(e)}`, `aws logs describe-log-streams --log-group-name ${shellArg(group)} --order-by LastEventTime --descending --max-items 5`],
          },
          resources: [group, ...(trail.cloudWatchLogsRoleArn ? [trail.cloudWatchLogsRoleArn] : [])],
          triggerEvents: ['DeleteLogGroup', 'PutRolePolicy', 'DeleteRolePolicy', 'DetachRolePolicy', 'UpdateAssumeRolePolicy', 'DeleteRole', 'UpdateTrail'],
          since: isoOf(since),
          data: { destination: 'cloudwatch-logs', lastEvent: isoOf(cwlNewest), silenceMinutes: Math.round(silence / MINUTE) },
        });
      }
    }
    return result(findings, unverified);
  },
};
