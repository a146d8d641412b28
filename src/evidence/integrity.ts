import type { z } from 'zod';
import type { integrityEvidenceSchema, integrityProblemSchema } from './integrity-schema.js';

/**
 * evidence.integrity: the digest chain validated over the window, as `diagnose` stores it. src/integrity
 * produces it (collectIntegrity); parseEvidence validates it once; the checks read it typed.
 */

/** What a file of the chain is: a digest, a digest CloudTrail delivered late (backfill), a log file. */
export const FILE_KINDS = ['digest', 'backfill-digest', 'log'] as const;
export type FileKind = (typeof FILE_KINDS)[number];

/** What validation concluded about one file, in `aws cloudtrail validate-logs`' terms. */
export const FILE_VERDICTS = ['valid', 'invalid', 'missing', 'unlisted'] as const;
export type FileVerdict = (typeof FILE_VERDICTS)[number];

export type IntegrityProblem = z.infer<typeof integrityProblemSchema>;
export type IntegrityEvidence = z.infer<typeof integrityEvidenceSchema>;

export const MAX_EVIDENCE_PROBLEMS = 50;
