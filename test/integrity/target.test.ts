import { afterEach, describe, expect, it } from 'vitest';
import { healthyEvidence } from '../../src/evidence/builder.js';
import { collectIntegrity } from '../../src/integrity/collect.js';
import { validateTrail } from '../../src/integrity/validate.js';
import { buildChain, makeKey, type Store } from './fixtures.js';
import { fakeAws, trailOf, type FakeAws } from './fake-aws.js';

const ACCOUNT = '111122223333';
const ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/test-trail`;

let fake: FakeAws | undefined;
afterEach(() => {
  fake?.restore();
  fake = undefined;
});

function account() {
  const key = makeKey();
  const store: Store = new Map();
  buildChain(store, { bucket: 'ct-bucket', prefix: 'pfx', account: ACCOUNT, region: 'us-east-1', trail: 'test-trail', firstStart: new Date('2026-01-10T00:01:31Z'), digests: 3, logsPerDigest: 2, key });
  fake = fakeAws({ store, trails: [trailOf({ account: ACCOUNT, region: 'us-east-1', name: 'test-trail', bucket: 'ct-bucket', prefix: 'pfx' })], keys: [key] });
  return fake;
}

const sent = (f: FakeAws) => [...new Set(f.sent())].sort();

describe('validate finds its trail and bucket through the collection plan', () => {
  it('by name: the plan’s trail and bucket reads, then digests, logs and keys', async () => {
    const f = account();
    const r = await validateTrail(f.clients, { trail: 'test-trail', region: 'us-east-1', start: new Date('2026-01-10T00:00:00Z'), end: new Date('2026-01-10T06:00:00Z'), now: new Date('2026-01-10T06:30:00Z') });
    expect(r.status).toBe('ok');
    expect(r.trailArn).toBe(ARN);
    expect(r.summary.digests.valid).toBe(3);
    expect(sent(f)).toEqual(expect.arrayContaining(['cloudtrail:GetTrail', 'cloudtrail:DescribeTrails', 's3:HeadBucket', 'cloudtrail:ListPublicKeys']));
  });

  it('inside a diagnosis, the trail, bucket and organization reads the evidence holds are not sent again', async () => {
    const f = account();
    const e = structuredClone(healthyEvidence({ now: new Date('2026-01-10T06:30:00Z') }));
    e.target.region = 'us-east-1';
    e.window = { start: '2026-01-10T00:00:00Z', end: '2026-01-10T06:00:00Z' };
    e.steps.s1.trail = { status: 'ok', value: { ...e.steps.s1.trail.value!, name: 'test-trail', arn: ARN, homeRegion: 'us-east-1', s3BucketName: 'ct-bucket', s3KeyPrefix: 'pfx', logFileValidationEnabled: true, isMultiRegionTrail: false, isOrganizationTrail: false } };
    const integ = await collectIntegrity(f.clients, e);
    expect(integ).toMatchObject({ status: 'ok', summary: { digests: { valid: 3 } } });
    const calls = sent(f);
    expect(calls).toEqual(expect.arrayContaining(['cloudtrail:ListPublicKeys', 's3:ListObjectsV2']));
    for (const again of ['cloudtrail:GetTrail', 'cloudtrail:DescribeTrails', 's3:HeadBucket', 's3:GetBucketLocation', 'organizations:DescribeOrganization', 'sts:GetCallerIdentity']) expect(calls).not.toContain(again);
  });
});
