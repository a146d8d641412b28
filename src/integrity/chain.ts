import { classifyError } from '../aws/call.js';
import { inertLine } from '../util/text.js';
import { dateFolder, digestKeyTimestamp, isoSeconds, logFolder, parseCompact, type ChainLocation } from './keys.js';
import { missingRequiredKey, parseDigestBody, signingString, verifySignature, type DigestJson } from './digest.js';
import { OrderedQueue } from './ordered.js';
import { PublicKeyStore, type PublicKeyEntry } from './public-keys.js';
import { fetchDigest, listAll, listDigests, logReadFailure, type Fetched } from './s3-reads.js';
import { listUncovered, reportUnlisted, type ChainNames, type Interval, type Uncovered } from './unlisted.js';
import type { ValidationRun } from './state.js';
import { tapBody } from './share-tap.js';
import type { ChainSummary, FileResult, Notice } from './model.js';

const HOUR = 3_600_000;
/** Compressed bytes of one log file copied for another pass of the run (larger ones are read again). */
const SHARE_BODY_CAP = 16 * 1024 * 1024;

/**
 * Walks one digest chain (account × source region) the way `aws cloudtrail validate-logs` does: from
 * the newest digest of the window back along previousDigestS3Object, each digest's signature and
 * link checked, its log files fetched and hashed in the run's pool while the next digests are
 * fetched ahead. Standard digests first, then backfill ones; then the newest-digest check (§5.10.2)
 * and the unlisted-file check (§5.10.1). Results leave through `emit` in walk order.
 */
