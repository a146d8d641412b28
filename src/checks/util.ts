import type { Evidence, TrailConfig, ChangeEvent } from '../evidence/schema.js';
import type { Probe } from '../evidence/probe.js';
import { inertLine } from '../util/text.js';
import { parseArn } from '../aws/arn.js';
import type { CheckResult, Finding, StepNumber, Unverified } from './types.js';

/**
 * Helpers shared by the checks: what the evidence says about the trail, its names for remediation
 * commands, and "could not verify" entries. Pure; never throws.
 */

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** The trail's configuration when step 1 saw it. */
export function trailOf(e: Evidence): TrailConfig | undefined {
  const p = e.steps?.s1?.trail;
  return p && p.status === 'ok' && p.value ? p.value : undefined;
}

/** The trail's status (GetTrailStatus) when step 2 read it. */
export function statusOf(e: Evidence) {
  const p = e.steps?.s2?.status;
  return p && p.status === 'ok' && p.value ? p.value : undefined;
}

/** A probe's value when it is `ok`. */
export function valueOf<T>(p: Probe<T> | undefined): T | undefined {
  return p && p.status === 'ok' && p.value !== undefined ? p.value : undefined;
}

/** `arn:partition:service:region:account:resource` → its parts (undefined when not an ARN). */
export { parseArn };

/** The account trail-doctor ran as (STS), else the trail's account. */
export function callerAccount(e: Evidence): string | undefined {
  return valueOf(e.steps?.s1?.caller)?.accountId ?? parseArn(trailOf(e)?.arn)?.account;
}

/** The account that owns the trail (from its ARN), else the caller's. */
export function trailAccount(e: Evidence): string | undefined {
  return parseArn(trailOf(e)?.arn)?.account ?? valueOf(e.steps?.s1?.caller)?.accountId;
}

export function partitionOf(e: Evidence): string {
  return valueOf(e.steps?.s1?.caller)?.partition ?? parseArn(trailOf(e)?.arn)?.partition ?? 'aws';
}

/** The region where global-service events (IAM, STS global endpoint, CloudFront) are recorded. */
export function globalEventsRegion(partition: string): string {
  if (partition === 'aws-us-gov') return 'us-gov-west-1';
  if (partition === 'aws-cn') return 'cn-north-1';
  return 'us-east-1';
}

/** What to pass to `--name`: the trail ARN (works for shadow and organization trails), else what the user gave. */
export function trailRef(e: Evidence): string {
  return shellArg(trailOf(e)?.arn ?? e.target?.trail ?? 'TRAIL');
}

/** The trail's human name. */
export function trailName(e: Evidence): string {
  return inertLine(trailOf(e)?.name ?? e.target?.trail ?? 'the trail', 200);
}

/** Region for trail-management commands: the trail's home region (UpdateTrail/StartLogging must run there). */
export function homeRegion(e: Evidence): string {
  return shellArg(trailOf(e)?.homeRegion ?? parseArn(trailOf(e)?.arn)?.region ?? e.target?.region ?? 'us-east-1');
}

/** The region the user asked about. */
export function targetRegion(e: Evidence): string {
  return shellArg(e.target?.region ?? trailOf(e)?.homeRegion ?? 'us-east-1');
}

export function bucketOf(e: Evidence): string | undefined {
  return e.steps?.s4?.bucket ?? trailOf(e)?.s3BucketName;
}

/**
 * A value safe to paste into a POSIX shell command line: plain AWS names pass as they are,
 * anything else is single-quoted (untrusted names must not become shell syntax).
 */
export function shellArg(s: string): string {
  const v = inertLine(String(s), 2_000);
  if (/^[A-Za-z0-9_@%+=:,./\-*]+$/.test(v)) return v;
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

/** The key path CloudTrail writes under: `[prefix/]AWSLogs/[o-id/]<account>/`. */
export function keyPath(e: Evidence, account?: string): string {
  const t = trailOf(e);
  const prefix = t?.s3KeyPrefix ? `${t.s3KeyPrefix.replace(/\/+$/, '')}/` : '';
  const org = t?.isOrganizationTrail ? valueOf(e.steps?.s6?.organizationId) : undefined;
  const acct = account ?? callerAccount(e) ?? trailAccount(e) ?? 'ACCOUNT';
  return `${prefix}AWSLogs/${org ? `${org}/` : ''}${acct}/`;
}

/** The bucket policy CloudTrail needs (AWS documentation's form), for remediation. */
export function cloudTrailBucketPolicy(e: Evidence): object {
  const t = trailOf(e);
  const bucket = bucketOf(e) ?? 'BUCKET';
  const account = trailAccount(e) ?? 'ACCOUNT';
  const partition = partitionOf(e);
  const prefix = t?.s3KeyPrefix ? `${t.s3KeyPrefix.replace(/\/+$/, '')}/` : '';
  const resources = [`arn:${partition}:s3:::${bucket}/${prefix}AWSLogs/${account}/*`];
  const org = t?.isOrganizationTrail ? valueOf(e.steps?.s6?.organizationId) : undefined;
  if (org) resources.push(`arn:${partition}:s3:::${bucket}/${prefix}AWSLogs/${org}/*`);
  const sourceArn = t?.arn ?? `arn:${partition}:cloudtrail:${homeRegion(e)}:${account}:trail/${trailName(e)}`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AWSCloudTrailAclCheck',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:GetBucketAcl',
        Resource: `arn:${partition}:s3:::${bucket}`,
        Condition: { StringEquals: { 'aws:SourceArn': sourceArn } },
      },
      {
        Sid: 'AWSCloudTrailWrite',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: resources.length === 1 ? resources[0] : resources,
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': sourceArn } },
      },
    ],
  };
}

