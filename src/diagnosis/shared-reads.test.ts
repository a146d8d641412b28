import { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { DescribeTrailsCommand, GetTrailCommand, ListPublicKeysCommand, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ACCOUNT, BUCKET, REGION, TRAIL, awsError, fakeAws, healthyTrail, type FakeAws } from '../../test/support/aws-fakes.js';
import { buildChain, makeKey, type Store } from '../../test/integrity/fixtures.js';
import { isoSeconds } from '../integrity/keys.js';
import { runDiagnosis, type DiagnosisOptions, type DiagnosisPhase } from './run.js';

// A diagnosis over injected fakes, validation on and the gap fallback running: the log files the
// integrity pass hashes are the ones the gap measurement compares, and each is fetched once.

const NOW = new Date('2026-11-24T04:00:00Z');
const HOURS = 6;
const LOGS_PER_DIGEST = 6;
const key = makeKey();

let fake: FakeAws | undefined;
afterEach(() => {
  fake?.restore();
  fake = undefined;
});

interface Account {
  fake: FakeAws;
  logKeys: string[];
  gets: Map<string, number>;
  /** When each kind of call was first / last answered. */
  times: { firstLogGet?: number; lastSlowHistory?: number; keysAnswered?: number; firstSample?: number };
  /** Most log-file GetObject calls answered at once (with slowGetMs). */
  maxGets: number;
  /** LookupEvents calls without a lookup attribute: the gap fallback's sampling. */
  samples: number;
  sampleTimes: number[];
}

/** Management records delivered with each log file, also served by event history. */
function account(opts: { slowHistoryMs?: number; slowKeysMs?: number; slowGetMs?: number; refuseFirstGet?: (key: string) => boolean; deleted?: (key: string) => boolean } = {}): Account {
  const f = (fake = fakeAws(NOW, HOURS / 24));
  const store: Store = new Map();
  const events: Record<string, unknown>[] = [];
  const firstStart = new Date(f.window.start.getTime() + 91_000);
  const chain = buildChain(store, {
    bucket: BUCKET,
    account: ACCOUNT,
    region: REGION,
    trail: TRAIL,
    firstStart,
    digests: HOURS - 1,
    logsPerDigest: LOGS_PER_DIGEST,
    key,
    logRaw: (i, j) => {
      const delivered = firstStart.getTime() + i * 3_600_000 + ((j + 1) * 3_600_000) / (LOGS_PER_DIGEST + 1);
      const recs = [1, 2, 3].map((m) => ({
        eventVersion: '1.09',
        eventTime: isoSeconds(new Date(delivered - m * 60_000)),
        eventSource: 'ec2.amazonaws.com',
        eventName: 'DescribeInstances',
        awsRegion: REGION,
        userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT },
        eventID: randomUUID(),
        readOnly: true,
        eventType: 'AwsApiCall',
        managementEvent: true,
        eventCategory: 'Management',
        recipientAccountId: ACCOUNT,
      }));
      events.push(...recs);
      return Buffer.from(JSON.stringify({ Records: recs }));
    },
  });
  const trail = healthyTrail({ IsMultiRegionTrail: false, CloudWatchLogsLogGroupArn: undefined, CloudWatchLogsRoleArn: undefined });
  const gets = new Map<string, number>();
  const times: Account['times'] = {};
  let inFlight = 0;
  const install = () => {
    f.ct.on(GetTrailCommand).resolves({ Trail: trail });
    f.ct.on(DescribeTrailsCommand).resolves({ trailList: [trail] });
    f.ct.on(ListPublicKeysCommand).callsFake(async () => {
      if (opts.slowKeysMs) await new Promise((r) => setTimeout(r, opts.slowKeysMs));
      times.keysAnswered = Date.now();
      return { PublicKeyList: [{ Fingerprint: key.fingerprint, Value: new Uint8Array(key.publicDer), ValidityStartTime: new Date(NOW.getTime() - 90 * 86_400_000), ValidityEndTime: new Date(NOW.getTime() + 86_400_000) }] };
    });
    f.ct.on(LookupEventsCommand).callsFake(async (input: { StartTime?: Date; EndTime?: Date; NextToken?: string; LookupAttributes?: { AttributeKey: string; AttributeValue: string }[] }) => {
      const attr = input.LookupAttributes?.[0];
      if (!attr) {
        acct.samples++;
        acct.sampleTimes.push(Date.now());
        times.firstSample ??= Date.now();
      }
      if (attr && opts.slowHistoryMs) {
        // step 9's change search: the slowest of the nine steps here
        await new Promise((r) => setTimeout(r, opts.slowHistoryMs));
        times.lastSlowHistory = Date.now();
      }
      const a = input.StartTime?.getTime() ?? 0;
      const b = input.EndTime?.getTime() ?? Number.MAX_SAFE_INTEGER;
      const all = events
        .filter((e) => {
          const t = Date.parse(String(e.eventTime));
          return t >= a && t <= b && (!attr || (attr.AttributeKey === 'EventName' ? e.eventName === attr.AttributeValue : attr.AttributeKey === 'EventSource' ? e.eventSource === attr.AttributeValue : false));
        })
        .sort((x, y) => Date.parse(String(y.eventTime)) - Date.parse(String(x.eventTime)));
      const offset = input.NextToken ? Number(input.NextToken) : 0;
      const page = all.slice(offset, offset + 50);
      return {
        Events: page.map((e) => ({ EventId: e.eventID as string, EventName: e.eventName as string, EventSource: e.eventSource as string, EventTime: new Date(String(e.eventTime)), ReadOnly: 'true', CloudTrailEvent: JSON.stringify(e) })),
        ...(offset + 50 < all.length ? { NextToken: String(offset + 50) } : {}),
      };
    });
    f.s3.on(ListObjectsV2Command).callsFake(async (input: { Bucket: string; Prefix?: string; Delimiter?: string; StartAfter?: string; ContinuationToken?: string }) => {
      const prefix = input.Prefix ?? '';
      const after = input.ContinuationToken ?? input.StartAfter ?? '';
      const keys = [...store.keys()]
        .filter((k) => k.startsWith(`${input.Bucket}/`))
        .map((k) => k.slice(input.Bucket.length + 1))
        .filter((k) => k.startsWith(prefix) && k > after)
        .sort();
      if (input.Delimiter) {
        const d = input.Delimiter;
        const prefixes = [...new Set(keys.map((k) => k.slice(prefix.length)).filter((r) => r.includes(d)).map((r) => prefix + r.slice(0, r.indexOf(d) + 1)))];
        return { CommonPrefixes: prefixes.map((p) => ({ Prefix: p })), Contents: keys.filter((k) => !k.slice(prefix.length).includes(d)).map((Key) => ({ Key })), IsTruncated: false };
      }
      return { Contents: keys.map((Key) => ({ Key, Size: store.get(`${input.Bucket}/${Key}`)!.body.length, LastModified: NOW })), IsTruncated: false };
    });
    f.s3.on(GetObjectCommand).callsFake(async (input: { Bucket: string; Key: string }) => {
      const o = store.get(`${input.Bucket}/${input.Key}`);
      if (!o) throw awsError('NoSuchKey', 404);
      if (!input.Key.includes('CloudTrail-Digest')) {
        gets.set(input.Key, (gets.get(input.Key) ?? 0) + 1);
        times.firstLogGet ??= Date.now();
        if (gets.get(input.Key) === 1 && opts.refuseFirstGet?.(input.Key)) throw awsError('InternalError', 500);
        if (opts.deleted?.(input.Key)) throw awsError('NoSuchKey', 404);
      }
      if (opts.slowGetMs) {
        const log = !input.Key.includes('CloudTrail-Digest');
        if (log) acct.maxGets = Math.max(acct.maxGets, ++inFlight);
        await new Promise((r) => setTimeout(r, opts.slowGetMs));
        if (log) inFlight--;
      }
      return { Body: Readable.from([o.body]) as never, Metadata: { ...o.metadata }, ContentLength: o.body.length };
    });
  };
  const acct: Account = { fake: f, logKeys: chain.logs.map((l) => l.key), gets, times, samples: 0, sampleTimes: [], maxGets: 0 };
  install();
  return acct;
}

