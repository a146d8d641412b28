import type { Confidence, Trigger } from '../checks/types.js';
import type { DiagnosisVerdict as Verdict, Report } from '../model/index.js';

/**
 * The fleet scan's result: what `scan --format json` prints (schemaVersion 1, kind "scan"), what
 * `scan merge` reads back, and what every scan renderer takes. Plain data, no evidence: a trail's
 * full diagnosis is kept (in `details`) only when it found something.
 */
export const SCAN_SCHEMA_VERSION = 1;

/** How a region of an account is recorded: covered, proven not covered, or not provable either way. */
export type CoverageStatus = 'covered' | 'not-covered' | 'unknown';

export interface RegionCoverage {
  region: string;
  /** ARNs of the logging trails that record this account's management events in this region. */
  coveredBy: string[];
  status: CoverageStatus;
  /** Why coverage could not be decided (status unknown): the trail whose status could not be read, ... */
  reason?: string;
}

export interface ScanRootCause {
  id: string;
  confidence: Confidence;
  summary: string;
  trigger?: Trigger;
}

export interface ScanTrail {
  arn: string;
  name: string;
  homeRegion: string;
  isOrganizationTrail: boolean;
  isMultiRegionTrail: boolean;
  /** Whether the trail counts as coverage: logging and recording management events (undefined: unknown). */
  recordsManagementEvents?: boolean;
  isLogging?: boolean;
  verdict: Verdict;
  rootCauses: ScanRootCause[];
}

export interface ScanAccount {
  accountId: string;
  name?: string;
  status: 'ok' | 'unreachable';
  reason?: string;
  /** What could not be read in this account (it makes the scan inconclusive, never a problem). */
  unverified: string[];
  regions: RegionCoverage[];
  /** The trails this account owns, each diagnosed once in its home region. */
  trails: ScanTrail[];
}

export type ScanFindingId = string;

export interface ScanFinding {
  accountId: string;
  region?: string;
  trailArn?: string;
  /** A root-cause id, or `account-unreachable`. */
  id: ScanFindingId;
  confidence: Confidence;
  summary: string;
  /** Additive: the chain of evidence and the fix, so every format can print them without the details. */
  evidence?: string[];
  remediation?: { summary: string; commands: string[] };
}

export interface ScanSummary {
  accounts: number;
  reachable: number;
  trails: number;
  healthy: number;
  problem: number;
  inconclusive: number;
  uncoveredRegions: number;
}

/** The full diagnosis of a trail that is not healthy, for the detail sections of a report. */
export interface ScanDetail {
  accountId: string;
  trailArn: string;
  report: Report;
}

export interface ScanResult {
  schemaVersion: 1;
  kind: 'scan';
  generatedAt: string;
  window: { start: string; end: string };
  /** How the accounts were chosen (additive): organization or caller, shard, role name. */
  scope: { organization: boolean; organizationId?: string; managementAccountId?: string; inactiveAccounts?: number; shard?: { index: number; count: number }; regions: 'enabled' | string[]; deep: boolean };
  summary: ScanSummary;
  accounts: ScanAccount[];
  findings: ScanFinding[];
  details: ScanDetail[];
  stats?: { durationMs: number; apiCalls: number };
}

export const ACCOUNT_UNREACHABLE = 'account-unreachable';
