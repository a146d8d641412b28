import type { RootCauseId } from '../model/index.js';

/**
 * The answer of `trail-doctor trace`: one event's path from the API call to the trail's S3 log files
 * and CloudWatch Logs log group, where it was found, and why it is missing where it is not.
 */
export type Destination = 's3' | 'cloudwatch-logs';

/** The event as known from event history or from the log file it was found in. */
export interface TracedEvent {
  eventID: string;
  eventTime: string;
  eventName: string;
  eventSource: string;
  awsRegion: string;
  eventCategory: string;
  readOnly?: boolean;
  eventType?: string;
  username?: string;
  userIdentityArn?: string;
  recipientAccountId?: string;
  errorCode?: string;
  resources: { type?: string; arn?: string }[];
  /** Bytes of the record's JSON text (as in the log file when found there, else event history's). */
  sizeBytes?: number;
  /** Where the event itself was read. */
  source: 'event-history' | 's3';
}

export interface TraceCause {
  id: RootCauseId;
  /** Which destination it explains. */
  destination: Destination | 'both';
  evidence: string[];
  fix: string;
}

export interface DestinationResult {
  destination: Destination;
  /** The trail sends the event there (it records it and the destination is configured). */
  expected: boolean;
  found: 'yes' | 'no' | 'unknown';
  /** S3: bucket, the key folder, the delivery-time range of files that can hold it, and the file. */
  bucket?: string;
  folder?: string;
  fileTimeRange?: { from: string; to: string };
  filesRead?: number;
  key?: string;
  /** CloudWatch Logs: the group and the stream it is in. */
  logGroup?: string;
  logStream?: string;
  /** Why it could not be checked (the read that failed, with the IAM action it needs). */
  reason?: string;
  needs?: string;
}

export type TraceStatus = 'delivered' | 'missing' | 'pending' | 'not-recorded' | 'could-not-check' | 'not-found';

export interface TraceReport {
  status: TraceStatus;
  trail: { name: string; arn?: string; region: string; homeRegion?: string };
  query: { eventId?: string; eventName?: string; time?: string; username?: string; resourceName?: string };
  /** Event history could not confirm the event (data event, older than 90 days, unavailable). */
  eventHistory: { found: boolean; note?: string; candidates?: number };
  event?: TracedEvent;
  /** Does this trail record the event: each link of the judgement in order. */
  recorded: { verdict: 'yes' | 'no' | 'unknown'; chain: string[] };
  destinations: DestinationResult[];
  causes: TraceCause[];
  /** The whole evidence chain, in reading order. */
  evidence: string[];
  summary: string;
}

/** Exit codes: 0 delivered everywhere it should be, 1 missing (with its causes) or not recorded, 3 could not check (no event matched, or a destination could not be read). */
export function traceExitCode(r: TraceReport): number {
  if (r.status === 'delivered') return 0;
  if (r.status === 'could-not-check' || r.status === 'not-found') return 3;
  return 1;
}
