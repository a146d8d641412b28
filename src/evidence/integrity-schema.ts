import { z } from 'zod';
import { FILE_KINDS, FILE_VERDICTS } from './integrity.js';

/** The zod schemas of evidence.integrity; its types and constants are in integrity.ts (why: schema.ts). */
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
