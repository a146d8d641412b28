import pLimit from 'p-limit';
import { DescribeTrailsCommand, ListPublicKeysCommand, type Trail } from '@aws-sdk/client-cloudtrail';
import { GetBucketLocationCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { DescribeOrganizationCommand } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { KeyObject } from 'node:crypto';
import type { AwsClients } from '../aws/clients.js';
import { classifyError } from '../aws/call.js';
import { inertLine } from '../util/text.js';
import {
  accountBase,
  ANY_DIGEST_NAME,
  compactSeconds,
  dateFolder,
  digestFolder,
  digestKey,
  digestKeyPattern,
  digestKeyTimestamp,
  isoSeconds,
  logFolder,
  logKeyDeliveryTime,
  normPrefix,
  parseCompact,
  type ChainLocation,
} from './keys.js';
import { fingerprintOf, loadPublicKey, missingRequiredKey, parseDigestBody, signingString, verifySignature, type DigestJson } from './digest.js';
import { createHasher, inlineHasher, type Hasher } from './hash-pool.js';
import { OrderedQueue } from './ordered.js';
import { DEFAULT_CONCURRENCY, type ChainSummary, type Counts, type FileResult, type Notice, type ValidateOptions, type ValidationResult, type ValidationSummary } from './model.js';

const HOUR = 3_600_000;
const MAX_PROBLEMS = 10_000;

/** Validation could not run (permission, no public keys, S3 error): exit 3. */
export class CouldNotCheckError extends Error {
  override name = 'CouldNotCheckError';
  constructor(
    message: string,
    readonly needs?: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The input names nothing that exists (trail not found, malformed ARN): exit 2. */
export class ValidateInputError extends Error {
  override name = 'ValidateInputError';
}

const TRAIL_ARN = /^arn:([a-z-]+):cloudtrail:([a-z0-9-]+):(\d{12}):trail\/(.+)$/;

interface ResolvedTrail {
  arn: string;
  name: string;
  homeRegion: string;
  account: string;
  bucket: string;
  prefix: string;
  multiRegion: boolean;
  organization: boolean;
}

function s3Failure(err: unknown, what: string, needs: string): CouldNotCheckError {
  const c = classifyError(err);
  if (c.kind === 'denied') {
    const kms = /kms/i.test(c.message) || /KMS/.test(c.code);
    return new CouldNotCheckError(`could not ${what}: ${c.code}: ${c.message}`, kms ? `${needs}, kms:Decrypt` : needs, c.code);
  }
  return new CouldNotCheckError(`could not ${what}: ${c.code}${c.httpStatus ? ` (HTTP ${c.httpStatus})` : ''}: ${c.message}`, needs, c.code);
}

async function resolveTrail(clients: AwsClients, opts: ValidateOptions): Promise<ResolvedTrail> {
  const input = opts.trail.trim();
  const arnMatch = TRAIL_ARN.exec(input);
  if (input.startsWith('arn:') && !arnMatch) throw new ValidateInputError(`Invalid trail ARN provided: ${input}`);
  let found: Trail | undefined;
  let describeError: unknown;
  try {
    const res = await clients.cloudtrail(opts.region).send(new DescribeTrailsCommand({ trailNameList: [input], includeShadowTrails: true }));
    found = (res.trailList ?? []).find((t) => (arnMatch ? t.TrailARN === input : t.Name === input || t.TrailARN === input));
  } catch (e) {
    describeError = e;
  }
  if (!found && !opts.s3Bucket) {
    if (describeError) {
      const c = classifyError(describeError);
      if (c.kind === 'denied') throw new CouldNotCheckError(`could not look up the trail: ${c.code}: ${c.message}`, 'cloudtrail:DescribeTrails', c.code);
      throw new CouldNotCheckError(`could not look up the trail: ${c.code}: ${c.message}`, 'cloudtrail:DescribeTrails', c.code);
    }
    throw new ValidateInputError(`A trail could not be found for ${input} in ${opts.region}`);
  }
  const arn = found?.TrailARN ?? (arnMatch ? input : undefined);
  const m = arn ? TRAIL_ARN.exec(arn) : undefined;
  let account = m?.[3];
  if (!account) {
    try {
      account = (await clients.sts(opts.region).send(new GetCallerIdentityCommand({}))).Account;
    } catch {
      /* fall through */
    }
  }
  if (!account && !opts.accountId) throw new ValidateInputError('cannot tell the trail account: pass the trail ARN or --account');
  const name = m?.[4] ?? found?.Name ?? input;
  const homeRegion = found?.HomeRegion ?? m?.[2] ?? opts.region;
  return {
    arn: arn ?? `arn:aws:cloudtrail:${homeRegion}:${account ?? opts.accountId}:trail/${name}`,
    name,
    homeRegion,
    account: (account ?? opts.accountId)!,
    bucket: opts.s3Bucket ?? found!.S3BucketName!,
    prefix: opts.s3Prefix !== undefined ? opts.s3Prefix : (found?.S3KeyPrefix ?? ''),
    multiRegion: found?.IsMultiRegionTrail ?? false,
    organization: found?.IsOrganizationTrail ?? false,
  };
}

interface Fetched {
  status: 'ok' | 'missing' | 'too-large';
  body?: Buffer;
  metadata?: Record<string, string>;
}

interface PublicKeyEntry {
  der: Uint8Array;
  key?: KeyObject | null;
}

interface Interval {
  start: number;
  end: number;
}

function mergeIntervals(xs: Interval[]): Interval[] {
  const s = [...xs].sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const x of s) {
    const last = out[out.length - 1];
    if (last && x.start <= last.end) last.end = Math.max(last.end, x.end);
    else out.push({ ...x });
  }
  return out;
}

const emptyCounts = (): Counts => ({ valid: 0, invalid: 0, missing: 0 });

/**
 * Walks the digest chains of a trail over [start, end + 1 h] the way `aws cloudtrail validate-logs`
 * does (same verdicts, same order), concurrently: log files are fetched and hashed in a bounded pool
 * while digests are fetched ahead along the chain. Never throws on the account's reality: permission
 * and S3 failures come back as status `could-not-check` (exit 3). Bad input throws ValidateInputError.
 */
export async function validateTrail(clients: AwsClients, opts: ValidateOptions): Promise<ValidationResult> {
  const t0 = Date.now();
  const callsBefore = clients.callCount;
  const start = opts.start;
  const end = opts.end;
  const concurrency = Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY);
  const limits = opts.limits ?? {};
  const now = opts.now ?? new Date();
  const summary: ValidationSummary = {
    digests: emptyCounts(),
    logs: { ...emptyCounts(), unlisted: 0 },
    backfillDigests: emptyCounts(),
    linkMismatches: 0,
  };
  const chains: ChainSummary[] = [];
  const notices: Notice[] = [];
  const problems: FileResult[] = [];
  let problemsTruncated = false;
  const files: FileResult[] | undefined = opts.verbose ? [] : undefined;
  let foundStart: number | undefined;
  let foundEnd: number | undefined;
  let bytesHashed = 0;
  let anyDigestListed = false;

  const result = (status: ValidationResult['status'], trail: Partial<ResolvedTrail>, error?: ValidationResult['error']): ValidationResult => {
    const bad =
      summary.digests.invalid + summary.digests.missing + summary.logs.invalid + summary.logs.missing + summary.logs.unlisted + summary.linkMismatches +
      notices.filter((n) => n.problem).length;
    return {
      status,
      trailArn: trail.arn ?? opts.trail,
      bucket: trail.bucket ?? opts.s3Bucket ?? '',
      prefix: trail.prefix ?? opts.s3Prefix ?? '',
      window: { start: isoSeconds(start), end: isoSeconds(end) },
      ...(foundStart !== undefined && foundEnd !== undefined ? { found: { start: isoSeconds(new Date(foundStart)), end: isoSeconds(new Date(foundEnd)) } } : {}),
      summary,
      chains,
      notices,
      ...(files ? { files } : {}),
      problems,
      problemsTruncated,
      ...(error ? { error } : {}),
      exitCode: status === 'ok' ? (bad > 0 ? 1 : 0) : 3,
      stats: { durationMs: Date.now() - t0, apiCalls: clients.callCount - callsBefore, bytesHashed },
    };
  };

  let trail: ResolvedTrail | undefined;
  let hasher: Hasher = inlineHasher;
  try {
    trail = await resolveTrail(clients, opts);
    const tr = trail;
    opts.onResolved?.(tr.arn);
    // Bucket region: the S3 client must talk to the bucket's region (any region; moto ignores it).
    let bucketRegion = tr.homeRegion;
    try {
      const loc = await clients.s3(tr.homeRegion).send(new GetBucketLocationCommand({ Bucket: tr.bucket }));
      bucketRegion = loc.LocationConstraint ? (loc.LocationConstraint === 'EU' ? 'eu-west-1' : loc.LocationConstraint) : 'us-east-1';
    } catch {
      /* s3:GetBucketLocation is optional: assume the trail's home region */
    }
    const s3: S3Client = clients.s3(bucketRegion);
    const objects = clients.objects(bucketRegion);

    const listPrefixes = async (prefix: string): Promise<string[]> => {
      const out: string[] = [];
      let token: string | undefined;
      do {
        let res;
        try {
          res = await s3.send(new ListObjectsV2Command({ Bucket: tr.bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }));
        } catch (e) {
          throw s3Failure(e, `list s3://${tr.bucket}/${prefix}`, 's3:ListBucket');
        }
        for (const p of res.CommonPrefixes ?? []) if (p.Prefix) out.push(p.Prefix.slice(prefix.length).replace(/\/$/, ''));
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
        if (out.length > 10_000) break;
      } while (token);
      return out;
    };

    // ---- which chains: (account, source region) -------------------------------------------------
    let orgId: string | undefined;
    if (tr.organization) {
      try {
        orgId = (await clients.organizations().send(new DescribeOrganizationCommand({}))).Organization?.Id;
      } catch {
        /* fall back to the bucket's layout */
      }
      if (!orgId) orgId = (await listPrefixes(`${normPrefix(tr.prefix)}AWSLogs/`)).find((p) => /^o-[a-z0-9]{10,32}$/.test(p));
    }
    let accounts: string[];
    if (opts.accountId) accounts = [opts.accountId];
    else if (orgId) accounts = (await listPrefixes(`${normPrefix(tr.prefix)}AWSLogs/${orgId}/`)).filter((a) => /^\d{12}$/.test(a));
    else accounts = [tr.account];

    const locations: ChainLocation[] = [];
    for (const account of accounts) {
      let regions = opts.regions;
      if (!regions) {
        if (tr.multiRegion) regions = (await listPrefixes(`${accountBase({ prefix: tr.prefix, orgId, account })}CloudTrail-Digest/`)).filter((r) => /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/.test(r));
        else regions = [tr.homeRegion];
      }
      for (const region of [...regions].sort()) locations.push({ prefix: tr.prefix, orgId, account, region });
    }

    // ---- shared machinery ---------------------------------------------------------------------
    hasher = createHasher(opts.hashThreads);
    const logLimit = pLimit(concurrency);
    const digestLimit = pLimit(Math.min(8, concurrency + 2));
    const keyStores = new Map<string, Promise<Map<string, PublicKeyEntry>>>();

    const record = (f: FileResult) => {
      if (f.verdict !== 'valid') {
        if (problems.length < MAX_PROBLEMS) problems.push(f);
        else problemsTruncated = true;
      }
      files?.push(f);
      opts.onFile?.(f);
    };
    const notice = (n: Notice) => {
      notices.push(n);
      opts.onNotice?.(n);
    };

    const readAll = async (body: AsyncIterable<Uint8Array>, cap: number): Promise<Buffer | undefined> => {
      const parts: Buffer[] = [];
      let n = 0;
      const it = body[Symbol.asyncIterator]();
      try {
        for (;;) {
          const r = await it.next();
          if (r.done) break;
          n += r.value.byteLength;
          if (n > cap) return undefined;
          parts.push(Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength));
        }
      } finally {
        await it.return?.();
      }
      return Buffer.concat(parts);
    };

    const fetchDigest = async (bucket: string, key: string): Promise<Fetched> => {
      let res;
      try {
        res = await objects.get(bucket, key);
      } catch (e) {
        const c = classifyError(e, ['NoSuchKey']);
        if (c.kind === 'absent') return { status: 'missing' };
        throw s3Failure(e, `read digest s3://${bucket}/${inertLine(key, 300)}`, 's3:GetObject (and s3:ListBucket, without which S3 reports a missing key as AccessDenied)');
      }
      const body = await readAll(res.body, limits.digestCompressed ?? 32 * 1024 * 1024);
      if (!body) return { status: 'too-large' };
      return { status: 'ok', body, metadata: res.metadata };
    };

    const keysFrom = async (region: string, from: Date, to: Date): Promise<Map<string, PublicKeyEntry>> => {
      const out = new Map<string, PublicKeyEntry>();
      let token: string | undefined;
      let pages = 0;
      do {
        let res;
        try {
          res = await clients.cloudtrail(region).send(new ListPublicKeysCommand({ StartTime: from, EndTime: to, NextToken: token }));
        } catch (e) {
          const c = classifyError(e);
          throw new CouldNotCheckError(`could not list CloudTrail public keys in ${region}: ${c.code}: ${c.message}`, 'cloudtrail:ListPublicKeys', c.code);
        }
        for (const k of res.PublicKeyList ?? []) {
          if (!k.Value) continue;
          const der = typeof k.Value === 'string' ? Buffer.from(k.Value, 'base64') : k.Value;
          out.set(k.Fingerprint ?? fingerprintOf(der), { der });
        }
        token = res.NextToken;
      } while (token && ++pages < 100);
      return out;
    };

    const standardKeys = (region: string): Promise<Map<string, PublicKeyEntry>> => {
      let p = keyStores.get(region);
      if (!p) {
        const to = new Date(end.getTime() + 2 * HOUR);
        p = keysFrom(region, start, to).then((m) => {
          if (m.size === 0) throw new CouldNotCheckError(`No public keys found between ${isoSeconds(start)} and ${isoSeconds(to)} in ${region}`, 'cloudtrail:ListPublicKeys', 'NoPublicKeys');
          return m;
        });
        keyStores.set(region, p);
      }
      return p;
    };

    const keyObject = (e: PublicKeyEntry): KeyObject | null => {
      if (e.key === undefined) e.key = loadPublicKey(e.der) ?? null;
      return e.key;
    };

    /**
     * Log and digest files the walked digests name, per chain (account × region): a digest only names
     * its own folder's files, so a chain's names are dropped once its unlisted-file check is done.
     */
    interface ChainNames {
      logs: Set<string>;
      digests: Set<string>;
    }

    // ---- one chain ----------------------------------------------------------------------------
    const runChain = async (loc: ChainLocation, emit: (fn: () => void) => void): Promise<void> => {
      const names: ChainNames = { logs: new Set(), digests: new Set() };
      const pattern = digestKeyPattern(loc, tr.name, tr.homeRegion);
      const standard: string[] = [];
      const backfill: string[] = [];
      const startTs = compactSeconds(start);
      const endTs = compactSeconds(new Date(end.getTime() + HOUR));
      const folder = digestFolder(loc);
      let token: string | undefined;
      const startAfter = digestKey(loc, tr.name, tr.homeRegion, new Date(start.getTime() - 60_000));
      listing: do {
        let res;
        try {
          res = await s3.send(new ListObjectsV2Command({ Bucket: tr.bucket, Prefix: folder, StartAfter: token ? undefined : startAfter, ContinuationToken: token }));
        } catch (e) {
          throw s3Failure(e, `list digests under s3://${tr.bucket}/${folder}`, 's3:ListBucket');
        }
        for (const o of res.Contents ?? []) {
          const k = o.Key;
          if (!k || !pattern.test(k)) continue;
          const ts = digestKeyTimestamp(k);
          if (ts > endTs) break listing;
          if (ts < startTs) continue;
          (k.endsWith('_backfill.json.gz') ? backfill : standard).push(k);
        }
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
      const byTs = (a: string, b: string) => (digestKeyTimestamp(a) < digestKeyTimestamp(b) ? -1 : digestKeyTimestamp(a) > digestKeyTimestamp(b) ? 1 : 0);
      standard.sort(byTs);
      backfill.sort(byTs);
      if (standard.length + backfill.length === 0) return;
      anyDigestListed = true;

      const ranges: Interval[] = [];
      // files, notices and chain segments leave in walk order (a notice after the logs before it)
      const ordered = new OrderedQueue<() => void>((fn) => emit(fn));
      const orderedNotice = (n: Notice) => ordered.push(() => notice(n));
      const backlog = concurrency * 4;
      let newestStandardEnd: number | undefined;

      const checkLog = async (bucket: string, key: string, expected: unknown): Promise<FileResult> => {
        const base = { kind: 'log' as const, bucket, key, account: loc.account, region: loc.region };
        let res;
        try {
          res = await objects.get(bucket, key);
        } catch (e) {
          const c = classifyError(e, ['NoSuchKey']);
          if (c.kind === 'absent') return { ...base, verdict: 'missing', reason: 'not found' };
          throw s3Failure(e, `read log file s3://${bucket}/${inertLine(key, 300)}`, 's3:GetObject (and s3:ListBucket, without which S3 reports a missing key as AccessDenied)');
        }
        const out = await hasher.hash(res.body, { maxCompressed: limits.logCompressed, maxInflated: limits.logInflated });
        if (out.kind === 'invalid format') return { ...base, verdict: 'invalid', reason: 'invalid format', detail: out.detail };
        if (out.kind !== 'hash') return { ...base, verdict: 'invalid', reason: out.kind };
        bytesHashed += out.inflatedBytes;
        if (out.sha256 !== expected) return { ...base, verdict: 'invalid', reason: "hash value doesn't match" };
        return { ...base, verdict: 'valid' };
      };

      const runPass = async (list: string[], isBackfill: boolean, onWalked?: () => void): Promise<void> => {
        if (list.length === 0) return;
        const kind = isBackfill ? ('backfill-digest' as const) : ('digest' as const);
        const counts = isBackfill ? summary.backfillDigests : summary.digests;
        const backfillKeys = new Map<string, PublicKeyEntry>();
        const inflight = new Map<string, Promise<Fetched>>();
        const seen = new Set<string>();
        const prefetch = (bucket: string, key: string) => {
          const id = `${bucket}/${key}`;
          if (seen.has(id)) return;
          seen.add(id);
          const p = digestLimit(() => fetchDigest(bucket, key));
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

        let bucket = tr.bucket;
        let key: string | undefined = stack.pop();
        let lastStart = key ? (parseCompact(digestKeyTimestamp(key))?.getTime() ?? 0) : 0;
        let link: { key: string; hash: unknown; signature: unknown; newerStart: number } | undefined;
        let segment: { start: number; end: number; digests: number } | undefined;
        const visited = new Set<string>();
        const closeSegment = (endReason: ChainSummary['endReason']) => {
          if (!segment) return;
          const c: ChainSummary = { account: loc.account, region: loc.region, start: isoSeconds(new Date(segment.start)), end: isoSeconds(new Date(segment.end)), endReason, digests: segment.digests, ...(isBackfill ? { backfill: true } : {}) };
          ordered.push(() => chains.push(c));
          segment = undefined;
        };
        let stoppedBy: ChainSummary['endReason'] = 'no-older-digest';

        while (key && start.getTime() <= lastStart) {
          const current: string = key;
          if (visited.has(`${bucket}/${current}`)) {
            orderedNotice({ kind: 'link-mismatch', account: loc.account, region: loc.region, message: `digest chain loops back to s3://${bucket}/${inertLine(current, 500)}`, problem: true });
            summary.linkMismatches++;
            break;
          }
          visited.add(`${bucket}/${current}`);
          const fetchedP = take(bucket, current);
          lookahead(current);
          const fetched = await fetchedP;
          const base = { kind, bucket, key: current, account: loc.account, region: loc.region };
          const fail = async (verdict: 'invalid' | 'missing', reason: string, detail?: string) => {
            counts[verdict]++;
            if (isBackfill) summary.digests[verdict]++;
            const fr: FileResult = { ...base, verdict, reason, ...(detail ? { detail } : {}) };
            ordered.push(() => record(fr));
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
              for (const [k, v] of await keysFrom(loc.region, new Date(b - HOUR), new Date(b + HOUR))) backfillKeys.set(k, v);
              entry = backfillKeys.get(fp);
            }
          } else {
            entry = (await standardKeys(loc.region)).get(fp);
          }
          if (!entry) {
            await fail('invalid', `public key not found in region ${tr.homeRegion} for fingerprint ${inertLine(fp, 100)}`);
            continue;
          }
          const keyObj = keyObject(entry);
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
          if (isBackfill) summary.digests.valid++;
          names.digests.add(`${bucket}/${current}`);
          if (link && link.key === current) {
            const problemsHere: string[] = [];
            if (link.hash !== parsed.sha256) problemsHere.push('previousDigestHashValue does not match its SHA-256');
            if (typeof link.signature !== 'string' || link.signature.toLowerCase() !== signature.toLowerCase()) problemsHere.push('previousDigestSignature does not match its signature');
            if (problemsHere.length) {
              summary.linkMismatches++;
              orderedNotice({ kind: 'link-mismatch', account: loc.account, region: loc.region, message: `s3://${bucket}/${inertLine(current, 500)}: the next digest's ${problemsHere.join(' and ')}`, problem: true });
            }
            if (link.newerStart !== endMs) {
              orderedNotice({ kind: 'hole', account: loc.account, region: loc.region, message: `hole in the digest chain: s3://${bucket}/${inertLine(current, 500)} ends at ${isoSeconds(new Date(endMs))} but the next digest starts at ${isoSeconds(new Date(link.newerStart))}`, problem: false });
            }
          }
          const okFile: FileResult = { ...base, verdict: 'valid' };
          ordered.push(() => record(okFile));
          foundStart = Math.min(foundStart ?? Infinity, Math.max(startMs, start.getTime()));
          foundEnd = Math.max(foundEnd ?? -Infinity, Math.min(endMs, end.getTime()));
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
              summary.logs.invalid++;
              const badEntry: FileResult = { kind: 'log', bucket: lb ?? '', key: lk ?? '(no s3Object)', verdict: 'invalid', reason: 'invalid format', detail: 'logFiles entry without s3Bucket/s3Object', account: loc.account, region: loc.region };
              ordered.push(() => record(badEntry));
              continue;
            }
            names.logs.add(`${lb}/${lk}`);
            const p = logLimit(() => checkLog(lb, lk, lf.hashValue)).then((r) => {
              summary.logs[r.verdict === 'valid' ? 'valid' : r.verdict === 'missing' ? 'missing' : 'invalid']++;
              return () => record(r);
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
        listing = listUncovered(loc, ranges, names);
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
          emit(() => notice({
            kind: 'stale-newest',
            account: loc.account,
            region: loc.region,
            message: `no digest after ${isoSeconds(new Date(stale))} although the window runs to ${isoSeconds(end)}: newer digests were deleted, or logging or validation stopped (compare GetTrailStatus LatestDigestDeliveryTime)`,
            problem: false,
          }));
        }
      }

      // ---- §5.10.1: log files named by no digest --------------------------------------------------
      if (listing) await reportUnlisted(loc, await listing, names, emit);
    };

    const listAll = async (prefix: string, each: (key: string) => void) => {
      let token: string | undefined;
      do {
        let res;
        try {
          res = await s3.send(new ListObjectsV2Command({ Bucket: tr.bucket, Prefix: prefix, ContinuationToken: token }));
        } catch (e) {
          throw s3Failure(e, `list s3://${tr.bucket}/${prefix}`, 's3:ListBucket');
        }
        for (const o of res.Contents ?? []) if (o.Key) each(o.Key);
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
    };

    interface Uncovered {
      candidates: string[];
      days: string[];
    }

    /** Log keys delivered inside the valid digests' coverage and named by none of the digests walked so far. */
    const listUncovered = async (loc: ChainLocation, ranges: Interval[], names: ChainNames): Promise<Uncovered> => {
      const covered = mergeIntervals(ranges);
      const inCoverage = (t: number) => covered.some((r) => t >= r.start && t + 60_000 <= r.end);
      const lo = covered[0]!.start - HOUR;
      const hi = covered[covered.length - 1]!.end + HOUR;
      const days: string[] = [];
      for (let d = Date.UTC(new Date(lo).getUTCFullYear(), new Date(lo).getUTCMonth(), new Date(lo).getUTCDate()); d <= hi; d += 86_400_000) days.push(dateFolder(new Date(d)));
      const candidates: string[] = [];
      const folder = logFolder(loc);
      await Promise.all(
        days.map((day) =>
          digestLimit(() =>
            listAll(`${folder}${day}/`, (k) => {
              const t = logKeyDeliveryTime(k);
              if (t && inCoverage(t.getTime()) && !names.logs.has(`${tr.bucket}/${k}`)) candidates.push(k);
            }),
          ),
        ),
      );
      return { candidates, days };
    };

    /** Reports the candidates that no digest names, backfill and other trails' digests included. */
    const reportUnlisted = async (loc: ChainLocation, { candidates, days }: Uncovered, names: ChainNames, emit: (fn: () => void) => void): Promise<void> => {
      if (candidates.length === 0) return;
      // Log names carry no trail name: union the log lists of every other trail's digests in these folders.
      const others: string[] = [];
      const ours = digestKeyPattern(loc, tr.name, tr.homeRegion);
      await Promise.all(
        days.map((day) =>
          digestLimit(() =>
            listAll(`${digestFolder(loc)}${day}/`, (k) => {
              if (ANY_DIGEST_NAME.test(k) && !ours.test(k) && !names.digests.has(`${tr.bucket}/${k}`)) others.push(k);
            }),
          ),
        ),
      );
      await Promise.all(
        others.map((k) =>
          logLimit(async () => {
            const f = await fetchDigest(tr.bucket, k);
            if (f.status !== 'ok') return;
            const p = parseDigestBody(f.body!, limits.digestInflated);
            if (!p.ok || !Array.isArray(p.json.logFiles)) return;
            for (const lf of p.json.logFiles as Array<Record<string, unknown>>) {
              if (lf && typeof lf.s3Bucket === 'string' && typeof lf.s3Object === 'string') names.logs.add(`${lf.s3Bucket}/${lf.s3Object}`);
            }
          }),
        ),
      );
      for (const k of candidates.sort()) {
        if (names.logs.has(`${tr.bucket}/${k}`)) continue;
        summary.logs.unlisted++;
        const u: FileResult = { kind: 'log', bucket: tr.bucket, key: k, verdict: 'unlisted', reason: 'not named by any digest', account: loc.account, region: loc.region };
        emit(() => record(u));
      }
    };

    // Chains (account × region) run a few at a time; their output leaves in location order: the
    // head chain writes through, later ones buffer until every chain before them is done.
    const chainLimit = pLimit(4);
    const buffers: Array<Array<() => void>> = locations.map(() => []);
    const finished: boolean[] = locations.map(() => false);
    let head = 0;
    const emitter = (idx: number) => (fn: () => void) => {
      if (idx === head) fn();
      else buffers[idx]!.push(fn);
    };
    const finish = (idx: number) => {
      finished[idx] = true;
      while (head < locations.length && finished[head]) {
        head++;
        if (head < locations.length) {
          for (const fn of buffers[head]!) fn();
          buffers[head] = [];
        }
      }
    };
    await Promise.all(locations.map((loc, idx) => chainLimit(async () => {
      await runChain(loc, emitter(idx));
      finish(idx);
    })));
    return result(anyDigestListed ? 'ok' : 'no-digests', tr);
  } catch (e) {
    if (e instanceof ValidateInputError) throw e;
    if (e instanceof CouldNotCheckError) return result('could-not-check', trail ?? {}, { message: e.message, needs: e.needs, code: e.code });
    const c = classifyError(e);
    return result('could-not-check', trail ?? {}, { message: `${c.code}: ${c.message}`, code: c.code });
  } finally {
    await hasher.close();
  }
}
