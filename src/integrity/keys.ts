/**
 * S3 key layout of CloudTrail log and digest files (cloudtrail-files.md §1).
 * Digest keys: [<prefix>/]AWSLogs/[<o-id>/]<acct>/CloudTrail-Digest/<src>/YYYY/MM/DD/
 *              <acct>_CloudTrail-Digest_<src>_<trail>_<home>_<YYYYMMDDTHHMMSSZ>[_backfill].json.gz
 * Log keys:    [<prefix>/]AWSLogs/[<o-id>/]<acct>/CloudTrail/<region>/YYYY/MM/DD/
 *              <acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique16>.json.gz
 */

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `YYYYMMDDTHHMMSSZ` (digest names, second precision). Strings of this form sort chronologically. */
export function compactSeconds(d: Date): string {
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}

/** `YYYYMMDDTHHmmZ` (log file names, minute precision). */
export function compactMinutes(d: Date): string {
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`;
}

/** `YYYY/MM/DD` date folder. */
export function dateFolder(d: Date): string {
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
}

/** ISO display time without fractional seconds: `2026-01-10T04:01:31Z`. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `20260110T040131Z` → Date, or undefined. */
export function parseCompact(ts: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?Z$/.exec(ts);
  if (!m) return undefined;
  const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, m[6] ? +m[6] : 0);
  return Number.isNaN(t) ? undefined : new Date(t);
}

/** `pfx` → `pfx/`, '' / undefined → ''. */
export function normPrefix(prefix: string | undefined): string {
  if (!prefix) return '';
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}

export interface ChainLocation {
  prefix: string;
  /** Organization id for organization-trail layouts. */
  orgId?: string;
  account: string;
  /** Source region: the region whose events the chain covers. */
  region: string;
}

/** `[<prefix>/]AWSLogs/[<o-id>/]<acct>/` */
export function accountBase(loc: Omit<ChainLocation, 'region'>): string {
  return `${normPrefix(loc.prefix)}AWSLogs/${loc.orgId ? `${loc.orgId}/` : ''}${loc.account}/`;
}

export function digestFolder(loc: ChainLocation): string {
  return `${accountBase(loc)}CloudTrail-Digest/${loc.region}/`;
}

export function logFolder(loc: ChainLocation): string {
  return `${accountBase(loc)}CloudTrail/${loc.region}/`;
}

export function digestKey(loc: ChainLocation, trailName: string, homeRegion: string, end: Date, backfill = false): string {
  return `${digestFolder(loc)}${dateFolder(end)}/${loc.account}_CloudTrail-Digest_${loc.region}_${trailName}_${homeRegion}_${compactSeconds(end)}${backfill ? '_backfill' : ''}.json.gz`;
}

export function logKey(loc: ChainLocation, delivered: Date, unique: string): string {
  return `${logFolder(loc)}${dateFolder(delivered)}/${loc.account}_CloudTrail_${loc.region}_${compactMinutes(delivered)}_${unique}.json.gz`;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The regex the CLI applies to listed keys: this account, source region, trail and home region. */
export function digestKeyPattern(loc: ChainLocation, trailName: string, homeRegion: string): RegExp {
  return new RegExp(
    `^${escapeRe(digestFolder(loc))}\\d{4}/\\d{2}/\\d{2}/${escapeRe(loc.account)}_CloudTrail-Digest_${escapeRe(loc.region)}_${escapeRe(trailName)}_${escapeRe(homeRegion)}_\\d{8}T\\d{6}Z(_backfill)?\\.json\\.gz$`,
  );
}

/** Any trail's digest in a digest folder (for the union of log names across trails, §5.10.1.5). */
export const ANY_DIGEST_NAME = /_CloudTrail-Digest_[a-z0-9-]+_.+_[a-z0-9-]+_\d{8}T\d{6}Z(_backfill)?\.json\.gz$/;

export const isBackfillKey = (key: string): boolean => key.endsWith('_backfill.json.gz');

/** The CLI's fixed-offset timestamp: key[-24:-8], or key[-33:-17] for backfill keys. */
export function digestKeyTimestamp(key: string): string {
  return isBackfillKey(key) ? key.slice(-33, -17) : key.slice(-24, -8);
}

/** Delivery minute from a log key name (tolerates the doc typo without `_` before the unique part). */
export function logKeyDeliveryTime(key: string): Date | undefined {
  const m = /_CloudTrail_[a-z0-9-]+_(\d{8}T\d{4}Z)_?[A-Za-z0-9]{10,20}\.json\.gz$/.exec(key);
  return m ? parseCompact(m[1]!) : undefined;
}
