import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { buildChain, makeKey, putDigest, resign, records, sha256, type BuiltChain, type FixtureKey, type Store } from '../../test/integrity/fixtures.js';
import { fakeAws, trailOf, type FakeAws } from '../../test/integrity/fake-aws.js';
import { validateTrail } from './validate.js';
import { logKey } from './keys.js';
import type { FileResult, ValidateOptions } from './model.js';

/** The §7.5 fixture: ct-bucket/pfx, 111122223333, us-east-1, test-trail, D1–D4 ending 01:01:31…04:01:31, 2 logs each. */
const ACCOUNT = '111122223333';
const BUCKET = 'ct-bucket';
const REGION = 'us-east-1';
const TRAIL = 'test-trail';
const ARN = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${TRAIL}`;
const T0 = new Date('2026-01-10T00:01:31Z');
const WINDOW = { start: new Date('2026-01-10T00:00:00Z'), end: new Date('2026-01-10T06:00:00Z') };

let key: FixtureKey;
let foreign: FixtureKey;
beforeAll(() => {
  key = makeKey();
  foreign = makeKey();
});

let fake: FakeAws | undefined;
afterEach(() => {
  fake?.restore();
  fake = undefined;
});

function setup(opts: { digests?: number; restartAfter?: { index: number; hours: number }; orgId?: string; keys?: FixtureKey[] } = {}): { store: Store; chain: BuiltChain } {
  const store: Store = new Map();
  const chain = buildChain(store, {
    bucket: BUCKET,
    prefix: 'pfx',
    account: ACCOUNT,
    region: REGION,
    trail: TRAIL,
    orgId: opts.orgId,
    firstStart: T0,
    digests: opts.digests ?? 4,
    logsPerDigest: 2,
    key,
    restartAfter: opts.restartAfter,
  });
  fake = fakeAws({ store, trails: [trailOf({ account: ACCOUNT, region: REGION, name: TRAIL, bucket: BUCKET, prefix: 'pfx', organization: !!opts.orgId })], keys: opts.keys ?? [key], orgId: opts.orgId });
  return { store, chain };
}

async function run(extra: Partial<ValidateOptions> = {}) {
  const seen: FileResult[] = [];
  const r = await validateTrail(fake!.clients, { trail: ARN, region: REGION, ...WINDOW, concurrency: 4, verbose: true, now: new Date('2026-01-10T06:30:00Z'), onFile: (f) => seen.push(f), ...extra });
  return { r, seen };
}

const bad = (seen: FileResult[]) => seen.filter((f) => f.verdict !== 'valid').map((f) => `${f.kind} ${f.key.split('/').pop()} ${f.verdict}: ${f.reason}`);

describe('validateTrail on generated chains (§7.5 matrix)', () => {
  it('baseline: a valid chain, CLI order (newest digest first, then its logs)', async () => {
    const { chain } = setup();
    const { r, seen } = await run();
    expect(r.status).toBe('ok');
    expect(r.exitCode).toBe(0);
    expect(r.summary.digests).toEqual({ valid: 4, invalid: 0, missing: 0 });
    expect(r.summary.logs).toEqual({ valid: 8, invalid: 0, missing: 0, unlisted: 0 });
    expect(r.found).toEqual({ start: '2026-01-10T00:01:31Z', end: '2026-01-10T04:01:31Z' });
    expect(seen.map((f) => f.key)).toEqual([3, 2, 1, 0].flatMap((i) => [chain.digests[i]!.key, ...chain.logs.filter((l) => l.digestIndex === i).map((l) => l.key)]));
    expect(r.chains).toEqual([expect.objectContaining({ account: ACCOUNT, region: REGION, start: '2026-01-10T00:01:31Z', end: '2026-01-10T04:01:31Z', endReason: 'chain-start', digests: 4 })]);
    // nothing fetched twice
    const gets = fake!.calls.get;
    expect(new Set(gets).size).toBe(gets.length);
  });

  it('#1 a modified log file: hash value doesn\'t match', async () => {
    const { store, chain } = setup();
    const l4 = chain.logs[3]!;
    store.set(`${BUCKET}/${l4.key}`, { body: gzipSync(Buffer.concat([l4.raw, Buffer.from(' ')])), metadata: {} });
    const { r, seen } = await run();
    expect(bad(seen)).toEqual([`log ${l4.key.split('/').pop()} invalid: hash value doesn't match`]);
    expect(r.summary.logs).toMatchObject({ valid: 7, invalid: 1, missing: 0 });
    expect(r.exitCode).toBe(1);
  });

  it('#2 a deleted log file: not found', async () => {
    const { store, chain } = setup();
    store.delete(`${BUCKET}/${chain.logs[3]!.key}`);
    const { r, seen } = await run();
    expect(bad(seen)).toEqual([`log ${chain.logs[3]!.key.split('/').pop()} missing: not found`]);
    expect(r.summary.logs).toMatchObject({ valid: 7, missing: 1 });
    expect(r.exitCode).toBe(1);
  });

  it('#3–#7 log container quirks: uncompressed, appended data, bad CRC, recompressed, missing trailer', async () => {
    const { store, chain } = setup();
    const body = (i: number) => store.get(`${BUCKET}/${chain.logs[i]!.key}`)!.body;
    const set = (i: number, b: Buffer) => store.set(`${BUCKET}/${chain.logs[i]!.key}`, { body: b, metadata: {} });
    set(0, Buffer.from(chain.logs[0]!.raw)); // stored uncompressed
    set(1, Buffer.concat([body(1), gzipSync('x')])); // appended member
    const crc = Buffer.from(body(2));
    crc[crc.length - 6]! ^= 0xff; // CRC32 byte flipped
    set(2, crc);
    set(3, gzipSync(chain.logs[3]!.raw, { level: 1 })); // another level: valid
    set(4, body(4).subarray(0, body(4).length - 3)); // partial trailer: valid (parity quirk)
    const { seen } = await run();
    const v = Object.fromEntries(seen.filter((f) => f.kind === 'log').map((f) => [f.key, `${f.verdict}${f.reason ? `: ${f.reason}` : ''}`]));
    expect(v[chain.logs[0]!.key]).toBe('invalid: invalid format');
    expect(v[chain.logs[1]!.key]).toBe('invalid: unexpected data after end of compressed stream');
    expect(v[chain.logs[2]!.key]).toBe('invalid: invalid format');
    expect(v[chain.logs[3]!.key]).toBe('valid');
    expect(v[chain.logs[4]!.key]).toBe('valid');
  });

  it('#8 a modified digest (entry removed, metadata kept): signature verification failed; its logs are not checked', async () => {
    const { store, chain } = setup();
    const d3 = chain.digests[2]!;
    const json = structuredClone(d3.json);
    (json.logFiles as unknown[]).pop();
    store.set(`${BUCKET}/${d3.key}`, { body: gzipSync(JSON.stringify(json)), metadata: store.get(`${BUCKET}/${d3.key}`)!.metadata });
    const { r, seen } = await run();
    expect(bad(seen)).toEqual([`digest ${d3.key.split('/').pop()} invalid: signature verification failed`]);
    expect(r.summary.digests).toEqual({ valid: 3, invalid: 1, missing: 0 });
    expect(r.summary.logs).toMatchObject({ valid: 6, invalid: 0, missing: 0 });
    expect(r.exitCode).toBe(1);
  });

  it('#12 a digest re-signed with another key under the same fingerprint', async () => {
    const { store, chain } = setup();
    resign(store, BUCKET, chain.digests[2]!, (j) => j, foreign.privateKey);
    const { r, seen } = await run();
    expect(bad(seen)).toEqual([`digest ${chain.digests[2]!.key.split('/').pop()} invalid: signature verification failed`]);
    expect(r.summary.digests).toEqual({ valid: 3, invalid: 1, missing: 0 });
  });

  it('#13/#14 corrupt digests (non-JSON, truncated gzip, missing field) → invalid format, never a crash', async () => {
    const { store, chain } = setup();
    const meta = store.get(`${BUCKET}/${chain.digests[2]!.key}`)!.metadata;
    store.set(`${BUCKET}/${chain.digests[2]!.key}`, { body: gzipSync('this is not JSON {'), metadata: meta });
    const d2 = store.get(`${BUCKET}/${chain.digests[1]!.key}`)!;
    store.set(`${BUCKET}/${chain.digests[1]!.key}`, { body: d2.body.subarray(0, 40), metadata: d2.metadata });
    resign(store, BUCKET, chain.digests[0]!, (j) => {
      delete j.digestStartTime;
      return j;
    }, key.privateKey);
    const { r, seen } = await run();
    expect(bad(seen)).toEqual([3, 2, 1].map((n) => `digest ${chain.digests[n - 1]!.key.split('/').pop()} invalid: invalid format`));
    expect(r.summary.digests).toEqual({ valid: 1, invalid: 3, missing: 0 });
    expect(r.exitCode).toBe(1);
  });

  it('a gzip bomb digest is rejected as invalid format within the size cap', async () => {
    const { store, chain } = setup();
    const meta = store.get(`${BUCKET}/${chain.digests[3]!.key}`)!.metadata;
    store.set(`${BUCKET}/${chain.digests[3]!.key}`, { body: gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20)), metadata: meta });
    const { seen } = await run({ limits: { digestInflated: 1024 * 1024 } });
    expect(seen.find((f) => f.key === chain.digests[3]!.key)).toMatchObject({ verdict: 'invalid', reason: 'invalid format', detail: expect.stringContaining('cap') });
  });

  it('#15 a deleted digest in the middle of the chain: not found, walk re-enters from the listing', async () => {
    const { store, chain } = setup();
    store.delete(`${BUCKET}/${chain.digests[2]!.key}`);
    const { r, seen } = await run();
    expect(bad(seen)).toEqual([`digest ${chain.digests[2]!.key.split('/').pop()} missing: not found`]);
    expect(r.summary.digests).toEqual({ valid: 3, invalid: 0, missing: 1 });
    expect(r.summary.logs).toMatchObject({ valid: 6 });
    expect(r.chains.map((c) => c.endReason)).toEqual(['previous-digest-missing', 'chain-start']);
  });

  it('#17 the newest digest deleted: undetected by the CLI, flagged by trail-doctor as a stale chain', async () => {
    const { store, chain } = setup();
    store.delete(`${BUCKET}/${chain.digests[3]!.key}`);
    const { r } = await run();
    expect(r.summary.digests).toEqual({ valid: 3, invalid: 0, missing: 0 });
    expect(r.notices).toContainEqual(expect.objectContaining({ kind: 'stale-newest' }));
  });

  it('#18 a digest moved (D2 overwritten by D3): has been moved from its original location', async () => {
    const { store, chain } = setup();
    store.set(`${BUCKET}/${chain.digests[1]!.key}`, store.get(`${BUCKET}/${chain.digests[2]!.key}`)!);
    const { seen } = await run();
    expect(bad(seen)).toEqual([`digest ${chain.digests[1]!.key.split('/').pop()} invalid: has been moved from its original location`]);
  });

  it('#19 fingerprints unknown to ListPublicKeys: public key not found (home region in the message)', async () => {
    setup({ keys: [foreign] });
    const { r, seen } = await run();
    expect(seen.filter((f) => f.verdict !== 'valid')).toHaveLength(4);
    expect(seen[0]!.reason).toBe(`public key not found in region us-east-1 for fingerprint ${key.fingerprint}`);
    expect(r.found).toBeUndefined();
  });

  it('#20 ListPublicKeys returns nothing: could not check (exit 3)', async () => {
    const store: Store = new Map();
    buildChain(store, { bucket: BUCKET, prefix: 'pfx', account: ACCOUNT, region: REGION, trail: TRAIL, firstStart: T0, digests: 2, logsPerDigest: 1, key });
    fake = fakeAws({ store, trails: [trailOf({ account: ACCOUNT, region: REGION, name: TRAIL, bucket: BUCKET, prefix: 'pfx' })], keys: [] });
    const { r } = await run();
    expect(r.status).toBe('could-not-check');
    expect(r.exitCode).toBe(3);
    expect(r.error?.message).toMatch(/^No public keys found between 2026-01-10T00:00:00Z and 2026-01-10T08:00:00Z/);
  });

  it('#21 a chain restart (stop/start): gap notice, not tampering', async () => {
    setup({ restartAfter: { index: 1, hours: 5 } });
    const { r } = await run({ end: new Date('2026-01-10T12:00:00Z'), now: new Date('2026-01-10T12:00:00Z') });
    expect(r.exitCode).toBe(0);
    expect(r.summary.digests).toEqual({ valid: 4, invalid: 0, missing: 0 });
    expect(r.notices.filter((n) => n.kind === 'gap').map((n) => n.message)).toEqual(['No log files were delivered by CloudTrail between 2026-01-10T02:01:31Z and 2026-01-10T07:01:31Z']);
    expect(r.chains.map((c) => [c.start, c.end, c.endReason])).toEqual([
      ['2026-01-10T07:01:31Z', '2026-01-10T09:01:31Z', 'chain-restarted'],
      ['2026-01-10T00:01:31Z', '2026-01-10T02:01:31Z', 'chain-start'],
    ]);
    expect(r.found).toEqual({ start: '2026-01-10T00:01:31Z', end: '2026-01-10T09:01:31Z' });
  });

  it('#24 previousDigestHashValue wrong but re-signed: the CLI accepts, trail-doctor reports a link mismatch', async () => {
    const { store, chain } = setup();
    resign(store, BUCKET, chain.digests[2]!, (j) => ({ ...j, previousDigestHashValue: sha256('tampered') }), key.privateKey);
    // D3 re-signed: D4's previousDigestHashValue/Signature no longer match D3, and D3's no longer match D2
    const { r } = await run();
    expect(r.summary.digests.valid).toBe(4);
    expect(r.summary.linkMismatches).toBeGreaterThanOrEqual(1);
    expect(r.notices.some((n) => n.kind === 'link-mismatch' && n.message.includes(chain.digests[1]!.key))).toBe(true);
    expect(r.exitCode).toBe(1);
  });

  it('#28 an extra unlisted log file dropped into the folder', async () => {
    const { store, chain } = setup();
    const extra = logKey(chain.loc, new Date('2026-01-10T01:30:00Z'), 'EXTRA00000000000');
    store.set(`${BUCKET}/${extra}`, { body: gzipSync(records(new Date('2026-01-10T01:30:00Z'))), metadata: {} });
    // a log delivered outside every valid digest's range is not judged
    const outside = logKey(chain.loc, new Date('2026-01-10T05:30:00Z'), 'LATE000000000000');
    store.set(`${BUCKET}/${outside}`, { body: gzipSync('{}'), metadata: {} });
    const { r, seen } = await run();
    expect(r.summary.logs).toMatchObject({ valid: 8, unlisted: 1 });
    expect(seen.filter((f) => f.verdict === 'unlisted').map((f) => f.key)).toEqual([extra]);
    expect(r.exitCode).toBe(1);
  });

  it('#28b a log named by another trail\'s digest in the same folder is not unlisted', async () => {
    const { store, chain } = setup();
    const other = buildChain(store, { bucket: BUCKET, prefix: 'pfx', account: ACCOUNT, region: REGION, trail: 'other-trail', firstStart: new Date('2026-01-10T00:02:00Z'), digests: 2, logsPerDigest: 1, key });
    void chain;
    const { r } = await run();
    expect(other.logs).toHaveLength(2);
    expect(r.summary.logs.unlisted).toBe(0);
  });

  it('#30/#31 backfill digests: a valid one, and one without its generation timestamp', async () => {
    const { store, chain } = setup();
    const late = logKey(chain.loc, new Date('2026-01-10T01:50:00Z'), 'LATELOG000000000');
    const raw = records(new Date('2026-01-10T01:50:00Z'));
    store.set(`${BUCKET}/${late}`, { body: gzipSync(raw), metadata: {} });
    const bkey = chain.digests[1]!.key.replace('.json.gz', '_backfill.json.gz');
    const json = { ...chain.digests[1]!.json, digestS3Object: bkey, previousDigestS3Bucket: null, previousDigestS3Object: null, previousDigestHashValue: null, previousDigestHashAlgorithm: null, previousDigestSignature: null, logFiles: [{ s3Bucket: BUCKET, s3Object: late, hashValue: sha256(raw), hashAlgorithm: 'SHA-256' }] };
    putDigest(store, BUCKET, bkey, json, key.privateKey, { 'backfill-generation-timestamp': '2026-01-10T05:10:00Z' });
    let out = await run();
    expect(out.r.summary.backfillDigests).toEqual({ valid: 1, invalid: 0, missing: 0 });
    expect(out.r.summary.logs).toMatchObject({ valid: 9, unlisted: 0 });
    expect(out.r.exitCode).toBe(0);
    putDigest(store, BUCKET, bkey, json, key.privateKey);
    fake!.calls.get.length = 0;
    out = await run();
    // the late log is then named by no valid digest: unlisted
    expect(bad(out.seen)).toEqual([`backfill-digest ${bkey.split('/').pop()} invalid: invalid format`, `log ${late.split('/').pop()} unlisted: not named by any digest`]);
    expect(out.r.summary.logs.unlisted).toBe(1);
  });

  it('#32 no digests at all: status no-digests, exit 3', async () => {
    fake = fakeAws({ store: new Map(), trails: [trailOf({ account: ACCOUNT, region: REGION, name: TRAIL, bucket: BUCKET, prefix: 'pfx' })], keys: [key] });
    const { r } = await run();
    expect(r.status).toBe('no-digests');
    expect(r.exitCode).toBe(3);
  });

  it('#29 AccessDenied on a log GetObject: could not check, naming s3:GetObject', async () => {
    const { chain } = setup();
    fake!.denied.add(chain.logs[5]!.key);
    const { r } = await run();
    expect(r.status).toBe('could-not-check');
    expect(r.exitCode).toBe(3);
    expect(r.error?.needs).toMatch(/s3:GetObject/);
  });

  it('window: start 02:30 validates only the digests ending 03:01 and 04:01 (§5.9)', async () => {
    setup();
    const { r } = await run({ start: new Date('2026-01-10T02:30:00Z') });
    expect(r.summary.digests.valid).toBe(2);
    expect(r.found).toEqual({ start: '2026-01-10T02:30:00Z', end: '2026-01-10T04:01:31Z' });
    expect(r.chains[0]!.endReason).toBe('window-start');
    // the digest before the window is not fetched
    expect(fake!.calls.get.filter((k) => k.includes('CloudTrail-Digest'))).toHaveLength(2);
  });

  it('an organization trail: every member account under AWSLogs/<o-id>/', async () => {
    const store: Store = new Map();
    const orgId = 'o-abcdef1234';
    for (const account of ['111122223333', '444455556666']) {
      buildChain(store, { bucket: BUCKET, prefix: 'pfx', account, region: REGION, trail: TRAIL, orgId, firstStart: T0, digests: 3, logsPerDigest: 2, key });
    }
    fake = fakeAws({ store, trails: [trailOf({ account: ACCOUNT, region: REGION, name: TRAIL, bucket: BUCKET, prefix: 'pfx', organization: true })], keys: [key], orgId });
    const { r } = await run();
    expect(r.summary.digests).toEqual({ valid: 6, invalid: 0, missing: 0 });
    expect(r.summary.logs).toMatchObject({ valid: 12, unlisted: 0 });
    expect(r.chains.map((c) => c.account).sort()).toEqual(['111122223333', '444455556666']);
    const one = await run({ accountId: '444455556666' });
    expect(one.r.summary.digests.valid).toBe(3);
  });

  it('a multi-region trail: one chain per source region found under CloudTrail-Digest/', async () => {
    const store: Store = new Map();
    for (const region of ['us-east-1', 'eu-west-1']) buildChain(store, { bucket: BUCKET, account: ACCOUNT, region, homeRegion: REGION, trail: TRAIL, firstStart: T0, digests: 2, logsPerDigest: 1, key });
    fake = fakeAws({ store, trails: [trailOf({ account: ACCOUNT, region: REGION, name: TRAIL, bucket: BUCKET, multiRegion: true })], keys: [key] });
    const { r } = await run();
    expect(r.chains.map((c) => c.region)).toEqual(['eu-west-1', 'us-east-1']);
    expect(r.summary.digests.valid).toBe(4);
  });

  it('several chains run at once, yet files and notices come out in chain order, a gap notice after the logs before it', async () => {
    const store: Store = new Map();
    const orgId = 'o-abcdef1234';
    const accounts = ['111122223333', '222233334444', '444455556666'];
    for (const account of accounts) buildChain(store, { bucket: BUCKET, account, region: REGION, trail: TRAIL, orgId, firstStart: T0, digests: 4, logsPerDigest: 3, key, restartAfter: { index: 1, hours: 1 } });
    fake = fakeAws({ store, trails: [trailOf({ account: ACCOUNT, region: REGION, name: TRAIL, bucket: BUCKET, organization: true })], keys: [key], orgId });
    const events: string[] = [];
    const r = await validateTrail(fake.clients, { trail: ARN, region: REGION, ...WINDOW, concurrency: 2, verbose: true, now: new Date('2026-01-10T06:30:00Z'), onFile: (f) => events.push(`${f.account} ${f.kind}`), onNotice: (n) => events.push(`${n.account} ${n.kind}`) });
    expect(r.summary.digests.valid).toBe(12);
    const owners = events.map((e) => e.split(' ')[0]);
    expect(owners).toEqual([...owners].sort());
    const first = events.filter((e) => e.startsWith(accounts[0]!)).map((e) => e.split(' ')[1]);
    // D4, its 3 logs, D3 (restart digest) and its 3 logs, then the gap notice, then D2 ...
    expect(first.slice(0, 9)).toEqual(['digest', 'log', 'log', 'log', 'digest', 'log', 'log', 'log', 'gap']);
    expect(r.chains.map((c) => c.account)).toEqual([accounts[0], accounts[0], accounts[1], accounts[1], accounts[2], accounts[2]]);
  });
});
