import { describe, expect, it } from 'vitest';
import { check, cloudWatchErrorExplainedBy } from './cloudwatch-delivery-error.js';
import { healthyEvidence } from '../evidence/builder.js';
import type { Evidence } from '../evidence/schema.js';
import { contextOf } from './util.js';

const run = (mut?: (e: Evidence) => void) => {
  const e = healthyEvidence();
  mut?.(e);
  return check.run(contextOf(e));
};
const failing = (error: string) => (e: Evidence) => {
  const s = e.steps.s2.status.value!;
  s.latestCloudWatchLogsDeliveryError = error;
  s.latestCloudWatchLogsDeliveryTime = '2026-11-24T02:00:00Z';
  e.steps.s3.newestEventTime = '2026-11-24T02:00:00Z';
  e.steps.s3.streams.value!.streams[0]!.lastEventTimestamp = '2026-11-24T02:00:00Z';
};

describe('cloudwatch-delivery-error', () => {
  it('finds nothing on the healthy fixture', () => {
    expect(run()).toEqual({ findings: [], unverified: [] });
  });

  it('reports the error as likely, pointing to the role', () => {
    const f = run(failing('Access denied. Verify in IAM that the role has adequate permissions.')).findings[0]!;
    expect(f).toMatchObject({ id: 'cloudwatch-delivery-error', confidence: 'likely', since: '2026-11-24T02:00:00Z' });
    expect(f.data?.explainedBy).toEqual(['cloudwatch-role-invalid']);
    expect(f.remediation.commands).toContain('aws iam get-role --role-name CloudTrailRoleForCloudWatchLogs_main');
  });

  it.each([
    ['ResourceNotFoundException: The specified log group does not exist.', ['cloudwatch-log-group-missing']],
    ['Unable to assume role', ['cloudwatch-role-invalid']],
    ['ServiceUnavailable', []],
  ])('%s → %j', (err, want) => {
    expect(cloudWatchErrorExplainedBy(err)).toEqual(want);
  });

  it('an error while events keep arriving is only possible', () => {
    const f = run((e) => (e.steps.s2.status.value!.latestCloudWatchLogsDeliveryError = 'ServiceUnavailable')).findings[0]!;
    expect(f.confidence).toBe('possible');
  });
});
