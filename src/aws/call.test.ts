import { describe, expect, it } from 'vitest';
import { classifyError, probeFromError } from './call.js';

const sdkError = (name: string, status: number, message = 'boom', requestId = 'REQ123') =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status, requestId } });

describe('what an AWS failure was', () => {
  it('a refusal names the permission the call needs', () => {
    const p = probeFromError(sdkError('AccessDeniedException', 400, 'not authorized to perform health:DescribeEvents'), { needs: 'health:DescribeEvents' });
    expect(p).toMatchObject({ status: 'denied', needs: 'health:DescribeEvents', errorCode: 'AccessDeniedException' });
  });

  it('a 5xx is a server error with status and request id, never a permission', () => {
    const p = probeFromError(sdkError('InternalFailure', 500, 'We encountered an internal error'), { needs: 'cloudtrail:LookupEvents' });
    expect(p.status).toBe('error');
    expect(p.needs).not.toMatch(/cloudtrail:LookupEvents/);
    expect(p.needs).toMatch(/HTTP 500/);
    expect(p.reason).toMatch(/server error: HTTP 500 \(InternalFailure, request id REQ123\)/);
  });

  it('throttling after retries says throttled', () => {
    const p = probeFromError(sdkError('ThrottlingException', 400, 'Rate exceeded'), { needs: 'cloudtrail:LookupEvents' });
    expect(p.reason).toMatch(/^throttled after retries \(ThrottlingException, HTTP 400, request id REQ123\)/);
    expect(p.needs).not.toMatch(/cloudtrail:/);
  });

  it('a socket failure is unreachable', () => {
    const e = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(classifyError(e).kind).toBe('network');
    expect(probeFromError(e, { needs: 's3:ListBucket' }).reason).toMatch(/^unreachable \(ECONNREFUSED\)/);
  });

  it('an answer that is not an AWS API response is said so, without the SDK’s $response advice', () => {
    const e = Object.assign(new SyntaxError('Unexpected token \'<\', "<!doctype "... is not valid JSON\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.'), {
      $metadata: { httpStatusCode: 500 },
    });
    const c = classifyError(e);
    expect(c.kind).toBe('not-aws');
    const p = probeFromError(e, { needs: 'health:DescribeEvents' });
    expect(p.reason).toMatch(/^not an AWS answer \(HTTP 500\)/);
    expect(p.reason).not.toMatch(/\$response/);
    expect(p.needs).not.toMatch(/health:/);
  });

  it('a 403 without a known code is still a refusal; absent codes win', () => {
    expect(classifyError(sdkError('UnknownError', 403)).kind).toBe('denied');
    expect(classifyError(sdkError('NoSuchBucket', 404), ['NoSuchBucket']).kind).toBe('absent');
  });
});
