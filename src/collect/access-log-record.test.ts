import { describe, expect, it } from 'vitest';
import { parseAccessLogLine, parseAccessLogTime, splitAccessLogFields } from './access-log-record.js';
import { formatAccessLogLine, type AccessLogLineInput } from '../../test/support/access-logs.js';

// From the S3 user guide's example log (current format, with the trailing source-region field).
const DOC_LINE =
  '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /amzn-s3-demo-bucket1?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSV1.2 arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes us-east-1';

describe('parseAccessLogLine', () => {
  it('parses the documented example record', () => {
    expect(parseAccessLogLine(DOC_LINE)).toEqual({
      bucketOwner: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be',
      bucket: 'amzn-s3-demo-bucket1',
      time: Date.UTC(2019, 1, 6, 0, 0, 38),
      remoteIp: '192.0.2.3',
      requester: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be',
      requestId: '3E57427F3EXAMPLE',
      operation: 'REST.GET.VERSIONING',
      requestUri: 'GET /amzn-s3-demo-bucket1?versioning HTTP/1.1',
      httpStatus: 200,
      userAgent: 'S3Console/0.4',
      authType: 'AuthHeader',
      tlsVersion: 'TLSV1.2',
    });
  });

  it('an old record that stops after the error code, and one with unknown fields appended', () => {
    const old = 'owner b [01/Jan/2014:10:00:00 +0000] 10.0.0.1 req ID1 REST.PUT.OBJECT some%2Fkey.gz "PUT /b/some/key.gz HTTP/1.1" 403 AccessDenied';
    expect(parseAccessLogLine(old)).toMatchObject({ operation: 'REST.PUT.OBJECT', key: 'some/key.gz', httpStatus: 403, errorCode: 'AccessDenied' });
    expect(parseAccessLogLine(`${DOC_LINE} future-field "another one" -`)).toMatchObject({ operation: 'REST.GET.VERSIONING', httpStatus: 200 });
  });

  it('quoted fields keep spaces and escaped quotes; time zones are applied', () => {
    const line = formatAccessLogLine({ time: '23/Nov/2026:10:42:07 +0130', operation: 'REST.PUT.OBJECT', key: 'AWSLogs/1/a b.json.gz', status: 200, userAgent: 'agent "x" y' });
    const r = parseAccessLogLine(line)!;
    expect(r.userAgent).toBe('agent "x" y');
    expect(r.key).toBe('AWSLogs/1/a b.json.gz');
    expect(r.time).toBe(Date.UTC(2026, 10, 23, 9, 12, 7));
  });

  it('rejects what is not a record', () => {
    for (const bad of [
      '',
      'garbage',
      DOC_LINE.slice(0, 60), // cut inside the fields
      DOC_LINE.slice(0, DOC_LINE.indexOf('"GET') + 10), // open quote
      DOC_LINE.replace('[06/Feb/2019:00:00:38 +0000]', '[06/Foo/2019:00:00:38 +0000]'),
      DOC_LINE.replace(' 200 ', ' OK '),
      DOC_LINE.replace('REST.GET.VERSIONING', 'rest get'),
    ]) {
      expect(parseAccessLogLine(bad), bad.slice(0, 80)).toBeUndefined();
    }
  });

  it('time and field splitting edge cases', () => {
    expect(parseAccessLogTime('31/Dec/2026:23:59:59 -0500')).toBe(Date.UTC(2027, 0, 1, 4, 59, 59));
    expect(parseAccessLogTime('32/Dec/2026:23:59:59 +0000')).toBeUndefined();
    expect(splitAccessLogFields('a [b c] "d \\" e" f')).toEqual(['a', 'b c', 'd " e', 'f']);
    expect(splitAccessLogFields('a [b c')).toBeUndefined();
  });
});