async function diagnoseWith(acct: Account, opts: Partial<DiagnosisOptions> = {}) {
  const phases: { at: number; phase: DiagnosisPhase | undefined }[] = [];
  const out = await runDiagnosis(
    acct.fake.clients(),
    { trail: TRAIL, region: REGION, window: acct.fake.window, now: NOW, limits: { insightsPollMs: 1 } },
    { integrity: true, gaps: 'always', onPhase: (phase) => phases.push({ at: Date.now(), phase }), ...opts },
  );
  return { ...out, phases };
}

describe('one read per log file', () => {
  it('the gap measurement compares the records integrity read: every log file fetched exactly once', async () => {
    const acct = account();
    const { evidence } = await diagnoseWith(acct);
    const integrity = evidence.integrity as { status: string; summary: { logs: { valid: number } } };
    expect(integrity.status).toBe('ok');
    expect(integrity.summary.logs.valid).toBe(acct.logKeys.length);
    const gaps = evidence.gaps!;
    expect(gaps.status).toBe('ok');
    expect(gaps.totals.recorded).toBeGreaterThan(20);
    expect(gaps.totals.missing).toBe(0);
    expect(gaps.stats).toMatchObject({ filesFetched: 0 });
    expect(gaps.stats!.filesFromIntegrity).toBeGreaterThan(0);
    expect(gaps.stats!.filesFromIntegrity).toBe(gaps.stats!.filesRead);
    expect(gaps.stats!.shareCapped).toBeUndefined();
    for (const k of acct.logKeys) expect(acct.gets.get(k), k).toBe(1);
    expect([...acct.gets.keys()].sort()).toEqual([...acct.logKeys].sort());
  });

  it('past the cap, the files not kept are read again on demand, and the stats and notes say so', async () => {
    const acct = account();
    const { evidence } = await diagnoseWith(acct, { shareCap: { maxFiles: 5, maxBytes: 1 << 30 } });
    const s = evidence.gaps!.stats!;
    expect(evidence.gaps!.status).toBe('ok');
    expect(evidence.gaps!.totals.missing).toBe(0);
    expect(s.shareCapped).toBe(true);
    expect(s.filesFromIntegrity).toBeLessThanOrEqual(5);
    expect(s.filesFetched).toBeGreaterThan(0);
    expect(s.filesFromIntegrity! + s.filesFetched!).toBe(s.filesRead);
    // fetched twice: exactly the files the gap reader read itself
    const twice = [...acct.gets.values()].filter((n) => n === 2).length;
    expect(twice).toBe(s.filesFetched);
    expect(Math.max(...acct.gets.values())).toBe(2);
    expect(evidence.gaps!.notes!.join('\n')).toMatch(/integrity pass read more log files than are kept/);
  });

  it('a log file whose integrity read failed is not seen: the gap reader fetches it', async () => {
    let victim: string | undefined;
    const acct = account({ refuseFirstGet: (k) => k === victim });
    victim = acct.logKeys[acct.logKeys.length - 4]!;
    const { evidence } = await diagnoseWith(acct);
    expect((evidence.integrity as { status: string }).status).toBe('unverified');
    // validation stopped at the failed read; the gap reader fetches that file (and those validation never reached) itself
    expect(acct.gets.get(victim)).toBe(2);
    const s = evidence.gaps!.stats!;
    expect(s.filesFetched).toBeGreaterThanOrEqual(1);
    expect(s.filesFromIntegrity! + s.filesFetched!).toBe(s.filesRead);
    expect(evidence.gaps!.totals.missing).toBe(0);
    // (files still in flight when validation stopped may be read again: it returned without them)
    expect(Math.max(...acct.gets.values())).toBe(2);
  });
});

