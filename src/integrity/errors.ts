import { classifyError } from '../aws/call.js';

/** Validation could not run (permission, no public keys, S3 error): exit 3. */
export class CouldNotCheckError extends Error {
  override name = 'CouldNotCheckError';
  constructor(
    message: string,
    readonly needs?: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The input names nothing that exists (trail not found, malformed ARN): exit 2. */
export class ValidateInputError extends Error {
  override name = 'ValidateInputError';
}

/** An S3 read that failed, as the could-not-check error naming the permission (and KMS, when S3 says so). */
export function s3Failure(err: unknown, what: string, needs: string): CouldNotCheckError {
  const c = classifyError(err);
  if (c.kind === 'denied') {
    const kms = /kms/i.test(c.message) || /KMS/.test(c.code);
    return new CouldNotCheckError(`could not ${what}: ${c.code}: ${c.message}`, kms ? `${needs}, kms:Decrypt` : needs, c.code);
  }
  return new CouldNotCheckError(`could not ${what}: ${c.code}${c.httpStatus ? ` (HTTP ${c.httpStatus})` : ''}: ${c.message}`, needs, c.code);
}