/** Deterministic PRNG (mulberry32) so a failing fuzz case can be replayed from its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const ALPHABET = 'abcXYZ019 -_/"[]\\%+.\t\u00e9\u2603';
const word = (r: () => number, max = 12) => Array.from({ length: 1 + Math.floor(r() * max) }, () => pick(r, [...ALPHABET])).join('');

function randomInput(r: () => number): AccessLogLineInput {
  const d = 1 + Math.floor(r() * 28);
  const t = `${String(d).padStart(2, '0')}/${pick(r, MONTHS)}/${2015 + Math.floor(r() * 12)}:${String(Math.floor(r() * 24)).padStart(2, '0')}:${String(Math.floor(r() * 60)).padStart(2, '0')}:${String(Math.floor(r() * 60)).padStart(2, '0')} +0000`;
  return {
    time: t,
    operation: pick(r, ['REST.PUT.OBJECT', 'REST.GET.ACL', 'REST.GET.BUCKETPOLICY', 'REST.HEAD.BUCKET', 'S3.EXPIRE.OBJECT']),
    key: r() < 0.2 ? undefined : `k${word(r, 40).replace(/\s/g, '_')}`, // a key of '-' would read as empty, as in AWS's format
    status: pick(r, [200, 204, 403, 404, 500, 503]),
    errorCode: r() < 0.5 ? undefined : pick(r, ['AccessDenied', 'NoSuchBucket', 'KMS.DisabledException', 'SlowDown']),
    userAgent: r() < 0.3 ? undefined : word(r, 30),
    requester: r() < 0.3 ? undefined : pick(r, ['arn:aws:iam::123456789012:user/a', 'svc:cloudtrail.amazonaws.com', '79a59df900b949e5']),
    trailing: Math.floor(r() * 12),
  };
}

describe('access log parser fuzz', () => {
  it('formatted records parse back to the same values (2,000 random records)', () => {
    const r = rng(0xc10d7a11);
    for (let i = 0; i < 2_000; i++) {
      const input = randomInput(r);
      const parsed = parseAccessLogLine(formatAccessLogLine(input));
      expect(parsed, JSON.stringify(input)).toBeDefined();
      expect(parsed!.operation).toBe(input.operation);
      expect(parsed!.httpStatus).toBe(input.status);
      expect(parsed!.errorCode).toBe(input.errorCode);
      expect(parsed!.key).toBe(input.key);
      const uaWritten = (input.trailing ?? 16) >= 6 && input.userAgent !== '-' && input.userAgent !== '';
      expect(parsed!.userAgent).toBe(uaWritten ? input.userAgent : undefined);
      expect(parsed!.requester).toBe(input.requester);
      expect(Number.isFinite(parsed!.time)).toBe(true);
    }
  });

  it('mutated lines (cut, spliced, random bytes) never throw and never give a record without a valid time and operation (5,000 cases)', () => {
    const r = rng(0x5eed);
    for (let i = 0; i < 5_000; i++) {
      let line = formatAccessLogLine(randomInput(r));
      const op = Math.floor(r() * 4);
      if (op === 0) line = line.slice(0, Math.floor(r() * line.length));
      else if (op === 1) {
        const at = Math.floor(r() * line.length);
        line = line.slice(0, at) + word(r, 8) + line.slice(at);
      } else if (op === 2) line = Array.from({ length: Math.floor(r() * 200) }, () => String.fromCharCode(Math.floor(r() * 0x3000))).join('');
      else line = line.replace(/ /g, () => (r() < 0.05 ? '' : ' '));
      let out: ReturnType<typeof parseAccessLogLine>;
      expect(() => (out = parseAccessLogLine(line))).not.toThrow();
      if (out) {
        expect(Number.isFinite(out.time)).toBe(true);
        expect(out.operation).toMatch(/^[A-Z0-9_]+(\.[A-Z0-9_]+)+$/);
        if (out.httpStatus !== undefined) expect(out.httpStatus).toBeGreaterThanOrEqual(100);
      }
    }
  });
});
