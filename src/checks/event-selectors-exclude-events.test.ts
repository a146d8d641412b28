import { expect } from 'vitest';
import { check } from './event-selectors-exclude-events.js';
import { TRAIL_ARN } from '../evidence/builder.js';
import { denied, ok } from '../evidence/probe.js';
import type { EventSelectors, Evidence } from '../evidence/schema.js';
import { testCheck } from '../../test/support/check-tester.js';

const selectors = (sel: EventSelectors, mut?: (e: Evidence) => void) => (e: Evidence) => {
  e.steps.s2.selectors = ok(sel);
  mut?.(e);
};
const mgmt = (extra: object[] = []) => ({ fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }, ...(extra as never[])] });

testCheck(check, {
  valid: [
    {
      name: 'advanced: read in one selector and write in another is full coverage (no finding)',
      evidence: selectors({ advancedEventSelectors: [mgmt([{ field: 'readOnly', equals: ['true'] }]), mgmt([{ field: 'readOnly', equals: ['false'] }])] }),
    },
  ],
  invalid: [
    {
      name: 'no management and no data events: confirmed, the trail delivers nothing',
      evidence: selectors({ eventSelectors: [{ readWriteType: 'All', includeManagementEvents: false, dataResources: [] }] }),
      findings: [{ confidence: 'confirmed', match: { data: { selectsNothing: true, notSelected: ['management events', 'data events (none configured)'] } } }],
      assert: ({ findings: [f] }) => expect(f!.data?.notSelected).toEqual(['management events', 'data events (none configured)']),
    },
    {
      name: 'WriteOnly: possible, data says read-only management events are not selected',
      evidence: selectors({ eventSelectors: [{ readWriteType: 'WriteOnly', includeManagementEvents: true }] }),
      findings: [{ confidence: 'possible' }],
      assert: ({ findings: [f] }) => {
        expect(f!.data?.notSelected).toContain('read-only management events');
        expect(f!.remediation.commands[1]).toBe(
          `aws cloudtrail put-event-selectors --trail-name ${TRAIL_ARN} --region eu-west-1 --event-selectors '[{"ReadWriteType":"All","IncludeManagementEvents":true}]'`,
        );
      },
    },
    {
      name: 'excluded kms/rdsdata sources: possible, naming them',
      evidence: selectors({ eventSelectors: [{ readWriteType: 'All', excludeManagementEventSources: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] }] }),
      findings: [{ confidence: 'possible', summary: /kms\.amazonaws\.com/ }],
      assert: ({ findings: [f] }) => expect(f!.data?.notSelected).toEqual(expect.arrayContaining(['management events from kms.amazonaws.com', 'management events from rdsdata.amazonaws.com'])),
    },
    {
      name: 'advanced selector limited by eventName: possible, with an advanced-selector fix',
      evidence: selectors({ advancedEventSelectors: [mgmt([{ field: 'eventName', equals: ['ConsoleLogin'] }])] }),
      findings: [{ confidence: 'possible', match: { data: { form: 'advanced' } } }],
      assert: ({ findings: [f] }) => expect(f!.remediation.commands[1]).toContain('--advanced-event-selectors'),
    },
    {
      name: 'management off but data events on: possible (data still delivered)',
      evidence: selectors({ eventSelectors: [{ includeManagementEvents: false, dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3'] }] }] }),
      findings: [{ confidence: 'possible', evidence: [/data events selected: AWS::S3::Object/] }],
    },
    {
      name: 'cites the PutEventSelectors change',
      evidence: selectors({ eventSelectors: [{ readWriteType: 'ReadOnly' }] }, (e) => {
        e.steps.s9.changes = [{ eventId: 'p', eventName: 'PutEventSelectors', eventSource: 'cloudtrail.amazonaws.com', eventTime: '2026-11-22T08:00:00Z', actor: 'arn:aws:iam::123456789012:user/eve', resources: ['main'], sources: ['log-group'] }];
      }),
      findings: [{ confidence: 'possible', evidence: ['step 9: PutEventSelectors by arn:aws:iam::123456789012:user/eve at 2026-11-22T08:00:00Z'] }],
    },
  ],
  unverified: [
    { name: 'GetEventSelectors denied is unverified', evidence: (e) => (e.steps.s2.selectors = denied('cloudtrail:GetEventSelectors', 'denied')), unverified: [{ step: 2, needs: 'cloudtrail:GetEventSelectors' }] },
  ],
});
