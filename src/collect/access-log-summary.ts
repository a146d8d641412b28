import type { AccessLogAttempt, AccessLogKind, AccessLogSummary } from '../evidence/access-logs.js';
import { inertLine } from '../util/text.js';
import { parseAccessLogLine, type AccessLogRecord } from './access-log-record.js';
import { hourFloor, isoOf } from './util.js';

/**
 * Folds access log lines into the summary the evidence keeps: CloudTrail's attempts on the trail's
 * bucket, per hour, with the refused ones, their error codes and the run of refusals that dates an
 * outage. Memory is bounded by the number of CloudTrail attempts (two numbers each), never by lines.
 *
 * Which records are CloudTrail's: AWS documents neither the requester nor the user agent that
 * CloudTrail's writes carry in server access logs, so writes are recognised by what is documented —
 * REST.PUT.OBJECT of a key in CloudTrail's documented layout
 * (`[prefix/]AWSLogs/[o-id/]<account>/CloudTrail[-Digest]/...`) — and bucket reads (REST.GET.ACL,
 * REST.GET.BUCKETPOLICY) only when their requester or user agent names cloudtrail. The requesters seen
 * are kept (a few) so a human can confirm.
 */

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface SummaryScope {
  bucket: string;
  /** The trail's S3 key prefix (without the trailing slash). */
  prefix?: string;
  window: { start: Date; end: Date };
}

interface Attempt {
  t: number;
  ok: boolean;
  kind: AccessLogKind;
}

export class AccessLogSummarizer {
  private readonly keyRe: RegExp;
  private readonly attempts: Attempt[] = [];
  private readonly hours = new Map<number, { attempted: number; succeeded: number; refused: number; refusedLogFiles: number; refusedDigests: number }>();
  private readonly codes = new Map<string, { status?: number; errorCode?: string; count: number }>();
  private readonly requesters = new Map<string, { requester: string; userAgent?: string; count: number }>();
  private first?: AccessLogAttempt;
  private last?: AccessLogAttempt;
  private lastOk?: AccessLogAttempt;
  private newest?: number;
  malformedLines = 0;

  constructor(private readonly scope: SummaryScope) {
    const p = scope.prefix ? `${escapeRe(scope.prefix.replace(/\/+$/, ''))}/` : '';
    this.keyRe = new RegExp(`^${p}AWSLogs/(?:o-[a-z0-9]{10,32}/)?\\d{12}/(CloudTrail|CloudTrail-Digest)/`);
  }

  /** Which of CloudTrail's requests a record is, if any. */
  classify(r: AccessLogRecord): AccessLogKind | undefined {
    if (r.bucket !== undefined && r.bucket !== this.scope.bucket) return undefined;
    if (r.operation === 'REST.PUT.OBJECT' && r.key) {
      const m = this.keyRe.exec(r.key);
      return m ? (m[1] === 'CloudTrail' ? 'log-file' : 'digest-file') : undefined;
    }
    if ((r.operation === 'REST.GET.ACL' || r.operation === 'REST.GET.BUCKETPOLICY') && !r.key) {
      return /cloudtrail/i.test(`${r.requester ?? ''} ${r.userAgent ?? ''}`) ? 'acl-check' : undefined;
    }
    return undefined;
  }

  addLine(line: string): void {
    if (!line.trim()) return;
    const r = parseAccessLogLine(line);
    if (!r) {
      this.malformedLines++;
      return;
    }
    this.addRecord(r);
  }

