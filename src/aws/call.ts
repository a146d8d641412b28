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

/** The error names AWS services answer "slow down" with (the run guard counts these too). */
export const THROTTLE_ERROR_NAMES: readonly string[] = [
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'RequestThrottled',
  'RequestThrottledException',
];

// For a reader of the evidence, a quota hit (Logs Insights' concurrent queries) and the guard's own
// refusal after its throttling budget also mean "asked too fast".
const THROTTLE_CODES = new Set([...THROTTLE_ERROR_NAMES, 'LimitExceededException', 'ThrottleBudgetSpent']);

export interface ClassifiedError {
  /**
   * What happened: refused for lack of a permission, absent, throttled, timed out, unreachable,
   * a server error (5xx), an answer that is not an AWS API response, or another error.
   */
  kind: 'denied' | 'absent' | 'throttled' | 'timeout' | 'network' | 'server' | 'not-aws' | 'error';
  code: string;
  httpStatus?: number;
  requestId?: string;
  message: string;
}

/** The SDK's advice for its parse failures, which means nothing to a trail-doctor user. */
const SDK_HINT = /\s*Deserialization error: to see the raw response, inspect the hidden field \{error\}\.\$response on this object\.?/;
const SDK_HINT_ALL = new RegExp(SDK_HINT.source, 'g');

export function classifyError(err: unknown, absentCodes: readonly (string | number)[] = []): ClassifiedError {
  const e = (err ?? {}) as {
    name?: string;
    Code?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number; requestId?: string };
    $response?: { statusCode?: number };
  };
  const httpStatus = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  const requestId = e.$metadata?.requestId ? inertText(e.$metadata.requestId, 100) : undefined;
  // Node's socket errors are plain `Error`s whose code (ECONNREFUSED, ...) says what happened.
  const code = String(e.Code ?? (e.name && e.name !== 'Error' ? e.name : undefined) ?? e.code ?? 'Error');
  const rawMessage = String(e.message ?? code);
  const message = inertText(rawMessage.replace(SDK_HINT_ALL, ''), 500) || code;
  const base = { code, ...(httpStatus !== undefined ? { httpStatus } : {}), ...(requestId ? { requestId } : {}), message };
  // Checked first: a cut-off answer proves nothing, not even a 404's "absent".
  if (code === 'ECONNRESET' || /socket hang up|ECONNRESET|cut off before its end/i.test(message)) {
    return { kind: 'network', ...base, code: 'ECONNRESET', message: /socket hang up/i.test(message) ? 'the connection was reset before the answer was complete (socket hang up)' : message };
  }
  if (absentCodes.includes(code) || (httpStatus !== undefined && absentCodes.includes(httpStatus))) {
    return { kind: 'absent', ...base };
  }
  // An answer the SDK could not parse (an HTML page, a proxy's error) is not AWS speaking: its
  // status says nothing about permissions.
  if (code === 'SyntaxError' || SDK_HINT.test(rawMessage) || /^(Unexpected token|Expected .* but)/.test(rawMessage)) {
    return { kind: 'not-aws', ...base };
  }
  if (DENIED_CODES.has(code) || httpStatus === 403) return { kind: 'denied', ...base, code: httpStatus === 403 && !DENIED_CODES.has(code) ? 'AccessDenied' : code };
  if (THROTTLE_CODES.has(code) || httpStatus === 429) return { kind: 'throttled', ...base };
  if (code === 'TimeoutError' || code === 'DeadlineExceeded' || code === 'AbortError' || code === 'RequestTimeout' || code === 'RequestTimeoutException' || /timed? ?out/i.test(message)) {
    return { kind: 'timeout', ...base };
  }
  if (['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'NetworkingError'].includes(code)) {
    return { kind: 'network', ...base };
  }
  if (httpStatus !== undefined && httpStatus >= 500) return { kind: 'server', ...base };
  // The run's guard stopped calling an operation that kept failing: say how it failed.
  if (code === 'ServiceCircuitOpen') return { kind: /no answer/.test(message) ? 'timeout' : 'server', ...base };
  return { kind: 'error', ...base };
}

const rid = (c: ClassifiedError) => (c.requestId ? `, request id ${c.requestId}` : '');

/**
 * For anything but a refusal, `needs` says what would make the observation possible (a retry, a
 * reachable endpoint), never a permission: a 5xx is not a missing permission.
 */
export function whatHappened(c: ClassifiedError): { reason: string; needs?: string } {
  switch (c.kind) {
    case 'throttled':
      return { reason: `throttled after retries (${c.code}${c.httpStatus ? `, HTTP ${c.httpStatus}` : ''}${rid(c)}): ${c.message}`, needs: 'a retry when the API is less busy (AWS throttled the calls)' };
    case 'timeout':
      return { reason: `timed out (${c.code}): ${c.message}`, needs: 'a retry, or a longer --timeout (no answer in time)' };
    case 'network':
      return { reason: `unreachable (${c.code}): ${c.message}`, needs: 'a reachable endpoint (check the network, proxy, region or --endpoint-url)' };
    case 'server':
      return { reason: `server error: HTTP ${c.httpStatus} (${c.code}${rid(c)}): ${c.message}`, needs: `a retry later (AWS answered HTTP ${c.httpStatus}, a server error)` };
    case 'not-aws':
      return {
        reason: `not an AWS answer${c.httpStatus ? ` (HTTP ${c.httpStatus})` : ''}: the response could not be read as the service's API (${c.code}: ${c.message.slice(0, 120)})`,
        needs: 'an AWS endpoint (the answer came from something else: a proxy, a captive portal, an emulator without this API)',
      };
    default:
      return { reason: c.httpStatus ? `${c.code} (HTTP ${c.httpStatus}${rid(c)}): ${c.message}` : `${c.code}: ${c.message}`, needs: `a successful call (the service refused the request: ${c.code})` };
  }
}

/** Turns a caught error into a non-ok Probe. */
export function probeFromError<T>(err: unknown, opts: ProbeOptions): Probe<T> {
  const c = classifyError(err, opts.absentCodes);
  const base = { errorCode: c.code, ...(opts.optional ? { optional: true } : {}) };
  switch (c.kind) {
    case 'absent':
      return { status: 'absent', reason: c.message, ...base };
    case 'denied':
      return { status: 'denied', reason: c.message, needs: opts.needs, call: opts.needs, ...base };
    default: {
      const w = whatHappened(c);
      return { status: 'error', reason: w.reason, ...(w.needs ? { needs: w.needs } : {}), call: opts.needs, ...base };
    }
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
