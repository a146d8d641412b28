import type { z } from 'zod';
import type { boundsSchema, gapEventSchema, gapReportSchema, gapWindowSchema, hourSchema, samplingSchema, skippedFileSchema, tooLargeEventSchema } from './gaps-schema.js';

/**
 * The audit-gap report: what event history recorded against what the trail delivered.
 * `window`, `totals` and `gaps` are the contract of `trail-doctor gaps --format json`; every other
 * field is additive. Stored in evidence.gaps for the diagnosis (30-day fallback, trigger ranking):
 * src/gaps produces it, parseEvidence validates it once, checks and the diagnosis read it typed.
 */
export const DESTINATIONS = ['s3', 'cloudwatch-logs'] as const;
export type Destination = (typeof DESTINATIONS)[number];

export type GapEvent = z.infer<typeof gapEventSchema>;
export type Bounds = z.infer<typeof boundsSchema>;
export type GapWindow = z.infer<typeof gapWindowSchema>;
export type HourRow = z.infer<typeof hourSchema>;
export type SkippedFile = z.infer<typeof skippedFileSchema>;
export type Sampling = z.infer<typeof samplingSchema>;
export type TooLargeEvent = z.infer<typeof tooLargeEventSchema>;
export type GapReport = z.infer<typeof gapReportSchema>;


/** At most this many gap windows are read from a report (the engine reports far fewer). */
export const MAX_GAP_WINDOWS = 1000;

/**
 * The gap windows of evidence.gaps whose start and end are times, oldest-listed first. The schema
 * checks shapes, not that strings parse as dates; an edited evidence file may hold any string.
 */
export function gapWindowsOf(report: GapReport | undefined): GapWindow[] {
  return (report?.gaps ?? []).slice(0, MAX_GAP_WINDOWS).filter((g) => !Number.isNaN(Date.parse(g.start)) && !Number.isNaN(Date.parse(g.end)));
}

/** A gap's ranked triggers, most plausible first: its `trigger`, then the other `candidates`. */
export function rankedTriggersOf(g: GapWindow): GapEvent[] {
  return [...(g.trigger ? [g.trigger] : []), ...(g.candidates ?? [])];
}
