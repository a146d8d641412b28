import { parseArn, parseLogGroupArn, partitionOf, trailNameOf } from '../aws/arn.js';
import type { ContextValue, PolicyRequest } from './types.js';

/**
 * The exact requests CloudTrail makes when it delivers a trail's logs, so that bucket, key, trust and
 * role policies can be judged for them (never by string search).
 *
 * Sources (AWS documentation): create-s3-bucket-policy-for-cloudtrail (GetBucketAcl on the bucket,
 * PutObject on `[prefix/]AWSLogs/<acct>/*` and for organization trails `AWSLogs/<o-id>/*`, with
 * `s3:x-amz-acl = bucket-owner-full-control`, `aws:SourceArn` = trail ARN), create-kms-key-policy-for-
 * cloudtrail (GenerateDataKey* with `kms:EncryptionContext:aws:cloudtrail:arn`, DescribeKey),
 * cloudtrail-required-policy-for-cloudwatch-logs (CreateLogStream and PutLogEvents, both granted on
 * `log-group:<name>:log-stream:<acct>_CloudTrail_<region>*`), cloudwatch-log-group-log-stream-naming
 * (stream `<acct>_CloudTrail_<trail region>`).
 *
 * Encryption headers of the PutObject requests (encrypting-cloudtrail-log-files-with-aws-kms and
 * create-kms-key-policy-for-cloudtrail-update-trail): with a trail KMS key "the log files but not the
 * digest files" are encrypted with SSE-KMS, and "digest files are encrypted with Amazon S3 managed
 * encryption keys (SSE-S3)". Log files of a trail with a key therefore carry
 * `x-amz-server-side-encryption: aws:kms` and the key id; digest files carry `AES256` (they stay SSE-S3
 * even in a bucket whose default is SSE-KMS, so the header must be explicit). What AWS does not document
 * is the header on log files of a trail without a key: absent (the bucket default applies) or `AES256`.
 * Those requests carry both possibilities as `alternatives`, and a verdict that differs between them
 * is uncertain (see request-verdict.ts). A bucket's default encryption never satisfies a condition on
 * the header: conditions see the request, not the object S3 stores.
 */

export const CLOUDTRAIL_SERVICE = 'cloudtrail.amazonaws.com';

export interface TrailTarget {
  trailArn: string;
  /** The account that owns the trail (management account for organization trails). */
  accountId: string;
  /** The trail's home region. */
  region: string;
  bucket: string;
  prefix?: string;
  /** Organization id (o-...), for organization trails' paths. */
  orgId?: string;
  isOrganizationTrail: boolean;
  logFileValidationEnabled?: boolean;
  logGroupArn?: string;
  roleArn?: string;
  kmsKeyArn?: string;
  /** Member accounts of an organization trail whose paths should also be checked. */
  memberAccountIds?: readonly string[];
  /** Clock for the example object keys (defaults to the current time). */
  now?: Date;
}

export type CloudTrailRequestPurpose =
  | 'bucket-acl-check'
  | 'log-write'
  | 'digest-write'
  | 'kms-generate-data-key'
  | 'kms-describe-key'
  | 'role-assume'
  | 'logs-create-stream'
  | 'logs-put-events';

export interface CloudTrailRequest extends PolicyRequest {
  purpose: CloudTrailRequestPurpose;
  label: string;
  /**
   * False for requests that AWS's recommended policy covers but delivery does not need today (the
   * management account's own path of an organization trail, kept for when the trail stops being one).
   */
  required: boolean;
  /** The object key (S3 writes) or log stream name (CloudWatch Logs). */
  path?: string;
  /** The key prefix a policy should grant for this request, e.g. `AWSLogs/123456789012/`. */
  grantPrefix?: string;
  /** The account whose events the path holds. */
  account?: string;
  /**
   * Contexts CloudTrail may send instead of `context` where AWS does not document a header: each is
   * merged over `context` and judged too. Absent when the request is fully documented.
   */
  alternatives?: RequestAlternative[];
}

