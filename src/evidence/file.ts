import type { Evidence } from './schema.js';

/*
 * What writing evidence and reporting bad evidence need, apart from its parsing (io.ts) so that
 * the commands that never parse evidence do not load the schemas and their validation library.
 */

/** Raised for evidence that cannot be used; the CLI turns it into one line on stderr and exit 2. */
export class EvidenceError extends Error {
  override name = 'EvidenceError';
}

export function serializeEvidence(e: Evidence): string {
  return JSON.stringify(e, null, 2) + '\n';
}
