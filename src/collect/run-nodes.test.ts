import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { GetTrailCommand } from '@aws-sdk/client-cloudtrail';
import { awsError, fakeAws, healthyTrail, REGION, TRAIL_ARN } from '../../test/support/aws-fakes.js';
import { nodeActions, runNodes, targetContext } from './plan.js';

const fake = fakeAws();
afterAll(() => fake.restore());
beforeEach(() => fake.install());

const ctx = () => targetContext('main', REGION, fake.window, fake.now);

describe('runNodes: part of the collection plan, for gaps and validate', () => {
  it('runs only the nodes asked for and what they need', async () => {
    const out = await runNodes(fake.clients(), ctx(), ['bucketLocation']);
    expect(out.bucketLocation).toMatchObject({ bucket: 'acme-trail-logs', region: REGION, readable: true });
    expect([...new Set(fake.sent())].sort()).toEqual(['cloudtrail:DescribeTrails', 'cloudtrail:GetTrail', 's3:HeadBucket']);
  });

  it('a given output is not collected again', async () => {
    const { trail } = await runNodes(fake.clients(), ctx(), ['trail']);
    fake.install();
    const out = await runNodes(fake.clients(), ctx(), ['organization', 's2'], { trail });
    expect(out.organization).toMatchObject({ status: 'skipped' });
    expect(out.s2.selectors.status).toBe('ok');
    expect([...new Set(fake.sent())].sort()).toEqual(['cloudtrail:GetEventSelectors', 'cloudtrail:GetTrailStatus']);
  });

  it('an absent IncludeGlobalServiceEvents is true (CreateTrail’s default); false stays false', async () => {
    const { IncludeGlobalServiceEvents: _, ...withoutField } = healthyTrail();
    fake.ct.on(GetTrailCommand).resolves({ Trail: withoutField });
    expect((await runNodes(fake.clients(), ctx(), ['trail'])).trail.resolved?.config.includeGlobalServiceEvents).toBe(true);
    fake.ct.on(GetTrailCommand).resolves({ Trail: healthyTrail({ IncludeGlobalServiceEvents: false }) });
    expect((await runNodes(fake.clients(), ctx(), ['trail'])).trail.resolved?.config.includeGlobalServiceEvents).toBe(false);
  });

  it('a trail not readable by name is found through DescribeTrails by its ARN (shadow trails)', async () => {
    fake.ct.on(GetTrailCommand).callsFake(async (input: { Name: string }) => {
      if (input.Name !== TRAIL_ARN) throw awsError('TrailNotFoundException');
      return { Trail: healthyTrail() };
    });
    const { trail } = await runNodes(fake.clients(), ctx(), ['trail']);
    expect(trail.resolved?.arn).toBe(TRAIL_ARN);
  });

  it('the actions of some nodes include those of the nodes they need', () => {
    expect(nodeActions(['bucketLocation'])).toEqual(['cloudtrail:DescribeTrails', 'cloudtrail:GetTrail', 's3:GetBucketLocation', 's3:ListBucket']);
    expect(() => nodeActions(['nope' as never])).toThrow(/nope/);
  });
});
