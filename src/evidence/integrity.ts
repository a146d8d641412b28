import { z } from 'zod';

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

const counts = z.object({ valid: z.number(), invalid: z.number(), missing: z.number() });

export const integrityProblemSchema = z.object({
  kind: z.enum(FILE_KINDS),
  key: z.string(),
  bucket: z.string(),
  verdict: z.enum(FILE_VERDICTS),
  reason: z.string().optional(),
  account: z.string().optional(),
  region: z.string().optional(),
});
export type IntegrityProblem = z.infer<typeof integrityProblemSchema>;

/** What `diagnose` stores in evidence.integrity (bounded: counts plus at most 50 problem files). */
export const integrityEvidenceSchema = z.object({
  status: z.enum(['ok', 'no-digests', 'unverified']),
  window: z.object({ start: z.string(), end: z.string() }),
  trailArn: z.string().optional(),
  bucket: z.string().optional(),
  summary: z
    .object({
      digests: counts,
      logs: counts.extend({ unlisted: z.number() }),
      linkMismatches: z.number().optional(),
    })
    .optional(),
  chains: z
    .array(z.object({ account: z.string(), region: z.string(), start: z.string(), end: z.string(), endReason: z.string() }))
    .optional(),
  notices: z.array(z.string()).optional(),
  problems: z.array(integrityProblemSchema),
  problemsTruncated: z.boolean(),
  /** When unverified: why, and what permission would allow it. */
  reason: z.string().optional(),
  needs: z.string().optional(),
});
export type IntegrityEvidence = z.infer<typeof integrityEvidenceSchema>;

export const MAX_EVIDENCE_PROBLEMS = 50;