export interface RequestAlternative {
  /** What differs, e.g. "no x-amz-server-side-encryption header (the bucket default applies)". */
  label: string;
  /** Keys to set over the request's context; a key mapped to `null` is removed (missing from the request). */
  context: Record<string, ContextValue | null>;
}

export const SSE_HEADER = 's3:x-amz-server-side-encryption';
export const SSE_KMS_KEY_HEADER = 's3:x-amz-server-side-encryption-aws-kms-key-id';

/** The encryption headers of a log-file PutObject: documented with a trail key, two alternatives without. */
function logFileEncryption(t: TrailTarget): { context: Record<string, ContextValue>; alternatives?: RequestAlternative[] } {
  if (t.kmsKeyArn) return { context: { [SSE_HEADER]: 'aws:kms', [SSE_KMS_KEY_HEADER]: t.kmsKeyArn } };
  return {
    context: {},
    alternatives: [
      { label: 'no x-amz-server-side-encryption header (the bucket default encryption applies)', context: { [SSE_HEADER]: null } },
      { label: 'x-amz-server-side-encryption: AES256', context: { [SSE_HEADER]: 'AES256' } },
    ],
  };
}

/** Digest files are always SSE-S3, whatever the trail's key. */
const DIGEST_ENCRYPTION: Record<string, ContextValue> = { [SSE_HEADER]: 'AES256' };

const pad = (n: number) => String(n).padStart(2, '0');
const UNIQUE = 'TrailDoctorProbe'; // 16 characters, like CloudTrail's random suffix

// The partition, a trail's name (`main` from `arn:aws:cloudtrail:eu-west-1:123456789012:trail/main`,
// or the name itself) and a log group ARN's parts come from the one ARN module.
export { partitionOf, trailNameOf, parseLogGroupArn } from '../aws/arn.js';

/** `[prefix/]AWSLogs/[<o-id>/]<acct>/` */
export function logPathPrefix(prefix: string | undefined, account: string, orgId?: string): string {
  const p = prefix ? `${prefix.replace(/\/+$/, '')}/` : '';
  return `${p}AWSLogs/${orgId ? `${orgId}/` : ''}${account}/`;
}

function stamps(now: Date) {
  const y = now.getUTCFullYear();
  const day = `${y}/${pad(now.getUTCMonth() + 1)}/${pad(now.getUTCDate())}`;
  const minute = `${y}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}T${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}Z`;
  const second = `${minute.slice(0, -1)}${pad(now.getUTCSeconds())}Z`;
  return { day, minute, second };
}

/** Key of a log file CloudTrail would deliver now, under `base` (= logPathPrefix). */
export function logObjectKey(base: string, account: string, region: string, now: Date): string {
  const s = stamps(now);
  return `${base}CloudTrail/${region}/${s.day}/${account}_CloudTrail_${region}_${s.minute}_${UNIQUE}.json.gz`;
}

/** Key of a digest file CloudTrail would deliver now. */
export function digestObjectKey(base: string, account: string, region: string, trailName: string, homeRegion: string, now: Date): string {
  const s = stamps(now);
  return `${base}CloudTrail-Digest/${region}/${s.day}/${account}_CloudTrail-Digest_${region}_${trailName}_${homeRegion}_${s.second}.json.gz`;
}

function serviceContext(t: TrailTarget, extra: Record<string, ContextValue> = {}): Record<string, ContextValue> {
  const ctx: Record<string, ContextValue> = {
    'aws:SourceArn': t.trailArn,
    'aws:SourceAccount': t.accountId,
    'aws:SecureTransport': true,
    'aws:PrincipalServiceName': CLOUDTRAIL_SERVICE,
    'aws:PrincipalIsAWSService': true,
    ...extra,
  };
  if (t.orgId) ctx['aws:SourceOrgID'] = t.orgId;
  return ctx;
}

interface WritePath {
  base: string;
  account: string;
  required: boolean;
  what: string;
}

