import { afterEach, describe, expect, it } from 'vitest';
import { healthyEvidence } from '../evidence/builder.js';
import { buildChain, makeKey, type Store } from '../../test/integrity/fixtures.js';
import { fakeAws, trailOf, type FakeAws } from '../../test/integrity/fake-aws.js';
import { collectIntegrity } from './collect.js';
import { MAX_EVIDENCE_PROBLEMS } from './model.js';
import { integrityEvidenceSchema } from '../evidence/integrity-schema.js';
import { check } from '../checks/log-integrity-validation-failed.js';

const ACCOUNT = '111122223333';
const ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/test-trail`;

let fake: FakeAws | undefined;
afterEach(() => {
  fake?.restore();
  fake = undefined;
});

function evidence(validation = true) {
  const e = structuredClone(healthyEvidence({ now: new Date('2026-01-10T06:30:00Z') }));
  e.target.region = 'us-east-1';
  e.window = { start: '2026-01-10T00:00:00Z', end: '2026-01-10T06:00:00Z' };
  e.steps.s1.trail = { status: 'ok', value: { ...e.steps.s1.trail.value!, name: 'test-trail', arn: ARN, homeRegion: 'us-east-1', s3BucketName: 'ct-bucket', s3KeyPrefix: 'pfx', logFileValidationEnabled: validation, isMultiRegionTrail: false, isOrganizationTrail: false } };
  return e;
}

describe('collectIntegrity', () => {
  it('validates over the evidence window; bounded problems; the check names the files', async () => {
    const key = makeKey();
    const store: Store = new Map();
    const chain = buildChain(store, { bucket: 'ct-bucket', prefix: 'pfx', account: ACCOUNT, region: 'us-east-1', trail: 'test-trail', firstStart: new Date('2026-01-10T00:01:31Z'), digests: 4, logsPerDigest: 20, key });
    for (const l of chain.logs.slice(0, 60)) store.delete(`ct-bucket/${l.key}`);
    fake = fakeAws({ store, trails: [trailOf({ account: ACCOUNT, region: 'us-east-1', name: 'test-trail', bucket: 'ct-bucket', prefix: 'pfx' })], keys: [key] });
    const e = evidence();
    const integ = await collectIntegrity(fake.clients, e);
    expect(integrityEvidenceSchema.parse(integ)).toEqual(integ);
    expect(integ!.status).toBe('ok');
    expect(integ!.summary!.logs).toMatchObject({ valid: 20, missing: 60 });
    expect(integ!.problems).toHaveLength(MAX_EVIDENCE_PROBLEMS);
    expect(integ!.problemsTruncated).toBe(true);
    e.integrity = integ;
    const r = check.run({ evidence: e, now: new Date(e.collectedAt) });
    expect(r.findings[0]).toMatchObject({ id: 'log-integrity-validation-failed', confidence: 'confirmed' });
    expect(r.findings[0]!.summary).toContain('60 log files deleted');
  });

  it('is undefined when validation is off; unverified (with the permission) when keys cannot be listed', async () => {
    fake = fakeAws({ store: new Map(), trails: [trailOf({ account: ACCOUNT, region: 'us-east-1', name: 'test-trail', bucket: 'ct-bucket', prefix: 'pfx' })], keys: [] });
    expect(await collectIntegrity(fake.clients, evidence(false))).toBeUndefined();
    const key = makeKey();
    const store: Store = new Map();
    buildChain(store, { bucket: 'ct-bucket', prefix: 'pfx', account: ACCOUNT, region: 'us-east-1', trail: 'test-trail', firstStart: new Date('2026-01-10T00:01:31Z'), digests: 1, logsPerDigest: 1, key });
    fake.restore();
    fake = fakeAws({ store, trails: [trailOf({ account: ACCOUNT, region: 'us-east-1', name: 'test-trail', bucket: 'ct-bucket', prefix: 'pfx' })], keys: [] });
    const integ = await collectIntegrity(fake.clients, evidence());
    expect(integ).toMatchObject({ status: 'unverified', needs: 'cloudtrail:ListPublicKeys' });
  });
});
