import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { GetRoleCommand, ListAttachedRolePoliciesCommand, GetPolicyCommand, GetPolicyVersionCommand } from '@aws-sdk/client-iam';
import { GetTrailCommand, DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { GetBucketEncryptionCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { DescribeKeyCommand, GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import { GetQueryResultsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeOrganizationCommand } from '@aws-sdk/client-organizations';
import { awsError, fakeAws, healthyTrail, REGION, TRAIL_ARN } from '../../test/support/aws-fakes.js';
import { evidenceSchema } from '../evidence/schema.js';
import { collect, type CollectRequest } from './index.js';
import { COLLECTORS, planOrder, runPlan, type PlanResult } from './plan.js';
import { actionForCall, COLLECT_ACTIONS } from './permissions.js';
import { defineCollector, DEFAULT_LIMITS, type AnyCollector, type CollectContext } from './types.js';
import type { StepProgressEvent } from './progress.js';
import { send } from './chain.js';

const fake = fakeAws();
afterAll(() => fake.restore());
beforeEach(() => fake.install());

const request = (over: Partial<CollectRequest> = {}): CollectRequest => ({ trail: 'main', region: REGION, window: fake.window, now: fake.now, limits: { insightsPollMs: 1 }, ...over });
const ctx = (): CollectContext => ({ region: REGION, trailInput: 'main', window: fake.window, now: fake.now, limits: { ...DEFAULT_LIMITS, insightsPollMs: 1 } });
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Each audited call belongs to a collector that declared its IAM action. */
function expectDeclared(plan: PlanResult) {
  const byName = new Map(COLLECTORS.map((c) => [c.name, c]));
  const undeclared = plan.audit.filter((a) => !byName.get(a.node as never)?.apis.includes(actionForCall(a.call))).map((a) => `${a.node} sent ${a.call}`);
  expect(undeclared).toEqual([]);
  // Nothing bypasses the audit: every request the fakes saw was accounted for.
  expect(plan.audit.map((a) => a.call).sort()).toEqual(fake.sent().sort());
}

describe('collect() on a healthy account', () => {
  it('produces complete, schema-valid evidence with stats', async () => {
    let plan!: PlanResult;
    const e = await collect(fake.clients(), request({ onPlan: (p) => (plan = p) }));
    expect(() => evidenceSchema.parse(e)).not.toThrow();
    expect(e.tool.name).toBe('trail-doctor');
    expect(e.collectedAt).toBe('2026-11-24T04:00:00Z');
    expect(e.window).toEqual({ start: '2026-11-17T04:00:00Z', end: '2026-11-24T04:00:00Z' });
    expect(e.steps.s6.listing.value?.fileCount).toBe(7 * 24 * 12 - 0);
    expect(e.steps.s6.listing.value?.gaps).toEqual([]);
    expect(e.steps.s3.eventCounts.value?.capped).toBe(false);
    expect(e.steps.s4.kmsKey.status).toBe('skipped');
    expect(e.steps.s1.health).toMatchObject({ status: 'skipped', optional: true });
    expectDeclared(plan);
    // The figures the report quotes: total calls and the longest chain of calls that waited on each other. (39: GetBucketLogging found server access logging off.)
    expect(e.stats?.apiCalls).toBe(39);
    expect(e.stats?.longestChain).toBe(3);
    expect(Object.keys(e.stats?.stepDurationsMs ?? {})).toHaveLength(9);
  });

  it('emits started and finished progress for each of the nine steps', async () => {
    const events: StepProgressEvent[] = [];
    await collect(fake.clients(), request({ onProgress: (ev) => events.push(ev) }));
    for (let s = 1; s <= 9; s++) {
      expect(events.filter((e) => e.step === s).map((e) => e.state)).toEqual(['started', 'finished']);
    }
    expect(events.filter((e) => e.state === 'finished').every((e) => e.outcome === 'ok')).toBe(true);
    expect(events.find((e) => e.step === 6 && e.state === 'finished')?.note).toBe('2016 log files in 8 day prefixes');
    expect(events.find((e) => e.step === 9 && e.state === 'finished')?.note).toBe('0 configuration changes');
  });

  it('outcome: partial when something was denied, skipped when there was nothing to look at', async () => {
    const { DescribeLogGroupsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
    fake.logs.on(DescribeLogGroupsCommand).rejects(awsError('AccessDeniedException'));
    let events: StepProgressEvent[] = [];
    await collect(fake.clients(), request({ onProgress: (ev) => events.push(ev) }));
    const outcome = (step: number) => events.find((e) => e.step === step && e.state === 'finished')?.outcome;
    expect(outcome(7)).toBe('partial');
    expect(outcome(1)).toBe('ok'); // Health without a support plan is optional
    events = [];
    await collect(fake.clients(), request({ trail: 'nope', onProgress: (ev) => events.push(ev) }));
    expect([2, 3, 4, 5, 6, 7, 8, 9].map(outcome)).toEqual(Array(8).fill('skipped'));
  });

  it('a throwing progress listener does not break collection', async () => {
    const e = await collect(fake.clients(), request({ onProgress: () => { throw new Error('display broke'); } }));
    expect(e.steps.s1.trail.status).toBe('ok');
  });
});

describe('the schedule', () => {
  it('starts the bucket step without waiting for the role step', async () => {
    const log: string[] = [];
    fake.iam.on(GetRoleCommand).callsFake(async () => {
      await delay(150);
      log.push('GetRole answered');
      return { Role: { RoleName: 'r', Arn: 'arn:aws:iam::123456789012:role/r', Path: '/', RoleId: 'x', CreateDate: new Date(0), AssumeRolePolicyDocument: '{}' } };
    });
    const plan = await runPlan(fake.clients(), ctx(), { onNode: (e) => log.push(`${e.node} ${e.state}`) });
    expect(log.indexOf('s4 finished')).toBeLessThan(log.indexOf('GetRole answered'));
    expect(log.indexOf('s6 finished')).toBeLessThan(log.indexOf('GetRole answered'));
    expect(log.indexOf('bucketLocation started')).toBeLessThan(log.indexOf('s5 finished'));
    expectDeclared(plan);
  });

  it('runs independent calls of one step concurrently', async () => {
    let inFlight = 0;
    let peak = 0;
    const slow = (value: unknown) => async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await delay(30);
      inFlight--;
      return value;
    };
    fake.s3.on(GetBucketEncryptionCommand).callsFake(slow({ ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } }));
    fake.s3.on(HeadBucketCommand).resolves({ BucketRegion: REGION });
    const { GetBucketPolicyCommand, GetBucketRequestPaymentCommand } = await import('@aws-sdk/client-s3');
    fake.s3.on(GetBucketPolicyCommand).callsFake(slow({ Policy: '{}' }));
    fake.s3.on(GetBucketRequestPaymentCommand).callsFake(slow({ Payer: 'BucketOwner' }));
    const t0 = Date.now();
    await runPlan(fake.clients(), ctx());
    expect(peak).toBe(3);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('counts the chain honestly: a shadow trail adds the re-read, an attached policy adds GetPolicy → GetPolicyVersion', async () => {
    const base = await runPlan(fake.clients(), ctx());
    expect(base.longestChain).toBe(3);

    fake.iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [{ PolicyName: 'p', PolicyArn: 'arn:aws:iam::123456789012:policy/p' }], IsTruncated: false });
    fake.iam.on(GetPolicyCommand).resolves({ Policy: { DefaultVersionId: 'v2' } });
    fake.iam.on(GetPolicyVersionCommand).resolves({ PolicyVersion: { Document: '{"Statement":[]}' } });
    const attached = await runPlan(fake.clients(), ctx());
    expect(attached.longestChain).toBe(4);
    const deepest = attached.audit.filter((a) => a.depth === 4).map((a) => a.call);
    expect(deepest).toEqual(['iam:GetPolicyVersion']);

    fake.install();
    const shadow = await runPlan(fake.clients('us-east-1'), { ...ctx(), region: 'us-east-1' });
    expect(shadow.outputs.s1.isShadowTrail).toBe(true);
    expect(shadow.longestChain).toBe(4);
  });

  it('polling Logs Insights deepens the chain by one per poll', async () => {
    let polls = 0;
    const row = [
      { field: 'hour', value: '2026-11-24 03:00:00.000' },
      { field: 'eventCount', value: '42' },
    ];
    fake.logs.on(GetQueryResultsCommand).callsFake(() => (++polls < 3 ? { status: 'Running' } : { status: 'Complete', results: [row] }));
    const plan = await runPlan(fake.clients(), ctx());
    expect(polls).toBe(3);
    // GetTrail → StartQuery → GetQueryResults ×3
    expect(plan.longestChain).toBe(5);
    expect(plan.outputs.s3.eventCounts.value?.total).toBe(42);
  });
});

describe('declared calls', () => {
  const worlds: [string, () => void, string?][] = [
    ['healthy', () => {}],
    [
      'SSE-KMS bucket default key, organization trail, attached policy, moto-like Insights',
      () => {
        fake.ct.on(GetTrailCommand).resolves({ Trail: healthyTrail({ IsOrganizationTrail: true }) });
        fake.org.on(DescribeOrganizationCommand).resolves({ Organization: { Id: 'o-abcdefghij' } });
        fake.s3.on(GetBucketEncryptionCommand).resolves({ ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'arn:aws:kms:eu-west-1:123456789012:key/k-1' } }] } });
        fake.kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k-1', Arn: 'arn:aws:kms:eu-west-1:123456789012:key/k-1', KeyState: 'Enabled', Enabled: true } });
        fake.kms.on(GetKeyPolicyCommand).resolves({ Policy: '{}' });
        fake.iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [{ PolicyName: 'p', PolicyArn: 'arn:aws:iam::123456789012:policy/p' }] });
        fake.iam.on(GetPolicyCommand).resolves({ Policy: { DefaultVersionId: 'v1' } });
        fake.iam.on(GetPolicyVersionCommand).resolves({ PolicyVersion: { Document: '{}' } });
        fake.logs.on(GetQueryResultsCommand).resolves({ status: 'Complete', results: [[{ field: '@ptr', value: 'x' }]] });
      },
    ],
    [
      'trail key, shadow trail, bucket in another region, organization id from the bucket',
      () => {
        fake.ct.on(GetTrailCommand).callsFake((input: { Name: string }) => {
          if (input.Name === TRAIL_ARN) return { Trail: healthyTrail({ KmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/k-2', IsOrganizationTrail: true }) };
          throw awsError('TrailNotFoundException');
        });
        fake.ct.on(DescribeTrailsCommand).resolves({ trailList: [healthyTrail()] });
        fake.org.on(DescribeOrganizationCommand).rejects(awsError('AccessDeniedException', 400));
        fake.kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k-2', Arn: 'arn:aws:kms:eu-west-1:123456789012:key/k-2', KeyState: 'Enabled', Enabled: true } });
      },
      'us-east-1',
    ],
  ];
  it.each(worlds)('every call is declared by the collector that sent it (%s)', async (_name, setup, region) => {
    setup();
    const plan = await runPlan(fake.clients(region), { ...ctx(), region: region ?? REGION });
    expect(plan.audit.length).toBeGreaterThan(20);
    expectDeclared(plan);
  });

  it('COLLECT_ACTIONS covers every action of every collector', () => {
    for (const c of COLLECTORS) for (const a of c.apis) expect(COLLECT_ACTIONS).toContain(a);
  });

  it('an undeclared call is caught', async () => {
    const sneaky = defineCollector({
      name: 's8',
      step: 8,
      title: 'x',
      needs: [],
      apis: ['cloudwatch:GetMetricData'],
      async run(clients) {
        await send(clients.s3(), new HeadBucketCommand({ Bucket: 'b' }));
        return { metrics: { status: 'ok', value: [] } };
      },
    });
    const plan = await runPlan(fake.clients(), ctx(), { collectors: [sneaky] as unknown as AnyCollector[] });
    const bad = plan.audit.filter((a) => !sneaky.apis.includes(actionForCall(a.call)));
    expect(bad.map((a) => a.call)).toEqual(['s3:HeadBucket']);
  });
});

