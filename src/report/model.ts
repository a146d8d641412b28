import type { RunFaults } from '../evidence/faults.js';
import type { Confidence, Remediation, RootCauseId, StepNumber, Trigger, Unverified, Severity } from '../checks/types.js';

/**
 * The report: what every renderer takes (text, JSON, Markdown, HTML). Built by src/diagnosis from
 * evidence and findings; renderers make no AWS calls and no decisions.
 * The JSON format (`--format json`) is this object: schemaVersion 1 of
 * ../shared/reference/root-causes.md, plus additive fields (`timeline`, `integrity`, `gaps`, `stats`).
 */
export const REPORT_SCHEMA_VERSION = 1;

export type Verdict = 'healthy' | 'problem' | 'inconclusive';
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
}

export interface Report {
  schemaVersion: 1;
  tool: { name: string; version: string };
  generatedAt: string;
  trail: { name: string; arn?: string; region: string; homeRegion?: string };
  window: { start: string; end: string };
  verdict: Verdict;
  rootCauses: RootCause[];
  steps: StepReport[];
  unverified: Unverified[];
  timeline?: Timeline;
  integrity?: unknown;
  gaps?: unknown;
  stats?: { durationMs: number; apiCalls: number; longestChain?: number; faults?: RunFaults };
}

export const EXIT_CODES = { healthy: 0, problem: 1, usage: 2, inconclusive: 3 } as const;
export const exitCodeFor = (v: Verdict): number => EXIT_CODES[v];