export async function walkChain(run: ValidationRun, loc: ChainLocation, emit: (fn: () => void) => void): Promise<void> {
  const { start, end, now, concurrency, limits, state } = run;
  const digestCap = limits.digestCompressed ?? 32 * 1024 * 1024;
  // a digest only names its own folder's files, so a chain's names are dropped once its unlisted-file check is done
  const names: ChainNames = { logs: new Set(), digests: new Set() };
  const { standard, backfill } = await listDigests(run.s3, run.trail.bucket, loc, run.trail, start, end);
  if (standard.length + backfill.length === 0) return;
  state.anyDigestListed = true;
  const prelisted = prelistLogDays(run, loc, standard);

  const ranges: Interval[] = [];
  // files, notices and chain segments leave in walk order (a notice after the logs before it)
  const ordered = new OrderedQueue<() => void>((fn) => emit(fn));
  const orderedNotice = (n: Notice) => ordered.push(() => state.notice(n));
  const backlog = concurrency * 4;
  let newestStandardEnd: number | undefined;

  const checkLog = async (bucket: string, key: string, expected: unknown): Promise<FileResult> => {
    const base = { kind: 'log' as const, bucket, key, account: loc.account, region: loc.region };
    let res;
    try {
      res = await run.objects.get(bucket, key);
    } catch (e) {
      const c = classifyError(e, ['NoSuchKey']);
      if (c.kind === 'absent') return { ...base, verdict: 'missing', reason: 'not found' };
      throw logReadFailure(e, bucket, key);
    }
    const share = state.onLogFile;
    const tap = share ? tapBody(res.body, SHARE_BODY_CAP) : undefined;
    const out = await run.hasher.hash(tap ? tap.body : res.body, { maxCompressed: limits.logCompressed, maxInflated: limits.logInflated }, res.size);
    const body = out.kind === 'hash' ? tap?.bytes() : undefined;
    if (body) share!(bucket, key, body);
    if (out.kind === 'invalid format') return { ...base, verdict: 'invalid', reason: 'invalid format', detail: out.detail };
    if (out.kind !== 'hash') return { ...base, verdict: 'invalid', reason: out.kind };
    state.bytesHashed += out.inflatedBytes;
    if (out.sha256 !== expected) return { ...base, verdict: 'invalid', reason: "hash value doesn't match" };
    return { ...base, verdict: 'valid' };
  };

  const runPass = async (list: string[], isBackfill: boolean, onWalked?: () => void): Promise<void> => {
    if (list.length === 0) return;
    const kind = isBackfill ? ('backfill-digest' as const) : ('digest' as const);
    const counts = isBackfill ? state.summary.backfillDigests : state.summary.digests;
    const backfillKeys = new Map<string, PublicKeyEntry>();
    const inflight = new Map<string, Promise<Fetched>>();
    const seen = new Set<string>();
    const prefetch = (bucket: string, key: string) => {
      const id = `${bucket}/${key}`;
      if (seen.has(id)) return;
      seen.add(id);
      const p = run.digestLimit(() => fetchDigest(run.objects, bucket, key, digestCap));
      p.catch(() => undefined);
      inflight.set(id, p);
    };
    const take = (bucket: string, key: string): Promise<Fetched> => {
      const id = `${bucket}/${key}`;
      prefetch(bucket, key);
      const p = inflight.get(id)!;
      inflight.delete(id);
      return p;
    };
    const stack = [...list];
    const popOlder = (ts: string): string | undefined => {
      while (stack.length) {
        const k = stack.pop()!;
        if (digestKeyTimestamp(k) < ts) return k;
      }
      return undefined;
    };
    const lookahead = (current: string) => {
      const ts = digestKeyTimestamp(current);
      while (stack.length && digestKeyTimestamp(stack[stack.length - 1]!) >= ts) stack.pop();
      for (let i = stack.length - 1, n = 0; i >= 0 && n < 6; i--, n++) prefetch(bucket, stack[i]!);
    };

    let bucket = run.trail.bucket;
    let key: string | undefined = stack.pop();
    let lastStart = key ? (parseCompact(digestKeyTimestamp(key))?.getTime() ?? 0) : 0;
    let link: { key: string; hash: unknown; signature: unknown; newerStart: number } | undefined;
    let segment: { start: number; end: number; digests: number } | undefined;
    const visited = new Set<string>();
    const closeSegment = (endReason: ChainSummary['endReason']) => {
      if (!segment) return;
      const c: ChainSummary = { account: loc.account, region: loc.region, start: isoSeconds(new Date(segment.start)), end: isoSeconds(new Date(segment.end)), endReason, digests: segment.digests, ...(isBackfill ? { backfill: true } : {}) };
      ordered.push(() => state.chains.push(c));
      segment = undefined;
    };
    let stoppedBy: ChainSummary['endReason'] = 'no-older-digest';

    while (key && start.getTime() <= lastStart) {
      const current: string = key;
      if (visited.has(`${bucket}/${current}`)) {
        orderedNotice({ kind: 'link-mismatch', account: loc.account, region: loc.region, message: `digest chain loops back to s3://${bucket}/${inertLine(current, 500)}`, problem: true });
        state.summary.linkMismatches++;
        break;
      }
      visited.add(`${bucket}/${current}`);
      const fetchedP = take(bucket, current);
      lookahead(current);
      const fetched = await fetchedP;
      const base = { kind, bucket, key: current, account: loc.account, region: loc.region };
      const fail = async (verdict: 'invalid' | 'missing', reason: string, detail?: string) => {
        counts[verdict]++;
        if (isBackfill) state.summary.digests[verdict]++;
        const fr: FileResult = { ...base, verdict, reason, ...(detail ? { detail } : {}) };
        ordered.push(() => state.record(fr));
        closeSegment(verdict === 'missing' ? 'previous-digest-missing' : 'previous-digest-invalid');
        link = undefined;
        key = popOlder(digestKeyTimestamp(current));
        await ordered.waitBelow(backlog);
      };
      if (fetched.status === 'missing') {
        await fail('missing', 'not found');
        continue;
      }
      if (fetched.status === 'too-large') {
        await fail('invalid', 'invalid format', 'digest larger than the size cap');
        continue;
      }
      const parsed = parseDigestBody(fetched.body!, limits.digestInflated);
      if (!parsed.ok) {
        await fail('invalid', 'invalid format', parsed.detail);
        continue;
      }
      const meta = fetched.metadata ?? {};
      const json: DigestJson = parsed.json;
      if (meta['signature'] === undefined || meta['signature-algorithm'] === undefined) {
        await fail('invalid', 'signature verification failed', 'signature metadata missing');
        continue;
      }
      const bft = isBackfill ? meta['backfill-generation-timestamp'] : undefined;
      if (isBackfill && (bft === undefined || Number.isNaN(Date.parse(bft)))) {
        await fail('invalid', 'invalid format', 'backfill-generation-timestamp metadata missing');
        continue;
      }
      const missingKey = missingRequiredKey(json);
      const startMs = typeof json.digestStartTime === 'string' ? Date.parse(json.digestStartTime) : NaN;
      const endMs = typeof json.digestEndTime === 'string' ? Date.parse(json.digestEndTime) : NaN;
      if (missingKey || Number.isNaN(startMs) || Number.isNaN(endMs)) {
        await fail('invalid', 'invalid format', missingKey ? `${missingKey} missing` : 'digestStartTime/digestEndTime not a time');
        continue;
      }
      if (json.digestS3Bucket !== bucket || json.digestS3Object !== current) {
        await fail('invalid', 'has been moved from its original location');
        continue;
      }
      const fp = String(json.digestPublicKeyFingerprint);
      let entry: PublicKeyEntry | undefined;
      if (isBackfill) {
        entry = backfillKeys.get(fp);
        if (!entry) {
          const b = Date.parse(bft!);
          for (const [k, v] of await run.keys.between(loc.region, new Date(b - HOUR), new Date(b + HOUR))) backfillKeys.set(k, v);
          entry = backfillKeys.get(fp);
        }
      } else {
        entry = (await run.keys.standard(loc.region)).get(fp);
      }
      if (!entry) {
        await fail('invalid', `public key not found in region ${run.trail.homeRegion} for fingerprint ${inertLine(fp, 100)}`);
        continue;
      }
      const keyObj = PublicKeyStore.keyObject(entry);
      if (!keyObj) {
        await fail('invalid', `Unable to load PKCS #1 key with fingerprint ${inertLine(fp, 100)}`);
        continue;
      }
      const signature = meta['signature']!;
      if (!verifySignature(signingString(json, parsed.sha256), keyObj, signature)) {
        await fail('invalid', 'signature verification failed', /^(?:[0-9a-fA-F]{2})+$/.test(signature) ? undefined : 'signature is not hex');
        continue;
      }

      // ---- valid ----
      counts.valid++;
      if (isBackfill) state.summary.digests.valid++;
      names.digests.add(`${bucket}/${current}`);
      if (link && link.key === current) {
        const problemsHere: string[] = [];
        if (link.hash !== parsed.sha256) problemsHere.push('previousDigestHashValue does not match its SHA-256');
        if (typeof link.signature !== 'string' || link.signature.toLowerCase() !== signature.toLowerCase()) problemsHere.push('previousDigestSignature does not match its signature');
        if (problemsHere.length) {
          state.summary.linkMismatches++;
          orderedNotice({ kind: 'link-mismatch', account: loc.account, region: loc.region, message: `s3://${bucket}/${inertLine(current, 500)}: the next digest's ${problemsHere.join(' and ')}`, problem: true });
        }
        if (link.newerStart !== endMs) {
          orderedNotice({ kind: 'hole', account: loc.account, region: loc.region, message: `hole in the digest chain: s3://${bucket}/${inertLine(current, 500)} ends at ${isoSeconds(new Date(endMs))} but the next digest starts at ${isoSeconds(new Date(link.newerStart))}`, problem: false });
        }
      }
      const okFile: FileResult = { ...base, verdict: 'valid' };
      ordered.push(() => state.record(okFile));
      state.foundStart = Math.min(state.foundStart ?? Infinity, Math.max(startMs, start.getTime()));
      state.foundEnd = Math.max(state.foundEnd ?? -Infinity, Math.min(endMs, end.getTime()));
      if (!isBackfill) {
        ranges.push({ start: startMs, end: endMs });
        newestStandardEnd = Math.max(newestStandardEnd ?? -Infinity, endMs);
      }
      if (!segment) segment = { start: startMs, end: endMs, digests: 0 };
      segment.start = Math.min(segment.start, startMs);
      segment.digests++;
      lastStart = startMs;

      // its log files, in the pool
      const logFiles = Array.isArray(json.logFiles) ? json.logFiles : [];
      for (const lf of logFiles as Array<Record<string, unknown>>) {
        const lb = lf && typeof lf.s3Bucket === 'string' ? lf.s3Bucket : undefined;
        const lk = lf && typeof lf.s3Object === 'string' ? lf.s3Object : undefined;
        if (!lb || !lk) {
          state.summary.logs.invalid++;
          const badEntry: FileResult = { kind: 'log', bucket: lb ?? '', key: lk ?? '(no s3Object)', verdict: 'invalid', reason: 'invalid format', detail: 'logFiles entry without s3Bucket/s3Object', account: loc.account, region: loc.region };
          ordered.push(() => state.record(badEntry));
          continue;
        }
        names.logs.add(`${lb}/${lk}`);
        const p = run.logLimit(() => checkLog(lb, lk, lf.hashValue)).then((r) => {
          state.summary.logs[r.verdict === 'valid' ? 'valid' : r.verdict === 'missing' ? 'missing' : 'invalid']++;
          return () => state.record(r);
        });
        ordered.push(p);
        await ordered.waitBelow(backlog);
      }

      const prevBucket = json.previousDigestS3Bucket;
      const prevObject = json.previousDigestS3Object;
      if (prevBucket === null || prevBucket === undefined || prevObject === null || prevObject === undefined) {
        const next = popOlder(digestKeyTimestamp(current));
        if (next) {
          const olderEnd = parseCompact(digestKeyTimestamp(next));
          orderedNotice({
            kind: 'gap',
            account: loc.account,
            region: loc.region,
            message: `${isBackfill ? '(backfill) ' : ''}No log files were delivered by CloudTrail between ${olderEnd ? isoSeconds(olderEnd) : digestKeyTimestamp(next)} and ${isoSeconds(new Date(startMs))}`,
            problem: false,
          });
          closeSegment('chain-restarted');
        } else closeSegment('chain-start');
        key = next;
        link = undefined;
      } else {
        if (String(prevBucket) !== bucket) {
          orderedNotice({ kind: 'other-bucket', account: loc.account, region: loc.region, message: `the chain continues in bucket ${inertLine(String(prevBucket), 100)}`, problem: false });
          bucket = String(prevBucket);
        }
        key = String(prevObject);
        link = { key, hash: json.previousDigestHashValue, signature: json.previousDigestSignature, newerStart: startMs };
        // fetched ahead while this digest's logs hash, unless the walk stops here (window start)
        if (start.getTime() <= startMs) prefetch(bucket, key);
      }
      stoppedBy = 'window-start';
    }
    if (segment) closeSegment(key ? stoppedBy : 'no-older-digest');
    onWalked?.();
    await ordered.drain();
  };

  // The log-folder listing for §5.10.1 needs only the walked chain (coverage and names), not the
  // hashes: it runs while the walk's last log files are still hashing instead of after them.
  let listing: Promise<Uncovered> | undefined;
  const startListing = () => {
    if (listing || ranges.length === 0) return;
    listing = listUncovered(run, loc, ranges, names, (day) => prelisted.get(day));
    listing.catch(() => undefined); // awaited below; a failure surfaces there
  };
  await runPass(standard, false, startListing);
  startListing();
  await runPass(backfill, true);

  // ---- §5.10.2: deleted newest digest(s) ----------------------------------------------------
  if (newestStandardEnd !== undefined) {
    const expected = Math.min(end.getTime(), now.getTime() - HOUR);
    if (newestStandardEnd < expected - 15 * 60_000) {
      const stale = newestStandardEnd;
      emit(() => state.notice({
        kind: 'stale-newest',
        account: loc.account,
        region: loc.region,
        message: `no digest after ${isoSeconds(new Date(stale))} although the window runs to ${isoSeconds(end)}: newer digests were deleted, or logging or validation stopped (compare GetTrailStatus LatestDigestDeliveryTime)`,
        problem: false,
      }));
    }
  }

  // ---- §5.10.1: log files named by no digest --------------------------------------------------
  if (listing) await reportUnlisted(run, loc, await listing, names, emit);
}

