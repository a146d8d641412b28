import type { AccessLogKind, AccessLogs } from '../evidence/access-logs.js';
import type { Evidence } from '../evidence/schema.js';
import { safe, shellArg } from './util.js';

/**
 * What the bucket's S3 server access logs add to the policy and key checks: CloudTrail's refused writes
 * (their time, status and error code), which prove a refusal even after the trail's status recovered
 * and date the outage to the minute; and advice on the logging configuration itself. Access logs are
 * best effort and hours late: no refusal in them never means "no refused attempt".
 */

export interface LoggedRefusals {
  refused: number;
  /** First refused attempt of the run that contains the last one. */
  start?: string;
  end?: string;
  recoveredAt?: string;
  /** Some refusal carries AccessDenied (or 403): a permission, not an outage of S3. */
  accessDenied: boolean;
  /** Some refusal names KMS. */
  kms: boolean;
  evidence: string[];
}

function accessLogsOf(e: Evidence): AccessLogs | undefined {
  const p = e.steps.s4.accessLogs;
  return p && p.status === 'ok' ? p.value : undefined;
}

/** CloudTrail's refused attempts in the access logs, restricted to `kinds` (default: log and digest writes). */
export function loggedRefusals(e: Evidence, kinds: readonly AccessLogKind[] = ['log-file', 'digest-file']): LoggedRefusals | undefined {
  const s = accessLogsOf(e)?.summary;
  if (!s || !s.refused) return undefined;
  const refusedOfKinds = s.hourly.reduce((n, h) => n + (kinds.includes('log-file') ? h.refusedLogFiles : 0) + (kinds.includes('digest-file') ? h.refusedDigests : 0), 0);
  if (!refusedOfKinds) return undefined;
  const codes = s.errorCodes.map((c) => `${c.status ?? '-'} ${c.errorCode ?? '-'} ×${c.count}`).join(', ');
  const run = s.refusalRun && kinds.includes(s.lastRefused?.kind ?? 'log-file') ? s.refusalRun : undefined;
  const out: LoggedRefusals = {
    refused: refusedOfKinds,
    accessDenied: s.errorCodes.some((c) => /AccessDenied/i.test(c.errorCode ?? '') || c.status === 403),
    kms: s.errorCodes.some((c) => /kms/i.test(c.errorCode ?? '')),
    evidence: [
      `step 4: S3 server access logs: ${refusedOfKinds} refused CloudTrail write${refusedOfKinds === 1 ? '' : 's'} in the window (${safe(codes, 300)}), first at ${safe(s.firstRefused?.time ?? '?', 40)}, last at ${safe(s.lastRefused?.time ?? '?', 40)}`,
    ],
  };
  if (run) {
    out.start = run.start;
    out.end = run.end;
    if (run.recoveredAt) out.recoveredAt = run.recoveredAt;
    out.evidence.push(`step 4: the refusals began at ${safe(run.start, 40)}${run.recoveredAt ? ` and writes succeeded again at ${safe(run.recoveredAt, 40)}` : ' and had not stopped by the newest access log record read'}`);
  }
  if (s.capped) out.evidence.push(`step 4: access logs read partially (${safe(s.capReason ?? 'cap reached', 200)}): the counts are a lower bound`);
  return out;
}

/** Evidence lines about the logging configuration: how to turn it on, or that it feeds on itself. */
export function accessLoggingAdvice(e: Evidence, bucket: string): string[] {
  const p = e.steps.s4.accessLogs;
  if (!p || p.status !== 'ok' || !p.value) return [];
  const c = p.value.config;
  if (!c.enabled) {
    return [
      `step 4: S3 server access logging is off on ${safe(bucket)} (not a fault): with it on, every write CloudTrail attempts is recorded with its time, HTTP status and error code, refusals included — enable it into a separate bucket: aws s3api put-bucket-logging --bucket ${shellArg(bucket)} --bucket-logging-status '{"LoggingEnabled":{"TargetBucket":"ACCESS_LOG_BUCKET","TargetPrefix":"${safe(bucket, 63)}/"}}'`,
    ];
  }
  if (c.selfTargeting) {
    return [
      `step 4: S3 server access logging of ${safe(bucket)} writes into ${safe(bucket)} itself (prefix ${safe(c.targetPrefix || '(none)', 200)})${c.insideTrailPrefix ? ", inside the trail's own key prefix" : ''}: every access log delivery is logged again; send access logs to a separate bucket`,
    ];
  }
  return [];
}

/** Refused log-file writes the access logs record in the hours overlapping [start, end) (epoch ms). */
export function refusedWritesBetween(e: Evidence, start: number, end: number): number {
  const s = accessLogsOf(e)?.summary;
  if (!s) return 0;
  let n = 0;
  for (const h of s.hourly) {
    const t = Date.parse(h.hour);
    if (t + 3_600_000 > start && t < end) n += h.refusedLogFiles;
  }
  return n;
}
