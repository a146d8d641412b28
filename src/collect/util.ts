import type { Probe } from '../evidence/probe.js';
import { probe, probeFromError, type ProbeOptions } from '../aws/call.js';
import { inertLine, inertText } from '../util/text.js';

/** Shared helpers of the collectors: ARNs, times, policy documents, probes. */

// ARNs are parsed by one module (src/aws/arn.ts); the collectors' names for its helpers.
export { parseArn, type Arn } from '../aws/arn.js';
export { logGroupNameOf as logGroupNameFromArn, roleNameOf as roleNameFromArn } from '../aws/arn.js';

/** ISO-8601 UTC without milliseconds when they are zero. */
export function iso(d: Date | number | undefined): string | undefined {
  if (d === undefined) return undefined;
  const ms = typeof d === 'number' ? d : d.getTime();
  if (!Number.isFinite(ms)) return undefined;
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}
export const isoOf = (ms: number): string => iso(ms)!;

/** Drops undefined values and empty strings (a healthy status omits errors: never invent ""). */
export function compact<T extends Record<string, unknown>>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== '' && v !== null) out[k] = v;
  return out as T;
}

/** A text field from AWS: made inert, empty → undefined. */
export function text(s: string | undefined | null, max = 2_000): string | undefined {
  if (s === undefined || s === null || s === '') return undefined;
  return inertLine(s, max);
}

/** Largest policy document kept (IAM caps at 10 KB, S3 at 20 KB, KMS at 32 KB). */
export const MAX_POLICY_CHARS = 64_000;

/**
 * IAM returns policy documents URL-encoded; moto returns policy versions as plain JSON. Decode only
 * what is encoded.
 */
export function decodePolicy(doc: string | undefined): string | undefined {
  if (doc === undefined || doc === null) return undefined;
  let out = doc;
  if (out.trimStart().startsWith('%')) {
    try {
      out = decodeURIComponent(out);
    } catch {
      /* keep as given */
    }
  }
  return inertText(out, MAX_POLICY_CHARS);
}

/** Probe with explicit absent codes etc. Re-exported for the collectors' brevity. */
export { probe, probeFromError };
export type { ProbeOptions };

export const skippedProbe = <T>(reason: string, extra: Partial<Probe<T>> = {}): Probe<T> => ({ status: 'skipped', reason, ...extra });

/** The header S3 sends with the bucket's region (also on 301/400/403 answers to HeadBucket). */
export function bucketRegionFromError(err: unknown): string | undefined {
  const e = err as { $response?: { headers?: Record<string, string | undefined> }; BucketRegion?: string };
  const h = e?.$response?.headers ?? {};
  const r = h['x-amz-bucket-region'] ?? h['X-Amz-Bucket-Region'] ?? e?.BucketRegion;
  return typeof r === 'string' && /^[a-z0-9-]{4,30}$/.test(r) ? r : undefined;
}

export function httpStatusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

export function errorNameOf(err: unknown): string {
  const e = err as { name?: string; Code?: string; code?: string };
  return String(e?.Code ?? e?.name ?? e?.code ?? 'Error');
}

/** UTC day starts (00:00) covering [start, end]. */
export function daysCovering(start: Date, end: Date): Date[] {
  const out: Date[] = [];
  const d0 = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate());
  for (let t = d0; t <= end.getTime(); t += 86_400_000) out.push(new Date(t));
  return out;
}

export const hourFloor = (ms: number): number => ms - (((ms % 3_600_000) + 3_600_000) % 3_600_000);

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Parses a JSON log message defensively; undefined when it is not an object. */
export function parseJsonObject(s: string | undefined, maxChars = 1_000_000): Record<string, unknown> | undefined {
  if (!s || s.length > maxChars) return undefined;
  const t = s.trimStart();
  if (!t.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(t) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