/**
 * The day folders the unlisted-file check is sure to list on a healthy chain, listed from the start
 * of the walk instead of after it. After the walk, the listing (several pages a day on a busy trail)
 * ran while only the last log files were hashing, and decided when the run ended. Sure to list: the
 * check lists from an hour before the walked coverage (which reaches the window's start, or the
 * chain's first digest an hour or so before its delivery) to an hour after it (which reaches the
 * newest digest's delivery), so the days from max(start, oldest delivery) − 1 h to the newest
 * delivery. A chain that breaks off may leave some of these unused: a listing spent, never a verdict.
 */
function prelistLogDays(run: ValidationRun, loc: ChainLocation, standard: string[]): Map<string, Promise<string[]>> {
  const out = new Map<string, Promise<string[]>>();
  const oldest = standard.length ? parseCompact(digestKeyTimestamp(standard[0]!))?.getTime() : undefined;
  const newest = standard.length ? parseCompact(digestKeyTimestamp(standard[standard.length - 1]!))?.getTime() : undefined;
  if (oldest === undefined || newest === undefined) return out;
  const lower = Math.max(run.start.getTime(), oldest) - HOUR;
  const first = new Date(lower);
  for (let d = Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), first.getUTCDate()); d <= newest; d += 86_400_000) {
    const day = dateFolder(new Date(d));
    const p = run.digestLimit(async () => {
      const keys: string[] = [];
      await listAll(run.s3, run.trail.bucket, `${logFolder(loc)}${day}/`, (k) => keys.push(k));
      return keys;
    });
    p.catch(() => undefined); // awaited by the check, which reports a failure; unused days stay quiet
    out.set(day, p);
  }
  return out;
}
