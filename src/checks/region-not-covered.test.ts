import { describe, expect, it } from 'vitest';
import { check, regionNotCoveredFinding, type UncoveredRegionTrail } from './region-not-covered.js';
import { testCheck } from '../../test/support/check-tester.js';

const A = '111122223333';
const trail = (over: Partial<UncoveredRegionTrail>): UncoveredRegionTrail => ({
  name: 't',
  arn: `arn:aws:cloudtrail:us-east-1:${A}:trail/t`,
  homeRegion: 'us-east-1',
  isMultiRegionTrail: false,
  isOrganizationTrail: false,
  isLogging: true,
  recordsManagementEvents: true,
  ownerAccount: A,
  ...over,
});

// One trail's evidence never proves it, whatever that trail's state: only a scan can.
testCheck(check, {
  valid: [
    { name: 'a healthy multi-region trail' },
    { name: 'a single-region trail (other regions may be covered by other trails)', evidence: (e) => (e.steps.s1.trail.value!.isMultiRegionTrail = false) },
  ],
});

describe('region-not-covered: the finding a scan builds', () => {
  it('no trail at all: confirmed, and the fix creates a multi-region trail in that region', () => {
    const f = regionNotCoveredFinding({ accountId: A, region: 'eu-west-1', trails: [] });
    expect(f).toMatchObject({ id: 'region-not-covered', confidence: 'confirmed', summary: `No trail records management events of account ${A} in region eu-west-1.` });
    expect(f.evidence.join('\n')).toContain('lists no trail in any region');
    expect(f.remediation.commands[0]).toBe('aws cloudtrail create-trail --name management-events --s3-bucket-name BUCKET --is-multi-region-trail --include-global-service-events --region eu-west-1');
  });

  it('a single-region trail elsewhere: make it multi-region', () => {
    const t = trail({ whyNot: 'trail t is a single-region trail of us-east-1' });
    const f = regionNotCoveredFinding({ accountId: A, region: 'eu-west-1', trails: [t] });
    expect(f.evidence).toContain('scan: trail t is a single-region trail of us-east-1');
    expect(f.remediation.commands[0]).toBe(`aws cloudtrail update-trail --name ${t.arn} --region us-east-1 --is-multi-region-trail --include-global-service-events`);
  });

  it('a stopped multi-region trail: start logging rather than create another trail', () => {
    const t = trail({ isMultiRegionTrail: true, isLogging: false, whyNot: 'trail t is not logging' });
    const f = regionNotCoveredFinding({ accountId: A, region: 'eu-west-1', trails: [t] });
    expect(f.remediation.commands[0]).toBe(`aws cloudtrail start-logging --name ${t.arn} --region us-east-1`);
  });

  it('selectors that exclude management events: put a management selector back', () => {
    const t = trail({ isMultiRegionTrail: true, recordsManagementEvents: false });
    const f = regionNotCoveredFinding({ accountId: A, region: 'eu-west-1', trails: [t] });
    expect(f.remediation.commands[0]).toContain('put-event-selectors');
    expect(f.remediation.commands[0]).toContain('"Equals":["Management"]');
  });

  it('a single-region organization trail: make it multi-region from the management account', () => {
    const t = trail({ ownerAccount: '999988887777', arn: 'arn:aws:cloudtrail:us-east-1:999988887777:trail/org', isOrganizationTrail: true });
    const f = regionNotCoveredFinding({ accountId: A, region: 'eu-west-1', trails: [t] });
    expect(f.remediation.summary).toContain('management account 999988887777');
    expect(f.remediation.commands[0]).toBe('aws cloudtrail update-trail --name arn:aws:cloudtrail:us-east-1:999988887777:trail/org --region us-east-1 --is-multi-region-trail --include-global-service-events');
  });

  it('another account\'s stopped trail is no fix for this one: create a trail here', () => {
    const t = trail({ ownerAccount: '999988887777', isOrganizationTrail: true, isLogging: false });
    const f = regionNotCoveredFinding({ accountId: A, region: 'eu-west-1', trails: [t] });
    expect(f.remediation.commands[0]).toContain('create-trail');
  });
});
