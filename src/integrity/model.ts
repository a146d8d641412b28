import type { FileKind, FileVerdict } from '../evidence/integrity.js';

// What `diagnose` keeps of a validation is part of the evidence model (src/evidence/integrity.ts,
// its schema in integrity-schema.ts, which only the code that parses evidence loads).
export { FILE_KINDS, FILE_VERDICTS, MAX_EVIDENCE_PROBLEMS } from '../evidence/integrity.js';
export type { FileKind, FileVerdict, IntegrityEvidence, IntegrityProblem } from '../evidence/integrity.js';

/** What `validate` and `collectIntegrity` take and return. */

/**
 * Log files in flight. With 32, a 25 ms round trip left the hashing threads waiting for bodies at
 * times (7-day benchmark: 7.1 s; 48: 6.7 s); 48 also stays below the SDK agent's 50 sockets.
 */
export const DEFAULT_CONCURRENCY = 48;

export interface FileResult {
  kind: FileKind;
  bucket: string;
  key: string;
  verdict: FileVerdict;
  /** The CLI's wording after `INVALID: ` (e.g. `hash value doesn't match`, `not found`). */
  reason?: string;
  /** Our own detail (e.g. `CRC32 mismatch`), never part of the CLI-parity text. */
  detail?: string;
  account: string;
  region: string;
}

export interface ValidateOptions {
  /** Trail name or ARN. */
  trail: string;
  /** Region the trail is looked up in (and the default source region). */
  region: string;
  /** Source regions to validate; default: the trail's home region, or every region with digests for a multi-region trail. */
  regions?: string[];
  start: Date;
  end: Date;
  /** Member account (organization trails) or another account's chain. */
  accountId?: string;
  s3Bucket?: string;
  s3Prefix?: string;
  /** Log files fetched and hashed at once (default DEFAULT_CONCURRENCY). */
  concurrency?: number;
  /** Worker threads that inflate and hash log files (default: one per core, at most 4; 0 hashes in this thread). */
  hashThreads?: number;
  verbose?: boolean;
  /** Called for each file verdict, in the CLI's order (newest digest first, then its logs). */
  onFile?: (f: FileResult) => void;
  /** Called once the trail is resolved (its ARN), before any file verdict. */
  onResolved?: (trailArn: string) => void;
  /**
   * Handed each log file's compressed body once it was read to its end and hashed (whatever the
   * verdict on its hash), for another pass of the same run that needs the records.
   */
  onLogFile?: (bucket: string, key: string, body: Buffer) => void;
  /** Called for notices (gaps, chain restarts), in order. */
  onNotice?: (n: Notice) => void;
  /** The clock for "is the newest digest recent enough" (default: now). */
  now?: Date;
  /** Size caps (bytes). */
  limits?: { digestCompressed?: number; digestInflated?: number; logCompressed?: number; logInflated?: number };
}

export interface Notice {
  kind: 'gap' | 'link-mismatch' | 'hole' | 'stale-newest' | 'other-bucket';
  account: string;
  region: string;
  message: string;
  /** Counted as a problem (exit 1) when true. */
  problem: boolean;
}

export interface ChainSummary {
  account: string;
  region: string;
  /** Oldest covered time (valid digests) in the chain segment, ISO. */
  start: string;
  /** Newest covered time, ISO. */
  end: string;
  /** Why the walk, going back in time, stopped here. */
  endReason: 'window-start' | 'chain-start' | 'chain-restarted' | 'previous-digest-missing' | 'previous-digest-invalid' | 'no-older-digest';
  digests: number;
  backfill?: boolean;
}

export interface Counts {
  valid: number;
  invalid: number;
  missing: number;
}

export interface ValidationSummary {
  digests: Counts;
  logs: Counts & { unlisted: number };
  /** Additive: backfill digests alone (also included in `digests`). */
  backfillDigests: Counts;
  /** Additive: digest links whose previousDigestHashValue / previousDigestSignature do not match. */
  linkMismatches: number;
}

export type ValidationStatus = 'ok' | 'no-digests' | 'could-not-check';

export interface ValidationResult {
  status: ValidationStatus;
  trailArn: string;
  bucket: string;
  prefix: string;
  window: { start: string; end: string };
  /** CLI "Results found for" range, when any digest was valid. */
  found?: { start: string; end: string };
  summary: ValidationSummary;
  chains: ChainSummary[];
  notices: Notice[];
  /** Every file, only with `verbose`. */
  files?: FileResult[];
  /** Invalid, missing and unlisted files (capped at 10 000; `problemsTruncated` says so). */
  problems: FileResult[];
  problemsTruncated: boolean;
  /** When status is could-not-check: why, and the IAM action that would allow it. */
  error?: { message: string; needs?: string; code?: string };
  /** 0 valid, 1 invalid or missing, 3 could not check. */
  exitCode: 0 | 1 | 3;
  stats: { durationMs: number; apiCalls?: number; bytesHashed: number };
}
