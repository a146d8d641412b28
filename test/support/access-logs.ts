/**
 * Writes S3 server access log records in AWS's format, for tests: the fields up to the error code,
 * then the later ones (bytes, times, referer, user agent, version id, host id, signature version,
 * cipher, auth type, host header, TLS version, access point, aclRequired, source region) as AWS
 * appends them, cut to `trailing` of them to imitate older records.
 */
export interface AccessLogLineInput {
  /** `23/Nov/2026:10:42:07 +0000`, or a Date. */
  time: string | Date;
  operation: string;
  key?: string;
  status: number;
  errorCode?: string;
  userAgent?: string;
  requester?: string;
  bucket?: string;
  /** How many of the fields after the error code to write (default all 16). */
  trailing?: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

export function accessLogTime(d: Date): string {
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

const quote = (s: string | undefined) => (s === undefined ? '"-"' : `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
const dash = (s: string | number | undefined) => (s === undefined || s === '' ? '-' : String(s));

export function formatAccessLogLine(i: AccessLogLineInput): string {
  const bucket = i.bucket ?? 'acme-trail-logs';
  const time = typeof i.time === 'string' ? i.time : accessLogTime(i.time);
  const method = i.operation.split('.')[1] ?? 'GET';
  const key = i.key === undefined ? '-' : encodeURIComponent(i.key).replace(/%2F/g, '/');
  const head = [
    '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be',
    bucket,
    `[${time}]`,
    '192.0.2.3',
    dash(i.requester),
    'REQ0123456789ABC',
    i.operation,
    key,
    quote(`${method} /${bucket}/${key} HTTP/1.1`),
    String(i.status),
    dash(i.errorCode),
  ];
  const tail = [
    '-',
    '1024',
    '12',
    '10',
    '"-"',
    i.userAgent === undefined ? '"-"' : quote(i.userAgent),
    '-',
    'HostIdEXAMPLE=',
    'SigV4',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'AuthHeader',
    `${bucket}.s3.eu-west-1.amazonaws.com`,
    'TLSv1.2',
    '-',
    '-',
    'eu-west-1',
  ];
  return [...head, ...tail.slice(0, i.trailing ?? tail.length)].join(' ');
}
