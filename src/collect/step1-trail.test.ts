import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { DescribeTrailsCommand, GetTrailCommand, GetTrailStatusCommand, GetEventSelectorsCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeEventsCommand } from '@aws-sdk/client-health';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { awsError, fakeAws, healthyTrail, regionOf, runFakePlan, REGION, TRAIL_ARN } from '../../test/support/aws-fakes.js';
import { trailConfigOf } from './step1-trail.js';

const fake = fakeAws();
afterAll(() => fake.restore());
beforeEach(() => fake.install());

describe('step 1: the trail exists', () => {
  it('reads the trail by name in the region, with caller identity and the trail list', async () => {
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s1.trail.status).toBe('ok');
    expect(outputs.s1.trail.value).toMatchObject({ name: 'main', arn: TRAIL_ARN, homeRegion: REGION, isMultiRegionTrail: true, logFileValidationEnabled: true });
    expect(outputs.s1.isShadowTrail).toBe(false);
    expect(outputs.s1.caller.value).toEqual({ accountId: '123456789012', arn: 'arn:aws:iam::123456789012:user/oncall', partition: 'aws' });
    expect(outputs.s1.trailsInRegion.value).toEqual([{ name: 'main', arn: TRAIL_ARN, homeRegion: REGION }]);
    expect(fake.ct.commandCalls(DescribeTrailsCommand)[0]!.args[0].input).toEqual({ includeShadowTrails: true });
  });

  it('shadow trail: not found by name in this region → found by DescribeTrails → re-read by ARN in its home region', async () => {
    const regions: string[] = [];
    fake.ct.on(GetTrailCommand).callsFake(async (input: { Name: string }, getClient) => {
      const r = await regionOf(getClient as never);
      regions.push(`${input.Name}@${r}`);
      if (input.Name === TRAIL_ARN && r === REGION) return { Trail: healthyTrail() };
      throw awsError('TrailNotFoundException');
    });
    const { outputs } = await runFakePlan(fake, { region: 'ap-south-1' });
    expect(regions).toEqual(['main@ap-south-1', `${TRAIL_ARN}@${REGION}`]);
    expect(outputs.s1.isShadowTrail).toBe(true);
    expect(outputs.s1.trail.value?.homeRegion).toBe(REGION);
    // GetTrailStatus answers for one region only: it is asked by ARN in the home region.
    const status = fake.ct.commandCalls(GetTrailStatusCommand)[0]!;
    expect(status.args[0].input).toEqual({ Name: TRAIL_ARN });
    expect(fake.ct.commandCalls(GetEventSelectorsCommand)[0]!.args[0].input).toEqual({ TrailName: TRAIL_ARN });
  });

  it('HomeRegion missing (moto): derived from the ARN', () => {
    const c = trailConfigOf({ ...healthyTrail(), HomeRegion: undefined, TrailARN: 'arn:aws:cloudtrail:sa-east-1:123456789012:trail/x', Name: 'x' });
    expect(c?.homeRegion).toBe('sa-east-1');
    expect(c).not.toHaveProperty('kmsKeyId');
    expect(c).not.toHaveProperty('s3KeyPrefix');
  });

  it('organization trail seen from a member account: listed under its ARN, read by ARN', async () => {
    const orgArn = 'arn:aws:cloudtrail:eu-west-1:999988887777:trail/org-trail';
    const orgTrail = healthyTrail({ Name: 'org-trail', TrailARN: orgArn, IsOrganizationTrail: true, CloudWatchLogsLogGroupArn: undefined, CloudWatchLogsRoleArn: undefined });
    fake.ct.on(GetTrailCommand).callsFake((input: { Name: string }) => {
      if (input.Name === orgArn) return { Trail: orgTrail };
      throw awsError('TrailNotFoundException');
    });
    fake.ct.on(DescribeTrailsCommand).resolves({ trailList: [orgTrail] });
    const { outputs } = await runFakePlan(fake, { trail: orgArn });
    expect(outputs.s1.trail.value).toMatchObject({ arn: orgArn, isOrganizationTrail: true });
    expect(outputs.trail.resolved?.ownerAccount).toBe('999988887777');
  });

  it('names from the account stay inert (escape sequences removed)', async () => {
    fake.ct.on(DescribeTrailsCommand).resolves({ trailList: [healthyTrail(), healthyTrail({ Name: 'evil\u001b[2J\u001b]0;pwned\u0007name', TrailARN: 'arn:aws:cloudtrail:eu-west-1:123456789012:trail/evil' })] });
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s1.trailsInRegion.value?.[1]?.name).toBe('evilname');
  });

  it('not found anywhere: absent, with the trails that do exist for "did you mean"', async () => {
    const { outputs } = await runFakePlan(fake, { trail: 'mian' });
    expect(outputs.s1.trail).toMatchObject({ status: 'absent', errorCode: 'TrailNotFoundException' });
    expect(outputs.s1.trailsInRegion.value?.[0]?.name).toBe('main');
    expect(outputs.trail.skipReason).toBe('trail not found');
  });

  it('GetTrail denied but DescribeTrails allowed: the trail is still read', async () => {
    fake.ct.on(GetTrailCommand).rejects(awsError('AccessDeniedException', 400));
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s1.trail.status).toBe('ok');
    expect(outputs.s2.status.status).toBe('ok');
  });

  it('GetTrail and DescribeTrails denied: denied with the permission, later steps skipped', async () => {
    fake.ct.on(GetTrailCommand).rejects(awsError('AccessDeniedException', 400));
    fake.ct.on(DescribeTrailsCommand).rejects(awsError('AccessDeniedException', 400));
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s1.trail).toMatchObject({ status: 'denied', needs: 'cloudtrail:GetTrail', errorCode: 'AccessDeniedException' });
    expect(outputs.s1.trailsInRegion).toMatchObject({ status: 'denied', needs: 'cloudtrail:DescribeTrails' });
    expect(outputs.s2.status.status).toBe('skipped');
    expect(outputs.s2.status.reason).toMatch(/trail could not be read/);
  });

  it('not found by name and DescribeTrails denied: absent, saying shadow trails could not be searched', async () => {
    fake.ct.on(GetTrailCommand).rejects(awsError('TrailNotFoundException'));
    fake.ct.on(DescribeTrailsCommand).rejects(awsError('AccessDeniedException'));
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s1.trail.status).toBe('absent');
    expect(outputs.s1.trail.reason).toMatch(/could not be searched.*cloudtrail:DescribeTrails/);
  });

  it('throttled GetTrail after retries: error with needs', async () => {
    fake.ct.on(GetTrailCommand).rejects(awsError('ThrottlingException', 400));
    fake.ct.on(DescribeTrailsCommand).rejects(awsError('ThrottlingException', 400));
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s1.trail).toMatchObject({ status: 'error', needs: expect.stringMatching(/^a retry when the API is less busy/) });
    expect(outputs.s1.trail.reason).toMatch(/throttled/);
  });

  it('STS denied: caller denied, the trail still read', async () => {
    fake.sts.on(GetCallerIdentityCommand).rejects(awsError('AccessDenied', 403));
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s1.caller).toMatchObject({ status: 'denied', needs: 'sts:GetCallerIdentity' });
    expect(outputs.s6.listing.status).toBe('ok');
  });
});

