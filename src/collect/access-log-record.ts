/**
 * One record of an Amazon S3 server access log (S3 user guide, "Amazon S3 server access log format"):
 * space-separated fields, the time in brackets (`[06/Feb/2019:00:00:38 +0000]`), Request-URI, Referer
 * and User-Agent in double quotes, `-` for a field that is unknown or does not apply. AWS has added
 * fields at the end over the years (signature version, cipher suite, auth type, host header, TLS
 * version, access point ARN, aclRequired, source region) and says more may come, so anything after the
 * error code is optional and unknown trailing fields are ignored. No npm parser for this format is
 * maintained, hence this small one.
 *
 * Never throws: a line that is not a record (truncated, garbage) gives undefined.
 */
export interface AccessLogRecord {
  bucketOwner?: string;
  bucket?: string;
  /** Request time, epoch milliseconds. */
  time: number;
  remoteIp?: string;
  requester?: string;
  requestId?: string;
  /** e.g. REST.PUT.OBJECT, REST.GET.ACL, REST.GET.BUCKETPOLICY */
  operation: string;
  /** Object key, URL-decoded. */
  key?: string;
  requestUri?: string;
  httpStatus?: number;
  errorCode?: string;
  userAgent?: string;
  authType?: string;
  tlsVersion?: string;
}

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
const TIME = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

/** `06/Feb/2019:00:00:38 +0000` → epoch ms, or undefined. */
export function parseAccessLogTime(s: string): number | undefined {
  const m = TIME.exec(s);
  if (!m) return undefined;
  const month = MONTHS[m[2]!];
  if (month === undefined) return undefined;
  const [d, y, hh, mm, ss] = [Number(m[1]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])];
  if (d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60) return undefined;
  const offset = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9])) * 60_000;
  return Date.UTC(y, month, d, hh, mm, ss) - offset;
}

/**
 * Splits a line into fields: bare words, `[...]` (brackets removed) and `"..."` (quotes removed, `\"`
 * and `\\` unescaped). Undefined when a bracket or quote is left open (a truncated line).
 */
export function splitAccessLogFields(line: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line[i];
    if (c === ' ') {
      i++;
      continue;
    }
    if (c === '[') {
      const end = line.indexOf(']', i + 1);
      if (end < 0) return undefined;
      out.push(line.slice(i + 1, end));
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      for (; j < n; j++) {
        const d = line[j];
        if (d === '\\' && j + 1 < n) {
          s += line[++j];
          continue;
        }
        if (d === '"') break;
        s += d;
      }
      if (j >= n) return undefined;
      out.push(s);
      i = j + 1;
    } else {
      let j = line.indexOf(' ', i);
      if (j < 0) j = n;
      out.push(line.slice(i, j));
      i = j;
    }
  }
  return out;
}

const dash = (s: string | undefined): string | undefined => (s === undefined || s === '-' || s === '' ? undefined : s);

function decodeKey(s: string | undefined): string | undefined {
  const v = dash(s);
  if (v === undefined) return undefined;
  try {
    return decodeURIComponent(v.replace(/\+/g, '%20'));
  } catch {
    return v;
  }
}

/** Field positions (0-based) of the documented format. */
const F = { owner: 0, bucket: 1, time: 2, ip: 3, requester: 4, requestId: 5, operation: 6, key: 7, uri: 8, status: 9, error: 10, userAgent: 16, authType: 21, tls: 23 } as const;
/** Up to and including the error code: older records have no more. */
const MIN_FIELDS = 11;

export function parseAccessLogLine(line: string): AccessLogRecord | undefined {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (text.length < 20) return undefined;
  const f = splitAccessLogFields(text);
  if (!f || f.length < MIN_FIELDS) return undefined;
  const time = parseAccessLogTime(f[F.time]!);
  const operation = dash(f[F.operation]);
  if (time === undefined || !operation || !/^[A-Z0-9_]+(\.[A-Z0-9_]+)+$/.test(operation)) return undefined;
  const statusText = dash(f[F.status]);
  const status = statusText && /^\d{3}$/.test(statusText) ? Number(statusText) : undefined;
  if (statusText && status === undefined) return undefined;
  const r: AccessLogRecord = { time, operation };
  const set = <K extends keyof AccessLogRecord>(k: K, v: AccessLogRecord[K] | undefined) => {
    if (v !== undefined) r[k] = v;
  };
  set('bucketOwner', dash(f[F.owner]));
  set('bucket', dash(f[F.bucket]));
  set('remoteIp', dash(f[F.ip]));
  set('requester', dash(f[F.requester]));
  set('requestId', dash(f[F.requestId]));
  set('key', decodeKey(f[F.key]));
  set('requestUri', dash(f[F.uri]));
  set('httpStatus', status);
  set('errorCode', dash(f[F.error]));
  set('userAgent', dash(f[F.userAgent]));
  set('authType', dash(f[F.authType]));
  set('tlsVersion', dash(f[F.tls]));
  return r;
}