describe('validation beside the nine steps', () => {
  it('starts as soon as the trail and its bucket are known, and the first pass is told before it is waited for', async () => {
    const acct = account({ slowHistoryMs: 1_500 });
    const t0 = Date.now();
    const { evidence, phases } = await diagnoseWith(acct, { gaps: 'never' });
    expect((evidence.integrity as { status: string }).status).toBe('ok');
    // integrity hashed log files while step 9 still waited on event history
    expect(acct.times.firstLogGet).toBeDefined();
    expect(acct.times.lastSlowHistory).toBeDefined();
    expect(acct.times.firstLogGet! - t0).toBeLessThan(1_400);
    expect(acct.times.firstLogGet!).toBeLessThan(acct.times.lastSlowHistory!);
    const first = phases.find((p) => p.phase?.phase === 'integrity');
    expect(first?.phase).toMatchObject({ phase: 'integrity', firstPass: { verdict: expect.any(String) } });
    expect(first!.at).toBeGreaterThanOrEqual(acct.times.lastSlowHistory!);
    // each phase says what it spent itself, though they overlapped
    const ph = evidence.stats!.phases!;
    expect(ph.integrity!.calls).toBeGreaterThan(acct.logKeys.length);
    expect(ph.integrity!.wallMs).toBeGreaterThan(0);
  });

  it('when validation outlasts the nine steps, their verdict is told first and validation is then waited for', async () => {
    const acct = account({ slowKeysMs: 1_500 });
    const { evidence, phases } = await diagnoseWith(acct, { gaps: 'never' });
    const told = phases.find((p) => p.phase?.phase === 'integrity')!;
    expect(told.phase).toMatchObject({ firstPass: { verdict: expect.any(String) } });
    // told while validation still waited on its public keys
    expect(told.at).toBeLessThan(acct.times.keysAnswered!);
    expect((evidence.integrity as { status: string }).status).toBe('ok');
  });

  it('the fallback samples event history while validation runs; its log-file reads wait for validation and take its files', async () => {
    const acct = account({ slowKeysMs: 1_500 });
    const { evidence, phases } = await diagnoseWith(acct, { gaps: 'auto' });
    expect((evidence.integrity as { status: string }).status).toBe('ok');
    // sampling began while validation still waited on its public keys
    expect(acct.times.firstSample).toBeDefined();
    expect(acct.times.firstSample!).toBeLessThan(acct.times.keysAnswered!);
    const gaps = evidence.gaps!;
    expect(gaps.status).toBe('ok');
    expect(gaps.totals.missing).toBe(0);
    expect(gaps.stats).toMatchObject({ filesFetched: 0 });
    expect(gaps.stats!.filesFromIntegrity).toBeGreaterThan(0);
    for (const k of acct.logKeys) expect(acct.gets.get(k), k).toBe(1);
    // the display shows validation until it is done, then the fallback
    const gapPhases = phases.filter((p) => p.phase?.phase === 'gaps');
    expect(gapPhases.length).toBeGreaterThan(0);
    for (const p of gapPhases) expect(p.at).toBeGreaterThanOrEqual(acct.times.keysAnswered!);
    // each overlapping phase counts its own calls: the fallback's sampling and listings, not validation's reads
    const ph = evidence.stats!.phases!;
    expect(ph.integrity!.calls).toBeGreaterThan(acct.logKeys.length);
    expect(ph.gaps!.calls).toBeGreaterThanOrEqual(acct.samples);
    expect(ph.gaps!.calls).toBeLessThan(acct.samples + 10);
  });

  it('when validation finds the cause, the early sampling is abandoned: no gap measurement, no log file read for it', async () => {
    let victim: string | undefined;
    const acct = account({ slowKeysMs: 1_500, deleted: (k) => k === victim });
    victim = acct.logKeys[3]!;
    const { evidence, report, phases } = await diagnoseWith(acct, { gaps: 'auto' });
    const first = phases.find((p) => p.phase?.phase === 'integrity')!.phase as { firstPass: { verdict: string } };
    expect(first.firstPass.verdict).not.toBe('problem');
    expect(acct.times.firstSample!).toBeLessThan(acct.times.keysAnswered!);
    expect(report.verdict).toBe('problem');
    expect(report.rootCauses.map((c) => c.id)).toContain('log-integrity-validation-failed');
    expect(evidence.gaps).toBeUndefined();
    expect(phases.some((p) => p.phase?.phase === 'gaps')).toBe(false);
    // only validation read log files, each once
    for (const k of acct.logKeys) expect(acct.gets.get(k), k).toBe(1);
    // what the abandoned sampling spent is still said
    const ph = evidence.stats!.phases!;
    expect(ph.gaps).toBeUndefined();
    expect(ph.gapsAbandoned!.calls).toBe(acct.samples);
    expect(acct.samples).toBeGreaterThan(0);
    // and it stopped there: event history is not asked again once validation is done (2 per second would go on for seconds)
    const validated = acct.times.keysAnswered! + 250;
    expect(acct.sampleTimes.filter((t) => t > validated)).toEqual([]);
  });

  it("keeps as many log files in flight as validate does, not one digest's worth", async () => {
    const acct = account({ slowGetMs: 30 });
    const { evidence } = await diagnoseWith(acct, { gaps: 'never' });
    expect((evidence.integrity as { status: string }).status).toBe('ok');
    // 5 digests of 6 files: all 30 at once (the digests are fetched ahead), past the old 16
    expect(acct.maxGets).toBeGreaterThan(16);
  });
});
