import { mergeIntervals } from '../util/intervals.js';
import { ANY_DIGEST_NAME, dateFolder, digestFolder, digestKeyPattern, logFolder, logKeyDeliveryTime, type ChainLocation } from './keys.js';
import { parseDigestBody } from './digest.js';
import { fetchDigest, listAll } from './s3-reads.js';
import type { ValidationRun } from './state.js';
import type { FileResult } from './model.js';

/**
 * The unlisted-file check (cloudtrail-files.md §5.10.1): a log file delivered inside the time the
 * valid digests cover, yet named by no digest, was put there by someone other than CloudTrail (or
 * its digest was deleted). Log names carry no trail name, so the other trails' digests of the same
 * folders are read too before a file is called unlisted.
 */

const HOUR = 3_600_000;

export interface Interval {
  start: number;
  end: number;
}

/** Log and digest files the walked digests name, per chain (account × region). */
export interface ChainNames {
  logs: Set<string>;
  digests: Set<string>;
}

export interface Uncovered {
  candidates: string[];
  days: string[];
}

/**
 * Log keys delivered inside the valid digests' coverage and named by none of the digests walked so far.
 * `prelisted(day)`: that day folder's keys when a listing of it was started earlier (or undefined).
 */
export async function listUncovered(run: ValidationRun, loc: ChainLocation, ranges: Interval[], names: ChainNames, prelisted?: (day: string) => Promise<string[]> | undefined): Promise<Uncovered> {
  const { trail: tr } = run;
  const covered = mergeIntervals(ranges.map((r) => [r.start, r.end] as const)).map(([start, end]) => ({ start, end }));
  const inCoverage = (t: number) => covered.some((r) => t >= r.start && t + 60_000 <= r.end);
  const lo = covered[0]!.start - HOUR;
  const hi = covered[covered.length - 1]!.end + HOUR;
  const days: string[] = [];
  for (let d = Date.UTC(new Date(lo).getUTCFullYear(), new Date(lo).getUTCMonth(), new Date(lo).getUTCDate()); d <= hi; d += 86_400_000) days.push(dateFolder(new Date(d)));
  const candidates: string[] = [];
  const folder = logFolder(loc);
  const consider = (k: string) => {
    const t = logKeyDeliveryTime(k);
    if (t && inCoverage(t.getTime()) && !names.logs.has(`${tr.bucket}/${k}`)) candidates.push(k);
  };
  await Promise.all(
    days.map((day) => {
      const early = prelisted?.(day);
      if (early) return early.then((keys) => keys.forEach(consider));
      return run.digestLimit(() => listAll(run.s3, tr.bucket, `${folder}${day}/`, consider));
    }),
  );
  return { candidates, days };
}

/** Reports the candidates that no digest names, backfill and other trails' digests included. */
export async function reportUnlisted(run: ValidationRun, loc: ChainLocation, { candidates, days }: Uncovered, names: ChainNames, emit: (fn: () => void) => void): Promise<void> {
  if (candidates.length === 0) return;
  const { trail: tr, state } = run;
  // Log names carry no trail name: union the log lists of every other trail's digests in these folders.
  const others: string[] = [];
  const ours = digestKeyPattern(loc, tr.name, tr.homeRegion);
  await Promise.all(
    days.map((day) =>
      run.digestLimit(() =>
        listAll(run.s3, tr.bucket, `${digestFolder(loc)}${day}/`, (k) => {
          if (ANY_DIGEST_NAME.test(k) && !ours.test(k) && !names.digests.has(`${tr.bucket}/${k}`)) others.push(k);
        }),
      ),
    ),
  );
  await Promise.all(
    others.map((k) =>
      run.logLimit(async () => {
        const f = await fetchDigest(run.objects, tr.bucket, k, run.limits.digestCompressed ?? 32 * 1024 * 1024);
        if (f.status !== 'ok') return;
        const p = parseDigestBody(f.body!, run.limits.digestInflated);
        if (!p.ok || !Array.isArray(p.json.logFiles)) return;
        for (const lf of p.json.logFiles as Array<Record<string, unknown>>) {
          if (lf && typeof lf.s3Bucket === 'string' && typeof lf.s3Object === 'string') names.logs.add(`${lf.s3Bucket}/${lf.s3Object}`);
        }
      }),
    ),
  );
  for (const k of candidates.sort()) {
    if (names.logs.has(`${tr.bucket}/${k}`)) continue;
    state.summary.logs.unlisted++;
    const u: FileResult = { kind: 'log', bucket: tr.bucket, key: k, verdict: 'unlisted', reason: 'not named by any digest', account: loc.account, region: loc.region };
    emit(() => state.record(u));
  }
}