/** Parses an ISO time; undefined when absent or invalid. */
export function ms(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

/** ISO-8601 UTC without milliseconds. */
export function isoOf(t: number): string {
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A duration for humans: "45 min", "3 h 20 min", "4 days 2 h". */
export function duration(msec: number): string {
  const m = Math.max(0, Math.round(msec / MINUTE));
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} days ${h % 24} h` : `${d} days`;
}

/** Text from the account, safe for one line of a report. */
export const safe = (s: unknown, max = 300): string => inertLine(String(s ?? ''), max);

/** An Unverified entry when a probe is denied or failed; undefined otherwise. */
export function unverifiedOf(p: Probe<unknown> | undefined, step: StepNumber, what: string, defaultNeeds: string): Unverified | undefined {
  if (!p || (p.status !== 'denied' && p.status !== 'error')) return undefined;
  if (p.optional) return undefined;
  const u: Unverified = { step, what, needs: p.needs ?? defaultNeeds };
  const call = p.call ?? (p.status === 'error' ? defaultNeeds : undefined);
  if (call && call !== u.needs) u.call = call;
  const reason = p.reason ?? p.errorCode;
  if (reason) u.reason = safe(reason, 500);
  return u;
}

export function result(findings: (Finding | undefined)[] = [], unverified: (Unverified | undefined)[] = []): CheckResult {
  return {
    findings: findings.filter((f): f is Finding => !!f),
    unverified: unverified.filter((u): u is Unverified => !!u),
  };
}

/** Change events of step 9 with one of these names, successful only (records with errorCode did nothing). */
export function changesNamed(e: Evidence, names: readonly string[]): ChangeEvent[] {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  return (e.steps?.s9?.changes ?? []).filter((c) => wanted.has(c.eventName.toLowerCase()) && !c.errorCode);
}

/** Does this change event touch one of these resource names (case-insensitive, ARN or short name)? */
export function touches(c: ChangeEvent, names: readonly (string | undefined)[]): boolean {
  const want = names.filter((n): n is string => !!n).map((n) => n.toLowerCase());
  if (!want.length) return false;
  const res = (c.resources ?? []).map((r) => r.toLowerCase());
  return res.some((r) => want.includes(r));
}

/** "step 9: StopLogging by arn:... at 2026-... from 1.2.3.4" */
export function describeChange(c: ChangeEvent): string {
  const who = c.actor ? ` by ${safe(c.actor)}` : '';
  const from = c.sourceIPAddress ? ` from ${safe(c.sourceIPAddress, 100)}` : '';
  return `step 9: ${safe(c.eventName, 100)}${who} at ${safe(c.eventTime, 40)}${from}`;
}

/** The newest S3 log file delivery time (key-name time), if step 6 listed files. */
export function newestDelivery(e: Evidence): number | undefined {
  const l = valueOf(e.steps?.s6?.listing);
  return ms(l?.newest?.deliveryTime);
}

/** Newest CloudWatch Logs event timestamp of the trail's log group (step 3). */
export function newestLogGroupEvent(e: Evidence): number | undefined {
  const s3 = e.steps?.s3;
  const fromStreams = valueOf(s3?.streams)?.streams.map((s) => ms(s.lastEventTimestamp) ?? 0) ?? [];
  const all = [ms(s3?.newestEventTime) ?? 0, ...fromStreams].filter((x) => x > 0);
  return all.length ? Math.max(...all) : undefined;
}

/** Sum of the IncomingLogEvents metric (step 8) between two times, or undefined without such data. */
export function metricEventsBetween(e: Evidence, start: number, end: number): number | undefined {
  const series = valueOf(e.steps?.s8?.metrics)?.filter((s) => s.metricName === 'IncomingLogEvents');
  if (!series?.length) return undefined;
  let sum = 0;
  let seen = false;
  for (const s of series) {
    s.timestamps.forEach((ts, i) => {
      const at = ms(ts);
      if (at === undefined) return;
      // a datapoint covers [at, at + period): count it when it lies inside [start, end)
      if (at >= start && at + s.periodSeconds * 1000 <= end) {
        seen = true;
        sum += s.values[i] ?? 0;
      }
    });
  }
  return seen ? sum : undefined;
}

/** Levenshtein distance, bounded to short strings (trail names are at most 128 characters). */
export function editDistance(a: string, b: string): number {
  a = a.slice(0, 200);
  b = b.slice(0, 200);
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The check context for evidence: the diagnosis clock is the collection time, so replays agree. */
export function contextOf(e: Evidence): { evidence: Evidence; now: Date } {
  const at = ms(e.collectedAt);
  return { evidence: e, now: new Date(at ?? 0) };
}
