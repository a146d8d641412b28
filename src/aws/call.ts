import type { Probe } from '../evidence/probe.js';
import { inertText } from '../util/text.js';

/**
 * Runs one AWS call and turns its outcome into a Probe: the account's reality (missing permission,
 * absent resource, throttling, timeout, an emulator's 500) becomes evidence, never an exception.
 */
export interface ProbeOptions {
  /** IAM action(s) the call needs, e.g. `s3:GetBucketPolicy`. */
  needs: string;
  /** Error codes (or HTTP statuses) that mean "this does not exist". */
  absentCodes?: readonly (string | number)[];
  /** Optional source: failure to read it never makes the verdict inconclusive. */
  optional?: boolean;
}

const DENIED_CODES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedAccess',
  'AuthorizationError',
  'AuthorizationErrorException',
  'NotAuthorized',
  'Forbidden',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AllAccessDisabled',
  'KMSAccessDeniedException',
]);

const THROTTLE_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'RequestThrottled',
  'RequestThrottledException',
  'LimitExceededException',
  'ThrottleBudgetSpent',
]);

export interface ClassifiedError {
  kind: 'denied' | 'absent' | 'throttled' | 'timeout' | 'network' | 'error';
  code: string;
  httpStatus?: number;
  message: string;
}

export function classifyError(err: unknown, absentCodes: readonly (string | number)[] = []): ClassifiedError {
  const e = (err ?? {}) as {
    name?: string;
    Code?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    $response?: { statusCode?: number };
  };
  const httpStatus = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  // Node's socket errors are plain `Error`s whose code (ECONNREFUSED, ...) says what happened.
  const code = String(e.Code ?? (e.name && e.name !== 'Error' ? e.name : undefined) ?? e.code ?? 'Error');
  // The SDK appends advice for its own developers to parse failures; it means nothing to a user.
  const message = inertText(String(e.message ?? code).replace(/\s*Deserialization error: to see the raw response[^]*$/, ''), 500);
  // Checked first: a cut-off answer proves nothing, not even a 404's "absent".
  if (code === 'ECONNRESET' || /socket hang up|ECONNRESET|cut off before its end/i.test(message)) {
    return { kind: 'network', code: 'ECONNRESET', httpStatus, message: /socket hang up/i.test(message) ? 'the connection was reset before the answer was complete (socket hang up)' : message };
  }
  if (absentCodes.includes(code) || (httpStatus !== undefined && absentCodes.includes(httpStatus))) {
    return { kind: 'absent', code, httpStatus, message };
  }
  if (DENIED_CODES.has(code) || httpStatus === 403) return { kind: 'denied', code: httpStatus === 403 && !DENIED_CODES.has(code) ? 'AccessDenied' : code, httpStatus, message };
  if (THROTTLE_CODES.has(code) || httpStatus === 429) return { kind: 'throttled', code, httpStatus, message };
  if (code === 'TimeoutError' || code === 'DeadlineExceeded' || code === 'AbortError' || code === 'RequestTimeout' || code === 'RequestTimeoutException' || /timed? ?out/i.test(message)) {
    return { kind: 'timeout', code, httpStatus, message };
  }
  if (['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'EAI_AGAIN', 'EHOSTUNREACH', 'NetworkingError'].includes(code)) {
    return { kind: 'network', code, httpStatus, message };
  }
  return { kind: 'error', code, httpStatus, message };
}

/** Turns a caught error into a non-ok Probe. */
export function probeFromError<T>(err: unknown, opts: ProbeOptions): Probe<T> {
  const c = classifyError(err, opts.absentCodes);
  const base = { errorCode: c.code, ...(opts.optional ? { optional: true } : {}) };
  switch (c.kind) {
    case 'absent':
      return { status: 'absent', reason: c.message, ...base };
    case 'denied':
      return { status: 'denied', reason: c.message, needs: opts.needs, ...base };
    case 'throttled':
      return { status: 'error', reason: `throttled after retries: ${c.message}`, needs: opts.needs, ...base };
    case 'timeout':
      return { status: 'error', reason: `timed out: ${c.message}`, needs: opts.needs, ...base };
    default:
      return {
        status: 'error',
        reason: c.httpStatus ? `${c.code} (HTTP ${c.httpStatus}): ${c.message}` : `${c.code}: ${c.message}`,
        needs: opts.needs,
        ...base,
      };
  }
}

/** Runs `fn` and maps its value with `map`; any error becomes a Probe per `opts`. */
export async function probe<R, T>(fn: () => Promise<R>, map: (r: R) => T, opts: ProbeOptions): Promise<Probe<T>> {
  let res: R;
  try {
    res = await fn();
  } catch (err) {
    return probeFromError<T>(err, opts);
  }
  return { status: 'ok', value: map(res), ...(opts.optional ? { optional: true } : {}) };
}