describe('step 1: AWS Health', () => {
  it('asks for open and upcoming CloudTrail events in the region', async () => {
    fake.health.on(DescribeEventsCommand).resolves({
      events: [{ arn: 'arn:aws:health:eu-west-1::event/CLOUDTRAIL/x', eventTypeCode: 'AWS_CLOUDTRAIL_OPERATIONAL_ISSUE', statusCode: 'open', region: REGION, startTime: new Date('2026-11-24T01:00:00Z') }],
    });
    const { outputs } = await runFakePlan(fake);
    expect(fake.health.commandCalls(DescribeEventsCommand)[0]!.args[0].input.filter).toEqual({ services: ['CLOUDTRAIL'], regions: [REGION], eventStatusCodes: ['open', 'upcoming'] });
    expect(outputs.s1.health).toEqual({
      status: 'ok',
      optional: true,
      value: [{ arn: 'arn:aws:health:eu-west-1::event/CLOUDTRAIL/x', eventTypeCode: 'AWS_CLOUDTRAIL_OPERATIONAL_ISSUE', statusCode: 'open', region: REGION, startTime: '2026-11-24T01:00:00Z' }],
    });
  });

  it('no support plan: skipped and optional, not an error', async () => {
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s1.health).toMatchObject({ status: 'skipped', optional: true, errorCode: 'SubscriptionRequiredException' });
    expect(outputs.s1.health.reason).toMatch(/Business/);
  });

  it('HTTP 500 (moto has no Health): error, optional', async () => {
    fake.health.on(DescribeEventsCommand).rejects(awsError('InternalFailure', 500));
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s1.health).toMatchObject({ status: 'error', optional: true, needs: expect.stringMatching(/^a retry later \(AWS answered HTTP 500/) });
    expect(outputs.s1.health.reason).toMatch(/^server error: HTTP 500 \(InternalFailure/);
  });
});
