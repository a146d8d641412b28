import { describe, expect, it } from 'vitest';
import { check } from './event-selectors-exclude-events.js';
import { healthyEvidence, TRAIL_ARN } from '../evidence/builder.js';
import { denied, ok } from '../evidence/probe.js';
import type { EventSelectors, Evidence } from '../evidence/schema.js';
import { contextOf } from './util.js';

const run = (sel: EventSelectors | undefined, mut?: (e: Evidence) => void) => {
  const e = healthyEvidence();
  if (sel) e.steps.s2.selectors = ok(sel);
  mut?.(e);
  return check.run(contextOf(e));
};
const mgmt = (extra: object[] = []) => ({ fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }, ...(extra as never[])] });

describe('event-selectors-exclude-events', () => {
  it('finds nothing on the healthy fixture', () => {
    expect(run(undefined)).toEqual({ findings: [], unverified: [] });
  });

  it('advanced: read in one selector and write in another is full coverage (no finding)', () => {
    const r = run({ advancedEventSelectors: [mgmt([{ field: 'readOnly', equals: ['true'] }]), mgmt([{ field: 'readOnly', equals: ['false'] }])] });
    expect(r.findings).toEqual([]);
  });

  it('no management and no data events: confirmed, the trail delivers nothing', () => {
    const f = run({ eventSelectors: [{ readWriteType: 'All', includeManagementEvents: false, dataResources: [] }] }).findings[0]!;
    expect(f).toMatchObject({ id: 'event-selectors-exclude-events', confidence: 'confirmed' });
    expect(f.data?.selectsNothing).toBe(true);
    expect(f.data?.notSelected).toEqual(['management events', 'data events (none configured)']);
  });

  it('WriteOnly: possible, data says read-only management events are not selected', () => {
    const f = run({ eventSelectors: [{ readWriteType: 'WriteOnly', includeManagementEvents: true }] }).findings[0]!;
    expect(f.confidence).toBe('possible');
    expect(f.data?.notSelected).toContain('read-only management events');
    expect(f.remediation.commands[1]).toBe(
      `aws cloudtrail put-event-selectors --trail-name ${TRAIL_ARN} --region eu-west-1 --event-selectors '[{"ReadWriteType":"All","IncludeManagementEvents":true}]'`,
    );
  });

  it('excluded kms/rdsdata sources: possible, naming them', () => {
    const f = run({ eventSelectors: [{ readWriteType: 'All', excludeManagementEventSources: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] }] }).findings[0]!;
    expect(f.confidence).toBe('possible');
    expect(f.data?.notSelected).toEqual(expect.arrayContaining(['management events from kms.amazonaws.com', 'management events from rdsdata.amazonaws.com']));
    expect(f.summary).toContain('kms.amazonaws.com');
  });

  it('advanced selector limited by eventName: possible, with an advanced-selector fix', () => {
    const f = run({ advancedEventSelectors: [mgmt([{ field: 'eventName', equals: ['ConsoleLogin'] }])] }).findings[0]!;
    expect(f.confidence).toBe('possible');
    expect(f.data?.form).toBe('advanced');
    expect(f.remediation.commands[1]).toContain('--advanced-event-selectors');
  });

  it('management off but data events on: possible (data still delivered)', () => {
    const f = run({ eventSelectors: [{ includeManagementEvents: false, dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3'] }] }] }).findings[0]!;
    expect(f.confidence).toBe('possible');
    expect(f.evidence.join('\n')).toContain('data events selected: AWS::S3::Object');
  });

  it('GetEventSelectors denied is unverified', () => {
    const r = run(undefined, (e) => (e.steps.s2.selectors = denied('cloudtrail:GetEventSelectors', 'denied')));
    expect(r.findings).toEqual([]);
    expect(r.unverified).toEqual([expect.objectContaining({ step: 2, needs: 'cloudtrail:GetEventSelectors' })]);
  });

  it('cites the PutEventSelectors change', () => {
    const f = run({ eventSelectors: [{ readWriteType: 'ReadOnly' }] }, (e) => {
      e.steps.s9.changes = [{ eventId: 'p', eventName: 'PutEventSelectors', eventSource: 'cloudtrail.amazonaws.com', eventTime: '2026-11-22T08:00:00Z', actor: 'arn:aws:iam::123456789012:user/eve', resources: ['main'], sources: ['log-group'] }];
    }).findings[0]!;
    expect(f.evidence).toContain('step 9: PutEventSelectors by arn:aws:iam::123456789012:user/eve at 2026-11-22T08:00:00Z');
  });
});
