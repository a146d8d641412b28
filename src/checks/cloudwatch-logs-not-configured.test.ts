import { describe, expect, it } from 'vitest';
import { check } from './cloudwatch-logs-not-configured.js';
import { healthyEvidence, TRAIL_ARN } from '../evidence/builder.js';
import type { Evidence } from '../evidence/schema.js';
import { contextOf } from './util.js';

const run = (mut?: (e: Evidence) => void) => {
  const e = healthyEvidence();
  mut?.(e);
  return check.run(contextOf(e));
};

describe('cloudwatch-logs-not-configured', () => {
  it('finds nothing on the healthy fixture', () => {
    expect(run()).toEqual({ findings: [], unverified: [] });
  });

  it('no CloudWatchLogsLogGroupArn is possible (events only in S3), never a fault', () => {
    const f = run((e) => {
      delete e.steps.s1.trail.value!.cloudWatchLogsLogGroupArn;
      delete e.steps.s1.trail.value!.cloudWatchLogsRoleArn;
    }).findings[0]!;
    expect(f).toMatchObject({ id: 'cloudwatch-logs-not-configured', confidence: 'possible' });
    expect(f.summary).toContain('bucket acme-trail-logs');
    expect(f.remediation.commands.at(-1)).toBe(
      `aws cloudtrail update-trail --name ${TRAIL_ARN} --region eu-west-1 --cloud-watch-logs-log-group-arn arn:aws:logs:eu-west-1:123456789012:log-group:aws-cloudtrail-logs-main:* --cloud-watch-logs-role-arn arn:aws:iam::123456789012:role/CloudTrailRoleForCloudWatchLogs_main`,
    );
  });
});
