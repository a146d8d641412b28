import { describe, expect, it } from 'vitest';
import { coverageOf, recordsManagementEvents, whyNot, type CoverageTrail } from './coverage.js';

const A = '111122223333';
const MGMT = '999988887777';
const REGIONS = ['eu-west-1', 'us-east-1'];

const trail = (over: Partial<CoverageTrail> = {}): CoverageTrail => ({
  arn: `arn:aws:cloudtrail:us-east-1:${A}:trail/t`,
  name: 't',
  ownerAccount: A,
  homeRegion: 'us-east-1',
  isMultiRegionTrail: true,
  isOrganizationTrail: false,
  isLogging: true,
  recordsManagementEvents: true,
  ...over,
});
const statuses = (trails: CoverageTrail[], unlisted?: Map<string, string>) =>
  coverageOf({ accountId: A, regions: REGIONS, trails, unlisted }).map((r) => [r.region, r.status]);

describe('coverage', () => {
  it('a logging multi-region trail covers every enabled region of its account', () => {
    const r = coverageOf({ accountId: A, regions: ['us-east-1', 'eu-west-1'], trails: [trail()] });
    expect(r).toEqual([
      { region: 'eu-west-1', coveredBy: [trail().arn], status: 'covered' },
      { region: 'us-east-1', coveredBy: [trail().arn], status: 'covered' },
    ]);
  });

  it('a single-region trail covers its home region only', () => {
    expect(statuses([trail({ isMultiRegionTrail: false })])).toEqual([['eu-west-1', 'not-covered'], ['us-east-1', 'covered']]);
  });

  it('a trail that is not logging covers nothing', () => {
    expect(statuses([trail({ isLogging: false })])).toEqual([['eu-west-1', 'not-covered'], ['us-east-1', 'not-covered']]);
    expect(whyNot(trail({ isLogging: false }), A, 'eu-west-1')).toBe('trail t is not logging');
  });

  it('a trail whose selectors exclude management events covers nothing', () => {
    expect(statuses([trail({ recordsManagementEvents: false })])).toEqual([['eu-west-1', 'not-covered'], ['us-east-1', 'not-covered']]);
  });

  it('an organization trail covers member accounts in the regions it records, multi-region or not', () => {
    const org = trail({ ownerAccount: MGMT, arn: `arn:aws:cloudtrail:us-east-1:${MGMT}:trail/org`, isOrganizationTrail: true, isMultiRegionTrail: false });
    expect(statuses([org])).toEqual([['eu-west-1', 'not-covered'], ['us-east-1', 'covered']]);
    expect(statuses([{ ...org, isMultiRegionTrail: true }])).toEqual([['eu-west-1', 'covered'], ['us-east-1', 'covered']]);
  });

  it("another account's trail that is not an organization trail never covers this account", () => {
    expect(statuses([trail({ ownerAccount: MGMT })])).toEqual([['eu-west-1', 'not-covered'], ['us-east-1', 'not-covered']]);
  });

  it('an unreadable status or selector makes coverage unknown, not uncovered', () => {
    const r = coverageOf({ accountId: A, regions: ['eu-west-1'], trails: [trail({ isLogging: undefined, unknownReason: 'AccessDenied: needs cloudtrail:GetTrailStatus' })] });
    expect(r[0]).toMatchObject({ status: 'unknown', coveredBy: [] });
    expect(r[0]!.reason).toContain('needs cloudtrail:GetTrailStatus');
  });

  it('a definite cover wins over an undecided one', () => {
    const unknown = trail({ arn: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/u', name: 'u', recordsManagementEvents: undefined });
    expect(statuses([unknown, trail()])).toEqual([['eu-west-1', 'covered'], ['us-east-1', 'covered']]);
  });

  it('a region whose trails could not be listed is unknown when nothing else covers it', () => {
    expect(statuses([], new Map([['eu-west-1', 'AccessDenied: needs cloudtrail:DescribeTrails']]))).toEqual([['eu-west-1', 'unknown'], ['us-east-1', 'not-covered']]);
  });

  it('only the enabled regions passed in are judged (an opt-in region left off is not uncovered)', () => {
    expect(coverageOf({ accountId: A, regions: ['us-east-1'], trails: [] }).map((r) => r.region)).toEqual(['us-east-1']);
  });
});

describe('recordsManagementEvents (the selector logic diagnose uses)', () => {
  const ok = (value: object) => ({ status: 'ok' as const, value });
  it('no selectors is AWS default: all management events', () => {
    expect(recordsManagementEvents(ok({}))).toBe(true);
  });
  it('basic selector with IncludeManagementEvents false records none', () => {
    expect(recordsManagementEvents(ok({ eventSelectors: [{ readWriteType: 'All', includeManagementEvents: false, dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3'] }] }] }))).toBe(false);
  });
  it('write-only management events still count', () => {
    expect(recordsManagementEvents(ok({ eventSelectors: [{ readWriteType: 'WriteOnly', includeManagementEvents: true }] }))).toBe(true);
  });
  it('advanced selectors for data events only record no management events', () => {
    const sel = { advancedEventSelectors: [{ name: 'data', fieldSelectors: [{ field: 'eventCategory', equals: ['Data'] }, { field: 'resources.type', equals: ['AWS::S3::Object'] }] }] };
    expect(recordsManagementEvents(ok(sel))).toBe(false);
  });
  it('advanced selectors split read and write across two selectors are full coverage', () => {
    const sel = {
      advancedEventSelectors: [
        { fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }, { field: 'readOnly', equals: ['true'] }] },
        { fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }, { field: 'readOnly', equals: ['false'] }] },
      ],
    };
    expect(recordsManagementEvents(ok(sel))).toBe(true);
  });
  it('unreadable selectors: unknown', () => {
    expect(recordsManagementEvents({ status: 'denied', needs: 'cloudtrail:GetEventSelectors' })).toBeUndefined();
  });
});
