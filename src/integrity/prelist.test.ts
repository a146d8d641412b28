import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildChain, makeKey, type FixtureKey, type Store } from '../../test/integrity/fixtures.js';
import { fakeAws, trailOf, type FakeAws } from '../../test/integrity/fake-aws.js';
import { validateTrail } from './validate.js';

/**
 * The unlisted-file check's log-folder listings start with the walk: a healthy chain lists each day
 * folder once, the same folders as before, and the listing no longer waits for the walk's end.
 */
const ACCOUNT = '111122223333';
const BUCKET = 'ct-bucket';
const REGION = 'us-east-1';
const TRAIL = 'test-trail';
const ARN = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${TRAIL}`;
const LOGS = `pfx/AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/`;

let key: FixtureKey;
beforeAll(() => {
  key = makeKey();
});
let fake: FakeAws | undefined;
afterEach(() => {
  fake?.restore();
  fake = undefined;
});

function setup(store: Store, firstStart: Date, digests: number) {
  const chain = buildChain(store, { bucket: BUCKET, prefix: 'pfx', account: ACCOUNT, region: REGION, trail: TRAIL, firstStart, digests, logsPerDigest: 2, key });
  fake = fakeAws({ store, trails: [trailOf({ account: ACCOUNT, region: REGION, name: TRAIL, bucket: BUCKET, prefix: 'pfx' })], keys: [key] });
  return chain;
}

const logListings = () => fake!.calls.order.filter((c) => c.startsWith(`list ${LOGS}`)).map((c) => c.slice(`list ${LOGS}`.length));

describe('log-folder listings of the unlisted-file check', () => {
  it('a healthy chain over a day: the days around the coverage, each listed once, before most log files are read', async () => {
    setup(new Map(), new Date('2026-01-10T00:01:31Z'), 24);
    const r = await validateTrail(fake!.clients, { trail: ARN, region: REGION, start: new Date('2026-01-10T00:00:00Z'), end: new Date('2026-01-11T00:00:00Z'), concurrency: 1, now: new Date('2026-01-11T02:00:00Z') });
    expect(r.exitCode).toBe(0);
    expect(r.summary.logs).toEqual({ valid: 48, invalid: 0, missing: 0, unlisted: 0 });
    // coverage 00:01:31 (10th) – 00:01:31 (11th), ±1 h: the 9th, 10th and 11th
    expect(logListings().sort()).toEqual(['2026/01/09/', '2026/01/10/', '2026/01/11/']);
    // the 10th and 11th were listed as the walk began, not after it (one file in flight at a time)
    const order = fake!.calls.order;
    const firstLog = order.findIndex((c) => c.startsWith(`get ${LOGS}`));
    const early = order.indexOf(`list ${LOGS}2026/01/10/`);
    expect(early).toBeGreaterThan(-1);
    expect(order.slice(0, early).filter((c) => c.startsWith(`get ${LOGS}`)).length).toBeLessThan(5);
    expect(firstLog).toBeGreaterThan(-1);
  });

  it('an unlisted file in a day listed early is still found', async () => {
    const store: Store = new Map();
    const chain = setup(store, new Date('2026-01-10T00:01:31Z'), 24);
    const one = chain.logs[20]!.key;
    const extra = one.replace(/_[A-Za-z0-9]{16}\.json\.gz$/, '_ZZZZZZZZZZZZZZZZ.json.gz');
    store.set(`${BUCKET}/${extra}`, { ...store.get(`${BUCKET}/${one}`)! });
    const r = await validateTrail(fake!.clients, { trail: ARN, region: REGION, start: new Date('2026-01-10T00:00:00Z'), end: new Date('2026-01-11T00:00:00Z'), concurrency: 2, verbose: true, now: new Date('2026-01-11T02:00:00Z') });
    expect(r.summary.logs).toMatchObject({ valid: 48, unlisted: 1 });
    expect(r.files!.filter((f) => f.verdict === 'unlisted').map((f) => f.key)).toEqual([extra]);
    expect(logListings().filter((d) => d === '2026/01/10/')).toHaveLength(1);
  });
});
