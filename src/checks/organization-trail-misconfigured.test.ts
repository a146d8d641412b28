import { describe, expect, it } from 'vitest';
import { check } from './organization-trail-misconfigured.js';
import { healthyEvidence } from '../evidence/builder.js';
import { denied, ok } from '../evidence/probe.js';
import type { Evidence } from '../evidence/schema.js';
import { contextOf } from './util.js';

const MEMBER = '222233334444';
const run = (mut?: (e: Evidence) => void) => {
  const e = healthyEvidence();
  mut?.(e);
  return check.run(contextOf(e));
};
const orgTrail = (e: Evidence) => {
  e.steps.s1.trail.value!.isOrganizationTrail = true;
  e.steps.s6.organizationId = ok('o-abc123def4');
};
const seenFromMember = (e: Evidence) => {
  orgTrail(e);
  e.steps.s1.caller.value!.accountId = MEMBER;
};

describe('organization-trail-misconfigured', () => {
  it('finds nothing on the healthy fixture, nor on a delivering organization trail', () => {
    expect(run()).toEqual({ findings: [], unverified: [] });
    expect(run(orgTrail)).toEqual({ findings: [], unverified: [] });
    expect(run(seenFromMember)).toEqual({ findings: [], unverified: [] });
  });

  it('member account: the trail delivers but nothing arrives under AWSLogs/<o-id>/<member>/', () => {
    const f = run((e) => {
      seenFromMember(e);
      const l = e.steps.s6.listing.value!;
      delete l.newest;
      l.fileCount = 0;
    }).findings[0]!;
    expect(f).toMatchObject({ id: 'organization-trail-misconfigured', confidence: 'likely' });
    expect(f.evidence.join('\n')).toContain(`no log file under AWSLogs/o-abc123def4/${MEMBER}/ in the whole window`);
    expect(f.remediation.commands).toContain(`aws organizations describe-account --account-id ${MEMBER}`);
  });

  it('DisableAWSServiceAccess for CloudTrail is likely, with since = its time', () => {
    const f = run((e) => {
      orgTrail(e);
      e.steps.s9.changes = [
        { eventId: 'o', eventName: 'DisableAWSServiceAccess', eventSource: 'organizations.amazonaws.com', eventTime: '2026-11-23T09:00:00Z', requestParameters: { servicePrincipal: 'cloudtrail.amazonaws.com' }, sources: ['event-history'] },
        { eventId: 'p', eventName: 'DisableAWSServiceAccess', eventSource: 'organizations.amazonaws.com', eventTime: '2026-11-23T10:00:00Z', requestParameters: { servicePrincipal: 'config.amazonaws.com' }, sources: ['event-history'] },
      ];
    }).findings[0]!;
    expect(f.since).toBe('2026-11-23T09:00:00Z');
    expect(f.data?.orgChanges).toEqual(['DisableAWSServiceAccess']);
  });

  it('the organization id unreadable is unverified', () => {
    const r = run((e) => {
      orgTrail(e);
      e.steps.s6.organizationId = denied('organizations:DescribeOrganization', 'denied');
    });
    expect(r.unverified).toEqual([expect.objectContaining({ step: 6, needs: 'organizations:DescribeOrganization' })]);
  });
});
