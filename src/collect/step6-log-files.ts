import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { DescribeOrganizationCommand } from '@aws-sdk/client-organizations';
import type { Probe } from '../evidence/probe.js';
import type { Gap, LogFileRef, Step6 } from '../evidence/schema.js';
import { mapLimit, send } from './chain.js';
import { defineCollector, type CollectContext, type Outputs, type ResolvedTrail } from './types.js';
import { inBucketRegion } from './bucket-region.js';
import { daysCovering, hourFloor, iso, isoOf, probe, probeFromError, skippedProbe } from './util.js';
import { STEP_TITLES } from './progress.js';

/**
 * Step 6: log files delivered to S3 in the window. One listing per (account, region, day) prefix,
 * concurrently with a bound, paginated; never the whole bucket. Only aggregates are kept (counts,
 * bytes, hourly histogram, newest / oldest, the last few files, gaps), so memory stays bounded
 * whatever the bucket holds. A file's delivery time is the timestamp in its key name (CloudTrail's
 * own); LastModified is only a secondary signal.
 */

export const GAP_MINUTES = 30;
export const RECENT_FILES = 10;

const pad = (n: number) => String(n).padStart(2, '0');
export const dayPath = (d: Date) => `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;

/** `[prefix/]AWSLogs/[<o-id>/]<acct>/CloudTrail/<region>/` */
export function logRoot(opts: { prefix?: string; orgId?: string; account: string; region: string }): string {
  const p = opts.prefix ? `${opts.prefix.replace(/\/+$/, '')}/` : '';
  return `${p}AWSLogs/${opts.orgId ? `${opts.orgId}/` : ''}${opts.account}/CloudTrail/${opts.region}/`;
}

// The documented typo (no '_' before a 15-character unique string, cloudtrail-find-log-files.md) is tolerated.
const NAME = /^(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z(?:_[A-Za-z0-9]{16}|[A-Za-z0-9]{15,16})\.json\.gz$/;

/**
 * Strict parse of a log file key under a day folder (cloudtrail-files.md §1.1): the file name's account,
 * region and date must match the folder's. Returns the delivery time (ms) or undefined for any other key.
 */
export function parseLogFileKey(key: string, dayPrefix: string, account: string, region: string): number | undefined {
  if (!key.startsWith(dayPrefix)) return undefined;
  const m = NAME.exec(key.slice(dayPrefix.length));
  if (!m) return undefined;
  const [, acct, reg, y, mo, d, h, mi] = m as unknown as string[];
  if (acct !== account || reg !== region) return undefined;
  if (!dayPrefix.endsWith(`/${y}/${mo}/${d}/`)) return undefined;
  const t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi));
  const back = new Date(t);
  if (back.getUTCMonth() !== Number(mo) - 1 || back.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59) return undefined;
  return t;
}

type Listing = NonNullable<Step6['listing']['value']>;

/** Bounded aggregation over every listed log file. */
export class LogFileAggregate {
  fileCount = 0;
  totalBytes = 0;
  keysSeen = 0;
  lastModifiedMismatches = 0;
  newest?: LogFileRef & { t: number };
  oldest?: LogFileRef & { t: number };
  private recent: (LogFileRef & { t: number })[] = [];
  private readonly hours = new Map<number, { count: number; bytes: number }>();
  private readonly minutes = new Set<number>();

  constructor(private readonly window: { start: Date; end: Date }) {
    for (let h = hourFloor(window.start.getTime()); h <= hourFloor(window.end.getTime()); h += 3_600_000) this.hours.set(h, { count: 0, bytes: 0 });
  }

  add(key: string, t: number, size: number, lastModified?: Date): void {
    if (t < this.window.start.getTime() - 60_000 || t > this.window.end.getTime()) return;
    this.fileCount++;
    this.totalBytes += size;
    const h = this.hours.get(hourFloor(t));
    if (h) {
      h.count++;
      h.bytes += size;
    }
    this.minutes.add(t);
    const lm = lastModified?.getTime();
    if (lm !== undefined && Math.abs(lm - t) > 3_600_000) this.lastModifiedMismatches++;
    const ref = { key, deliveryTime: isoOf(t), ...(lm !== undefined ? { lastModified: iso(lm) } : {}), size, t };
    if (!this.newest || t > this.newest.t || (t === this.newest.t && key > this.newest.key)) this.newest = ref;
    if (!this.oldest || t < this.oldest.t || (t === this.oldest.t && key < this.oldest.key)) this.oldest = ref;
    const last = this.recent[this.recent.length - 1];
    if (this.recent.length < RECENT_FILES || (last && (t > last.t || (t === last.t && key > last.key)))) {
      this.recent.push(ref);
      this.recent.sort((a, b) => b.t - a.t || (a.key < b.key ? 1 : -1));
      if (this.recent.length > RECENT_FILES) this.recent.pop();
    }
  }

  gaps(): Gap[] {
    const ts = [...this.minutes].sort((a, b) => a - b);
    const out: Gap[] = [];
    for (let i = 1; i < ts.length; i++) {
      const minutes = (ts[i]! - ts[i - 1]!) / 60_000;
      if (minutes > GAP_MINUTES) out.push({ start: isoOf(ts[i - 1]!), end: isoOf(ts[i]!), minutes });
    }
    return out;
  }

  result(truncated: boolean, regions: string[]): Listing {
    const strip = (r?: LogFileRef & { t: number }): LogFileRef | undefined => {
      if (!r) return undefined;
      const { t, ...rest } = r;
      void t;
      return rest;
    };
    return {
      fileCount: this.fileCount,
      totalBytes: this.totalBytes,
      ...(this.newest ? { newest: strip(this.newest) } : {}),
      ...(this.oldest ? { oldest: strip(this.oldest) } : {}),
      recent: this.recent.map((r) => strip(r)!),
      hourly: [...this.hours.entries()].sort((a, b) => a[0] - b[0]).map(([h, v]) => ({ hour: isoOf(h), count: v.count, bytes: v.bytes })),
      gaps: this.gaps(),
      lastModifiedMismatches: this.lastModifiedMismatches,
      truncated,
      regions,
    };
  }
}

export const organizationCollector = defineCollector({
  name: 'organization',
  step: 6,
  title: STEP_TITLES[6],
  needs: ['trail'],
  apis: ['organizations:DescribeOrganization'],
  async run(clients, { trail }): Promise<Probe<string>> {
    const t = trail.resolved;
    if (!t) return skippedProbe(trail.skipReason ?? 'trail not found');
    if (!t.config.isOrganizationTrail) return skippedProbe('not an organization trail');
    return probe(
      () => send(clients.organizations(), new DescribeOrganizationCommand({})),
      (r) => r.Organization?.Id ?? '',
      { needs: 'organizations:DescribeOrganization', absentCodes: ['AWSOrganizationsNotInUseException'] },
    );
  },
});

/** Fallback when DescribeOrganization is not allowed: the `o-…/` folder under `[prefix/]AWSLogs/`. */
async function discoverOrgId(s3: S3Client, bucket: string, prefix: string | undefined): Promise<string | undefined> {
  const root = `${prefix ? `${prefix.replace(/\/+$/, '')}/` : ''}AWSLogs/`;
  try {
    const r = await send(s3, new ListObjectsV2Command({ Bucket: bucket, Prefix: root, Delimiter: '/', MaxKeys: 1000 }));
    for (const p of r.CommonPrefixes ?? []) {
      const m = /^o-[a-z0-9]{10,32}$/.exec((p.Prefix ?? '').slice(root.length).replace(/\/$/, ''));
      if (m) return m[0];
    }
  } catch {
    /* the listing below reports permission problems */
  }
  return undefined;
}

async function listDay(s3: S3Client, bucket: string, dayPrefix: string, account: string, region: string, agg: LogFileAggregate, ctx: CollectContext): Promise<{ truncated: boolean }> {
  let token: string | undefined;
  do {
    const r = await send(s3, new ListObjectsV2Command({ Bucket: bucket, Prefix: dayPrefix, ContinuationToken: token, MaxKeys: 1000 }));
    for (const o of r.Contents ?? []) {
      if (agg.keysSeen >= ctx.limits.maxKeys) return { truncated: true };
      agg.keysSeen++;
      if (!o.Key) continue;
      const t = parseLogFileKey(o.Key, dayPrefix, account, region);
      if (t === undefined) continue;
      agg.add(o.Key, t, o.Size ?? 0, o.LastModified);
    }
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token);
  return { truncated: false };
}

export const step6 = defineCollector({
  name: 's6',
  step: 6,
  title: STEP_TITLES[6],
  needs: ['trail', 'organization'],
  later: ['bucketLocation', 'caller'],
  apis: ['s3:ListBucket'],
  async run(clients, { trail, caller, bucketLocation, organization, ctx }): Promise<Step6> {
    const t = trail.resolved;
    const configured = t?.config.s3BucketName;
    const early = t && configured ? t.homeRegion : undefined;
    // The listing starts with HeadBucket, in the trail's home region (bucket-region.ts).
    const { location: bl, value } = await inBucketRegion(early, bucketLocation, (region, stale) => listWindow(clients.s3(region), t!, configured!, caller, organization, ctx, stale));
    if (!t || !bl.bucket || !bl.readable || !value) {
      return { prefixes: [], listing: skippedProbe(bl.skipReason ?? trail.skipReason ?? 'no bucket to list'), organizationId: organization };
    }
    return value;
  },
});

/** Lists every day prefix of the window; `stale()` true: stop starting listings (their answers will be dropped). */
async function listWindow(s3: S3Client, t: ResolvedTrail, bucket: string, callerOf: () => Promise<Outputs['caller']>, organization: Step6['organizationId'], ctx: CollectContext, stale: () => boolean): Promise<Step6> {
  const isOrg = t.config.isOrganizationTrail;
  // Log files are filed under the account whose events they hold: ours (for an organization trail seen
  // from a member account, the member's), else the trail owner's, which its ARN names: only an
  // organization trail waits for the caller's identity.
  const me = async () => {
    const caller = await callerOf();
    return caller.status === 'ok' ? caller.value?.accountId : undefined;
  };
  const account = (isOrg ? await me() : undefined) ?? (t.ownerAccount || undefined) ?? (await me()) ?? '';
  let orgId = organization.status === 'ok' ? organization.value : undefined;
  if (isOrg && !orgId) orgId = await discoverOrgId(s3, bucket, t.config.s3KeyPrefix);
  if (isOrg && !orgId) {
    return {
      prefixes: [],
      listing: { status: 'error', errorCode: 'OrganizationIdUnknown', needs: 'organizations:DescribeOrganization', reason: 'organization trail: the organization id (for AWSLogs/<o-id>/) could not be learned' },
      organizationId: organization,
    };
  }
  const region = ctx.region;
  const root = logRoot({ prefix: t.config.s3KeyPrefix, orgId, account, region });
  const prefixes = daysCovering(ctx.window.start, ctx.window.end).map((d) => `${root}${dayPath(d)}/`);
  const agg = new LogFileAggregate(ctx.window);
  const results = await mapLimit(prefixes, ctx.limits.listConcurrency, async (p) => {
    if (stale()) return { ok: { truncated: false } };
    try {
      return { ok: await listDay(s3, bucket, p, account, region, agg, ctx) };
    } catch (err) {
      return { err };
    }
  });
  const failed = results.filter((r) => r.err);
  let listing: Step6['listing'];
  if (failed.length === results.length && failed.length > 0) {
    listing = probeFromError(failed[0]!.err, { needs: 's3:ListBucket', absentCodes: ['NoSuchBucket'] });
  } else {
    const truncated = results.some((r) => r.ok?.truncated) || failed.length > 0;
    listing = { status: 'ok', value: agg.result(truncated, [region]) };
    if (failed.length) {
      const e = probeFromError(failed[0]!.err, { needs: 's3:ListBucket' });
      listing.reason = `${failed.length} of ${results.length} day prefixes could not be listed: ${e.reason}`;
    } else if (truncated) listing.reason = `stopped after ${ctx.limits.maxKeys} keys`;
  }
  return { prefixes, listing, organizationId: organization };
}

export const collectors = [organizationCollector, step6] as const;
