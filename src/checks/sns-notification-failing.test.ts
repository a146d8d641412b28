import { describe, expect, it } from 'vitest';
import { check } from './sns-notification-failing.js';
import { healthyEvidence } from '../evidence/builder.js';
import type { Evidence } from '../evidence/schema.js';
import { contextOf } from './util.js';

const run = (mut?: (e: Evidence) => void) => {
  const e = healthyEvidence();
  mut?.(e);
  return check.run(contextOf(e));
};
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:trail-notify';

describe('sns-notification-failing', () => {
  it('finds nothing on the healthy fixture', () => {
    expect(run()).toEqual({ findings: [], unverified: [] });
  });

  it('LatestNotificationError: confirmed, low severity, logs still deliver', () => {
    const f = run((e) => {
      e.steps.s1.trail.value!.snsTopicArn = TOPIC;
      e.steps.s2.status.value!.latestNotificationError = 'NotFound';
    }).findings[0]!;
    expect(check.severity).toBe('low');
    expect(f).toMatchObject({ id: 'sns-notification-failing', confidence: 'confirmed', resources: [TOPIC] });
    expect(f.summary).toContain('log files are still delivered');
    expect(f.remediation.commands[0]).toBe(`aws sns get-topic-attributes --topic-arn ${TOPIC} --region eu-west-1`);
    expect(JSON.stringify(f.remediation.policy)).toContain('SNS:Publish');
  });
});
