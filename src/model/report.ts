import type { RunFaults } from '../evidence/faults.js';
import type { Confidence, Remediation, RootCauseId, Severity, Trigger, Unverified } from './root-causes.js';
import type { StepNumber } from './steps.js';

/**
 * The report: what every renderer takes (text, JSON, Markdown, HTML). Built by src/diagnosis from
 * evidence and findings; renderers make no AWS calls and no decisions.
 * The JSON format (`--format json`) is this object: schemaVersion 1 of
 * ../shared/reference/root-causes.md, plus additive fields (`timeline`, `integrity`, `gaps`, `stats`).
 */
export const REPORT_SCHEMA_VERSION = 1;

/** The diagnosis's overall answer (`report.verdict`), which also decides `diagnose`'s exit code. */
export type DiagnosisVerdict = 'healthy' | 'problem' | 'inconclusive';
export type StepStatus = 'ok' | 'problem' | 'unknown' | 'skipped';

export interface RootCause {
  id: RootCauseId;
  confidence: Confidence;
  severity: Severity;
  title: string;
  summary: string;
  evidence: string[];
  trigger?: Trigger;
  remediation: Remediation;
  data?: Record<string, unknown>;
}

export interface StepReport {
  step: StepNumber;
  title: string;
  status: StepStatus;
  summary: string;
  details: Record<string, unknown>;
}

export interface TimelinePoint {
  t: string;
  count: number;
}

export interface Timeline {
  start: string;
  end: string;
  now: string;
  intervalMinutes: number;
  s3: TimelinePoint[];
  cloudwatchLogs: TimelinePoint[];
  metrics: { label: string; points: TimelinePoint[] }[];
  gaps: { start: string; end: string; destination: 's3' | 'cloudwatch-logs' }[];
  changes: { time: string; eventName: string; actor?: string; sourceIPAddress?: string; isTrigger: boolean }[];
  startLoggingTime?: string;
  stopLoggingTime?: string;
  /**
   * The trail bucket's S3 server access logs, when they were read: CloudTrail's write attempts and
   * the refused ones per hour. Only hours with records are listed (the logs are best effort and
   * hours late: an hour without records is unknown, not zero).
   */
  accessLogs?: TimelineAccessLogs;
}

export interface TimelineAccessLogs {
  attempted: TimelinePoint[];
  refused: TimelinePoint[];
  /** Reading stopped at a cap: the counts are a lower bound. */
  capped: boolean;
  /** The newest record read: the logs reach about this far. */
  newestRecordTime?: string;
  firstRefused?: string;
  lastRefused?: string;
}

export interface Report {
  schemaVersion: 1;
  tool: { name: string; version: string };
  generatedAt: string;
  trail: { name: string; arn?: string; region: string; homeRegion?: string };
  window: { start: string; end: string };
  verdict: DiagnosisVerdict;
  rootCauses: RootCause[];
  steps: StepReport[];
  unverified: Unverified[];
  timeline?: Timeline;
  integrity?: unknown;
  gaps?: unknown;
  /** `faults`: what throttled, failed or timed out in the run, and whether its deadline passed. */
  stats?: { durationMs: number; apiCalls: number; longestChain?: number; faults?: RunFaults };
}
