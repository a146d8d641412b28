import { describe, expect, it } from 'vitest';
import { check, logGroupNameOf } from './cloudwatch-log-group-missing.js';
import { healthyEvidence, LOG_GROUP, LOG_GROUP_ARN } from '../evidence/builder.js';
import { absent, denied } from '../evidence/probe.js';
import type { Evidence } from '../evidence/schema.js';
import { contextOf } from './util.js';

const run = (mut?: (e: Evidence) => void) => {
  const e = healthyEvidence();
  mut?.(e);
  return check.run(contextOf(e));
};

describe('cloudwatch-log-group-missing', () => {
  it('finds nothing on the healthy fixture', () => {
    expect(run()).toEqual({ findings: [], unverified: [] });
  });

  it('parses the group name from its ARN', () => {
    expect(logGroupNameOf(LOG_GROUP_ARN)).toBe(LOG_GROUP);
    expect(logGroupNameOf('arn:aws:logs:eu-west-1:1:log-group:/aws/ct/a:b')).toBe('/aws/ct/a:b');
  });

  it('DescribeLogGroups finds no group: confirmed, with the create command', () => {
    const f = run((e) => (e.steps.s7.logGroup = absent('no such log group'))).findings[0]!;
    expect(f).toMatchObject({ id: 'cloudwatch-log-group-missing', confidence: 'confirmed', resources: [LOG_GROUP, LOG_GROUP_ARN] });
    expect(f.remediation.commands[0]).toBe(`aws logs create-log-group --log-group-name ${LOG_GROUP} --region eu-west-1`);
    expect(f.triggerEvents ?? check.triggerEvents).toContain('DeleteLogGroup');
  });

  it('LatestCloudWatchLogsDeliveryError naming it is confirmed even when DescribeLogGroups is denied', () => {
    const r = run((e) => {
      e.steps.s7.logGroup = denied('logs:DescribeLogGroups', 'denied');
      e.steps.s2.status.value!.latestCloudWatchLogsDeliveryError = 'ResourceNotFoundException: The specified log group does not exist.';
    });
    expect(r.findings[0]?.confidence).toBe('confirmed');
  });

  it('DescribeLogGroups denied alone is unverified', () => {
    const r = run((e) => (e.steps.s7.logGroup = denied('logs:DescribeLogGroups', 'denied')));
    expect(r.findings).toEqual([]);
    expect(r.unverified).toEqual([expect.objectContaining({ step: 7, needs: 'logs:DescribeLogGroups' })]);
  });

  it('a log group in another account that cannot be read is unverified naming the account, never missing', () => {
    const r = run((e) => {
      e.steps.s1.trail.value!.cloudWatchLogsLogGroupArn = 'arn:aws:logs:eu-west-1:555555555555:log-group:central:*';
      e.steps.s7.logGroupName = 'central';
      e.steps.s7.logGroup = absent('not found in caller account');
    });
    expect(r.findings).toEqual([]);
    expect(r.unverified[0]!.what).toContain('belongs to account 555555555555');
    expect(r.unverified[0]!.needs).toBe('logs:DescribeLogGroups in account 555555555555');
  });
});