describe('the account\'s reality never crashes collection', () => {
  const everyProbe = (v: unknown, path = '', out: [string, Record<string, unknown>][] = []): [string, Record<string, unknown>][] => {
    if (!v || typeof v !== 'object') return out;
    const o = v as Record<string, unknown>;
    if (typeof o.status === 'string') out.push([path, o]);
    for (const [k, x] of Object.entries(o)) if (k !== 'value' || typeof o.status !== 'string') everyProbe(x, `${path}.${k}`, out);
    return out;
  };
  it.each([
    ['AccessDenied (403) everywhere', () => awsError('AccessDenied', 403)],
    ['throttled everywhere', () => awsError('ThrottlingException', 400)],
    ['HTTP 500 everywhere', () => awsError('InternalFailure', 500)],
    ['timeouts everywhere', () => Object.assign(new Error('socket timed out'), { name: 'TimeoutError' })],
  ])('%s: complete evidence; every denied or error probe names the permission', async (_n, err) => {
    for (const m of [fake.ct, fake.s3, fake.logs, fake.cw, fake.kms, fake.sts, fake.iam, fake.health, fake.org]) {
      m.reset();
      m.onAnyCommand().callsFake(() => Promise.reject(err()));
    }
    // Only the trail itself is readable, so every later step runs into the failures.
    fake.ct.on(GetTrailCommand).resolves({ Trail: healthyTrail({ KmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/k', IsOrganizationTrail: true }) });
    const e = await collect(fake.clients(), request());
    expect(() => evidenceSchema.parse(e)).not.toThrow();
    const bad = everyProbe(e.steps).filter(([, p]) => (p.status === 'denied' || p.status === 'error') && !p.needs);
    expect(bad.map(([path]) => path)).toEqual([]);
    expect(everyProbe(e.steps).filter(([, p]) => p.status === 'denied' || p.status === 'error').length).toBeGreaterThan(20);
  });
});

describe('plan validation and isolation', () => {
  const mk = (name: string, needs: string[]) => ({ name, step: 1, title: 't', needs, apis: [], run: async () => ({}) }) as unknown as AnyCollector;
  it('rejects cycles, unknown inputs and duplicates', () => {
    expect(() => planOrder([mk('s1', ['s2']), mk('s2', ['s1'])])).toThrow(/cycle s1 → s2 → s1/);
    expect(() => planOrder([mk('s1', ['nope'])])).toThrow(/unknown input nope/);
    expect(() => planOrder([mk('s1', []), mk('s1', [])])).toThrow(/duplicate/);
    const later = { ...mk('s2', []), later: ['s1'] } as unknown as AnyCollector;
    expect(() => planOrder([mk('s1', ['s2']), later])).toThrow(/cycle s1 → s2 → s1/);
    expect(planOrder(COLLECTORS).indexOf('trail')).toBeLessThan(planOrder(COLLECTORS).indexOf('s9'));
  });

  it('a collector that throws becomes error probes; the other steps carry on', async () => {
    const broken = COLLECTORS.map((c) => (c.name === 's7' ? ({ ...c, run: async () => { throw new Error('boom'); } } as AnyCollector) : c));
    const plan = await runPlan(fake.clients(), ctx(), { collectors: broken });
    expect(plan.outputs.s7.logGroup).toMatchObject({ status: 'error', errorCode: 'InternalError', needs: 'logs:DescribeLogGroups' });
    expect(plan.outputs.s7.logGroup.reason).toContain('boom');
    expect(plan.outputs.s4.policy.status).toBe('ok');
  });

  it('trail not found: every later step is skipped with the reason', async () => {
    const e = await collect(fake.clients(), request({ trail: 'nope' }));
    expect(e.steps.s1.trail).toMatchObject({ status: 'absent', errorCode: 'TrailNotFoundException' });
    expect(e.steps.s1.trailsInRegion.value?.map((t) => t.name)).toEqual(['main']);
    for (const p of [e.steps.s2.status, e.steps.s3.streams, e.steps.s4.policy, e.steps.s5.role, e.steps.s6.listing, e.steps.s7.logGroup, e.steps.s8.metrics, e.steps.s9.fromEventHistory]) {
      expect(p).toMatchObject({ status: 'skipped', reason: 'trail not found' });
    }
    expect(() => evidenceSchema.parse(e)).not.toThrow();
  });
});