  addRecord(r: AccessLogRecord): void {
    if (this.newest === undefined || r.time > this.newest) this.newest = r.time;
    if (r.time < this.scope.window.start.getTime() || r.time > this.scope.window.end.getTime()) return;
    const kind = this.classify(r);
    if (!kind) return;
    const ok = r.httpStatus !== undefined && r.httpStatus < 300;
    const refused = !ok;
    this.attempts.push({ t: r.time, ok, kind });
    const h = hourFloor(r.time);
    const hour = this.hours.get(h) ?? { attempted: 0, succeeded: 0, refused: 0, refusedLogFiles: 0, refusedDigests: 0 };
    hour.attempted++;
    if (ok) hour.succeeded++;
    else {
      hour.refused++;
      if (kind === 'log-file') hour.refusedLogFiles++;
      if (kind === 'digest-file') hour.refusedDigests++;
    }
    this.hours.set(h, hour);
    const attempt: AccessLogAttempt = { time: isoOf(r.time), kind, operation: r.operation };
    if (r.httpStatus !== undefined) attempt.status = r.httpStatus;
    if (r.errorCode) attempt.errorCode = inertLine(r.errorCode, 100);
    if (refused) {
      const key = `${r.httpStatus ?? '-'} ${attempt.errorCode ?? '-'}`;
      const c = this.codes.get(key) ?? { ...(r.httpStatus !== undefined ? { status: r.httpStatus } : {}), ...(attempt.errorCode ? { errorCode: attempt.errorCode } : {}), count: 0 };
      c.count++;
      this.codes.set(key, c);
      if (!this.first || r.time < Date.parse(this.first.time)) this.first = attempt;
      if (!this.last || r.time >= Date.parse(this.last.time)) this.last = attempt;
    } else if (!this.lastOk || r.time >= Date.parse(this.lastOk.time)) this.lastOk = attempt;
    const who = inertLine(r.requester ?? '-', 200);
    const ua = r.userAgent ? inertLine(r.userAgent, 200) : undefined;
    const rk = `${who}\n${ua ?? ''}`;
    const seen = this.requesters.get(rk);
    if (seen) seen.count++;
    else if (this.requesters.size < 50) this.requesters.set(rk, { requester: who, ...(ua ? { userAgent: ua } : {}), count: 1 });
  }

  private refusalRun(): AccessLogSummary['refusalRun'] {
    if (!this.last) return undefined;
    const kind = this.last.kind;
    const same = this.attempts.filter((a) => a.kind === kind).sort((a, b) => a.t - b.t);
    const lastRef = Date.parse(this.last.time);
    let lastOkBefore = -Infinity;
    for (const a of same) if (a.ok && a.t < lastRef) lastOkBefore = a.t;
    const run = same.filter((a) => !a.ok && a.t > lastOkBefore && a.t <= lastRef);
    const recovered = same.find((a) => a.ok && a.t > lastRef);
    return {
      start: isoOf(run[0]!.t),
      end: isoOf(lastRef),
      refused: run.length,
      ...(recovered ? { recoveredAt: isoOf(recovered.t) } : {}),
    };
  }

  finish(meta: Pick<AccessLogSummary, 'objectsListed' | 'objectsRead' | 'bytesRead' | 'capped' | 'unreadableObjects'> & { capReason?: string }): AccessLogSummary {
    const attempted = this.attempts.length;
    const succeeded = this.attempts.filter((a) => a.ok).length;
    const run = this.refusalRun();
    const out: AccessLogSummary = {
      ...meta,
      malformedLines: this.malformedLines,
      attempted,
      succeeded,
      refused: attempted - succeeded,
      hourly: [...this.hours].sort((a, b) => a[0] - b[0]).map(([h, v]) => ({ hour: isoOf(h), ...v })),
      errorCodes: [...this.codes.values()].sort((a, b) => b.count - a.count).slice(0, 20),
      requesters: [...this.requesters.values()].sort((a, b) => b.count - a.count).slice(0, 5),
    };
    if (this.first) out.firstRefused = this.first;
    if (this.last) out.lastRefused = this.last;
    if (this.lastOk) out.lastSucceeded = this.lastOk;
    if (run) out.refusalRun = run;
    if (this.newest !== undefined) out.newestRecordTime = isoOf(this.newest);
    return out;
  }
}
