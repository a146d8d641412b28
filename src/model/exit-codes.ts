import type { DiagnosisVerdict } from './report.js';

/**
 * Every exit code of every command (README "Exit codes" documents the same table):
 *
 * - 0 `healthy`: `diagnose` found nothing wrong and could check every step; `validate`: every file
 *   is valid; `gaps`: nothing is missing; `collect`, `policy`: success.
 * - 1 `problem`: a root cause with confidence `confirmed` or `likely`; `validate`: a file is invalid
 *   or missing; `gaps`: events are missing.
 * - 2 `usage`: bad input (unknown flag, malformed ARN, bad region or window, unreadable or corrupt
 *   evidence file): one line on stderr, nothing on stdout.
 * - 3 `inconclusive`: no root cause found, and some steps could not be checked; `validate` and
 *   `gaps`: could not check at all (no permission, no digests, no event history access).
 * - 4 `internalError`: trail-doctor itself failed in a way it did not anticipate (a bug, never the
 *   account's reality, which always becomes evidence): one line `trail-doctor: unexpected error: …`
 *   on stderr; with TRAIL_DOCTOR_DEBUG set, the stack trace follows.
 */
export const EXIT_CODES = { healthy: 0, problem: 1, usage: 2, inconclusive: 3, internalError: 4 } as const;
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** `diagnose`'s exit code for its verdict. */
export const exitCodeFor = (v: DiagnosisVerdict): ExitCode => EXIT_CODES[v];