function writePaths(t: TrailTarget): WritePath[] {
  const out: WritePath[] = [];
  if (t.isOrganizationTrail && t.orgId) {
    out.push({ base: logPathPrefix(t.prefix, t.accountId, t.orgId), account: t.accountId, required: true, what: 'organization path' });
    for (const m of t.memberAccountIds ?? []) {
      if (m !== t.accountId) out.push({ base: logPathPrefix(t.prefix, m, t.orgId), account: m, required: true, what: `member account ${m}` });
    }
    out.push({ base: logPathPrefix(t.prefix, t.accountId), account: t.accountId, required: false, what: "management account's own path" });
  } else {
    out.push({ base: logPathPrefix(t.prefix, t.accountId), account: t.accountId, required: true, what: 'log path' });
  }
  return out;
}

/** GetBucketAcl on the bucket, PutObject of a log file per path, and of a digest file when validation is on. */
export function s3DeliveryRequests(t: TrailTarget): CloudTrailRequest[] {
  const now = t.now ?? new Date();
  const partition = partitionOf(t.trailArn);
  const principal = { type: 'Service' as const, id: CLOUDTRAIL_SERVICE };
  const bucketArn = `arn:${partition}:s3:::${t.bucket}`;
  const trailName = trailNameOf(t.trailArn);
  const reqs: CloudTrailRequest[] = [
    {
      purpose: 'bucket-acl-check',
      label: `s3:GetBucketAcl on ${bucketArn}`,
      required: true,
      principal,
      action: 's3:GetBucketAcl',
      resource: bucketArn,
      context: serviceContext(t),
    },
  ];
  const logEnc = logFileEncryption(t);
  for (const p of writePaths(t)) {
    const key = logObjectKey(p.base, p.account, t.region, now);
    reqs.push({
      purpose: 'log-write',
      label: `s3:PutObject of log files under ${p.base} (${p.what})`,
      required: p.required,
      principal,
      action: 's3:PutObject',
      resource: `${bucketArn}/${key}`,
      context: serviceContext(t, { 's3:x-amz-acl': 'bucket-owner-full-control', ...logEnc.context }),
      path: key,
      grantPrefix: p.base,
      account: p.account,
      ...(logEnc.alternatives ? { alternatives: logEnc.alternatives } : {}),
    });
    if (t.logFileValidationEnabled) {
      const dkey = digestObjectKey(p.base, p.account, t.region, trailName, t.region, now);
      reqs.push({
        purpose: 'digest-write',
        label: `s3:PutObject of digest files under ${p.base}CloudTrail-Digest/ (${p.what})`,
        required: p.required,
        principal,
        action: 's3:PutObject',
        resource: `${bucketArn}/${dkey}`,
        context: serviceContext(t, { 's3:x-amz-acl': 'bucket-owner-full-control', ...DIGEST_ENCRYPTION }),
        path: dkey,
        grantPrefix: p.base,
        account: p.account,
      });
    }
  }
  return reqs;
}

export interface KmsRequestOptions {
  /** Where the key comes from: the trail's KmsKeyId (CloudTrail encrypts) or the bucket's default (S3 encrypts for CloudTrail). */
  source?: 'trail' | 'bucket-default';
  /** The bucket's region, for kms:ViaService when S3 encrypts with the bucket default. */
  bucketRegion?: string;
  bucketKeyEnabled?: boolean;
}

