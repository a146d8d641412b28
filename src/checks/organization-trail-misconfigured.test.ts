import { expect } from 'vitest';
import { check } from './organization-trail-misconfigured.js';
import { denied, ok } from '../evidence/probe.js';
import type { Evidence } from '../evidence/schema.js';
import { testCheck } from '../../test/support/check-tester.js';

const MEMBER = '222233334444';
const orgTrail = (e: Evidence) => {
  e.steps.s1.trail.value!.isOrganizationTrail = true;
  e.steps.s6.organizationId = ok('o-abc123def4');
};
const seenFromMember = (e: Evidence) => {
  orgTrail(e);
  e.steps.s1.caller.value!.accountId = MEMBER;
};

testCheck(check, {
  valid: [
    { name: 'a delivering organization trail', evidence: orgTrail },
    { name: 'a delivering organization trail seen from a member account', evidence: seenFromMember },
  ],
  invalid: [
    {
      name: 'member account: the trail delivers but nothing arrives under AWSLogs/<o-id>/<member>/',
      evidence: (e) => {
        seenFromMember(e);
        const l = e.steps.s6.listing.value!;
        delete l.newest;
        l.fileCount = 0;
      },
      findings: [{ confidence: 'likely', evidence: [new RegExp(`no log file under AWSLogs/o-abc123def4/${MEMBER}/ in the whole window`)] }],
      assert: ({ findings: [f] }) => {
        expect(f!.remediation.commands).toContain(`aws organizations describe-account --account-id ${MEMBER}`);
      },
    },
    {
      name: 'DisableAWSServiceAccess for CloudTrail is likely, with since = its time',
      evidence: (e) => {
        orgTrail(e);
        e.steps.s9.changes = [
          { eventId: 'o', eventName: 'DisableAWSServiceAccess', eventSource: 'organizations.amazonaws.com', eventTime: '2026-11-23T09:00:00Z', requestParameters: { servicePrincipal: 'cloudtrail.amazonaws.com' }, sources: ['event-history'] },
          { eventId: 'p', eventName: 'DisableAWSServiceAccess', eventSource: 'organizations.amazonaws.com', eventTime: '2026-11-23T10:00:00Z', requestParameters: { servicePrincipal: 'config.amazonaws.com' }, sources: ['event-history'] },
        ];
      },
      findings: [{ confidence: 'likely', since: '2026-11-23T09:00:00Z', match: { data: { orgChanges: ['DisableAWSServiceAccess'] } } }],
      assert: ({ findings: [f] }) => expect(f!.data?.orgChanges).toEqual(['DisableAWSServiceAccess']),
    },
  ],
  unverified: [
    {
      name: 'the organization id unreadable is unverified',
      evidence: (e) => {
        orgTrail(e);
        e.steps.s6.organizationId = denied('organizations:DescribeOrganization', 'denied');
      },
      unverified: [{ step: 6, needs: 'organizations:DescribeOrganization' }],
    },
  ],
});
