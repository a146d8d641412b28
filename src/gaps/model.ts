import type { GapReport } from '../evidence/gaps.js';

// The report's types are part of the evidence model (src/evidence/gaps.ts, its schema in
// gaps-schema.ts, which only the code that parses evidence loads).
export { DESTINATIONS } from '../evidence/gaps.js';
export type { Bounds, Destination, GapEvent, GapReport, GapWindow, HourRow, Sampling, SkippedFile, TooLargeEvent } from '../evidence/gaps.js';

/** LookupEvents calls `gaps` spends by default (≈3.5 min at 2 requests/s) and the sampling seed. */
export const DEFAULT_MAX_LOOKUP_CALLS = 400;
export const DEFAULT_SEED = 1;

/** CloudWatch Logs refuses events larger than 256 KB; CloudTrail still delivers them to S3. */
export const CLOUDWATCH_EVENT_SIZE_LIMIT = 256 * 1024;
/** CloudWatch Logs counts each event as its UTF-8 message plus 26 bytes of overhead. */
export const exceedsCloudWatchLimit = (recordBytes: number): boolean => recordBytes + 26 > CLOUDWATCH_EVENT_SIZE_LIMIT;
/** Events younger than this are not yet missing: CloudTrail delivers "about every 5 minutes", with no SLA. */
export const DEFAULT_DELIVERY_DELAY_MS = 15 * 60_000;
/** How long after an event its log file may land and still count (files are scanned up to end + this). */
export const DEFAULT_LATE_DELIVERY_MS = 60 * 60_000;

/** Exit code of `trail-doctor gaps`: 0 nothing missing, 1 something missing, 3 could not check. */
export function gapsExitCode(r: GapReport): number {
  if (r.status === 'could-not-check') return 3;
  const estimated = r.sampling?.estimate.missing.value ?? 0;
  return r.totals.missing > 0 || estimated > 0 || r.gaps.length > 0 ? 1 : 0;
}