/** kms:GenerateDataKey (per log file) and kms:DescribeKey (when the trail is created or updated) on the key. */
export function kmsRequests(t: TrailTarget, opts: KmsRequestOptions = {}): CloudTrailRequest[] {
  if (!t.kmsKeyArn) return [];
  const now = t.now ?? new Date();
  const partition = partitionOf(t.trailArn);
  const principal = { type: 'Service' as const, id: CLOUDTRAIL_SERVICE };
  const base = writePaths(t).find((p) => p.required)!.base;
  const objectArn = `arn:${partition}:s3:::${t.bucket}/${logObjectKey(base, t.accountId, t.region, now)}`;
  const s3Arn = opts.bucketKeyEnabled ? `arn:${partition}:s3:::${t.bucket}` : objectArn;
  const source = opts.source ?? 'trail';
  const encryption: Record<string, ContextValue> =
    source === 'trail'
      ? {
          'kms:EncryptionContext:aws:cloudtrail:arn': t.trailArn,
          'kms:EncryptionContext:aws:s3:arn': s3Arn,
          'kms:EncryptionContextKeys': ['aws:cloudtrail:arn', 'aws:s3:arn'],
        }
      : {
          'kms:EncryptionContext:aws:s3:arn': s3Arn,
          'kms:EncryptionContextKeys': ['aws:s3:arn'],
          'kms:ViaService': `s3.${opts.bucketRegion ?? t.region}.amazonaws.com`,
        };
  return [
    {
      purpose: 'kms-generate-data-key',
      label: `kms:GenerateDataKey on ${t.kmsKeyArn} for trail ${t.trailArn}`,
      required: true,
      principal,
      action: 'kms:GenerateDataKey',
      resource: t.kmsKeyArn,
      context: serviceContext(t, encryption),
    },
    {
      purpose: 'kms-describe-key',
      label: `kms:DescribeKey on ${t.kmsKeyArn}`,
      required: true,
      principal,
      action: 'kms:DescribeKey',
      resource: t.kmsKeyArn,
      context: serviceContext(t),
    },
  ];
}

/** sts:AssumeRole of the CloudWatch Logs role by cloudtrail.amazonaws.com (judged against the trust policy). */
export function roleTrustRequest(t: TrailTarget): CloudTrailRequest | undefined {
  if (!t.roleArn) return undefined;
  return {
    purpose: 'role-assume',
    label: `sts:AssumeRole of ${t.roleArn} by ${CLOUDTRAIL_SERVICE}`,
    required: true,
    principal: { type: 'Service', id: CLOUDTRAIL_SERVICE },
    action: 'sts:AssumeRole',
    resource: t.roleArn,
    context: serviceContext(t),
  };
}

/** `<acct>_CloudTrail_<region>`, or for organization trails' member streams `<o-id>_<acct>_CloudTrail_<region>`. */
export function logStreamName(account: string, region: string, orgId?: string): string {
  return `${orgId ? `${orgId}_` : ''}${account}_CloudTrail_${region}`;
}

/**
 * logs:CreateLogStream and logs:PutLogEvents on the trail's log stream ARN, made by the role (judged
 * against the role's identity policies). AWS's default CloudTrail role policy grants both actions on
 * `log-group:<name>:log-stream:<acct>_CloudTrail_<region>*`, so both are authorised on the stream ARN.
 */
export function logsRequests(t: TrailTarget): CloudTrailRequest[] {
  if (!t.logGroupArn) return [];
  const lg = parseLogGroupArn(t.logGroupArn);
  if (!lg) return [];
  const roleAccount = parseArn(t.roleArn)?.account || t.accountId;
  const principal = t.roleArn
    ? { type: 'AWS' as const, arn: t.roleArn, accountId: roleAccount }
    : { type: 'AWS' as const, arn: `arn:${lg.partition}:iam::${t.accountId}:role/unknown`, accountId: t.accountId };
  const streams = [logStreamName(t.accountId, t.region)];
  if (t.isOrganizationTrail && t.orgId) {
    streams.push(logStreamName(t.accountId, t.region, t.orgId));
    for (const m of t.memberAccountIds ?? []) if (m !== t.accountId) streams.push(logStreamName(m, t.region, t.orgId));
  }
  const out: CloudTrailRequest[] = [];
  for (const stream of streams) {
    const resource = `arn:${lg.partition}:logs:${lg.region}:${lg.accountId}:log-group:${lg.name}:log-stream:${stream}`;
    const context: Record<string, ContextValue> = {
      'aws:PrincipalArn': principal.arn,
      'aws:PrincipalAccount': roleAccount,
      'aws:SecureTransport': true,
      'aws:PrincipalType': 'AssumedRole',
    };
    for (const [purpose, action] of [
      ['logs-create-stream', 'logs:CreateLogStream'],
      ['logs-put-events', 'logs:PutLogEvents'],
    ] as const) {
      out.push({ purpose, label: `${action} on ${resource}`, required: true, principal, action, resource, context, path: stream });
    }
  }
  return out;
}
