import type { Evidence } from '../evidence/schema.js';
import { policyObject } from '../policy/parse.js';
import {
  CLOUDTRAIL_SERVICE,
  logStreamName,
  parseLogGroupArn,
  partitionOf as partitionOfArn,
  type CloudTrailRequest,
  type TrailTarget,
} from '../policy/cloudtrail-requests.js';
import { statementLabel } from '../policy/evaluate.js';
import type { PolicyVerdict, StatementRef } from '../policy/types.js';
import { bucketOf, callerAccount, parseArn, safe, trailOf, valueOf } from './util.js';

/**
 * Shared by the three policy-based checks: the TrailTarget built from evidence, the lines that explain a
 * verdict, and corrected policy documents (the account's statements kept, CloudTrail's added, the Deny
 * statements that block delivery removed and named).
 */

/** What CloudTrail's requests are built from, from the evidence. Undefined without a trail. */
export function trailTargetOf(e: Evidence, now: Date): TrailTarget | undefined {
  const trail = trailOf(e);
  if (!trail) return undefined;
  const arn = parseArn(trail.arn);
  const accountId = arn?.account ?? callerAccount(e) ?? '';
  const region = trail.homeRegion || arn?.region || e.target.region;
  const orgId = trail.isOrganizationTrail ? valueOf(e.steps.s6?.organizationId) : undefined;
  const t: TrailTarget = {
    trailArn: trail.arn,
    accountId,
    region,
    bucket: bucketOf(e) ?? '',
    isOrganizationTrail: trail.isOrganizationTrail,
    logFileValidationEnabled: trail.logFileValidationEnabled,
    now,
  };
  if (trail.s3KeyPrefix) t.prefix = trail.s3KeyPrefix;
  if (orgId) t.orgId = orgId;
  // the trail's key is sent in the log files' PutObject headers (s3:x-amz-server-side-encryption-aws-kms-key-id)
  if (trail.kmsKeyId) t.kmsKeyArn = trail.kmsKeyId;
  if (trail.cloudWatchLogsLogGroupArn) t.logGroupArn = trail.cloudWatchLogsLogGroupArn;
  const roleArn = trail.cloudWatchLogsRoleArn ?? e.steps.s5?.roleArn;
  if (roleArn) t.roleArn = roleArn;
  return t;
}

export const refLabel = (r: StatementRef): string => safe(statementLabel(r), 200);

export interface RequestVerdict {
  request: CloudTrailRequest;
  verdict: PolicyVerdict;
}

/**
 * Evidence lines for a denied request: which statements deny it, or that none allows it, plus the
 * "near misses" — Allow statements for the right principal and action that fail on resource or
 * condition (an old prefix, a SourceArn naming another trail).
 */
export function explainDenied(step: number, what: string, rv: RequestVerdict): string[] {
  const { request: r, verdict: v } = rv;
  const lines: string[] = [];
  const head = `step ${step}: ${what}: ${safe(r.action, 80)} on ${safe(r.resource, 400)}`;
  if (v.error) lines.push(`${head}: ${safe(v.error, 300)}`);
  else if (v.decision === 'explicit-deny') lines.push(`${head}: explicitly denied by ${v.deniedBy.map(refLabel).join(', ')}`);
  else lines.push(`${head}: no statement allows it (implicit deny)`);
  for (const na of v.notApplicable) {
    if (na.ref.effect !== 'Allow' || na.reason === 'principal' || na.reason === 'action' || na.reason === 'invalid') continue;
    lines.push(`step ${step}: ${refLabel(na.ref)} does not apply: ${safe(na.why, 400)}`);
  }
  for (const n of v.notes) lines.push(`step ${step}: note: ${safe(n, 300)}`);
  return lines;
}

/** Data for renderers and tests: one entry per request. */
export function verdictData(rvs: readonly RequestVerdict[]) {
  return rvs.map(({ request: r, verdict: v }) => ({
    purpose: r.purpose,
    action: r.action,
    resource: r.resource,
    required: r.required,
    decision: v.decision,
    allowedBy: v.allowedBy,
    deniedBy: v.deniedBy,
    notApplicable: v.notApplicable.map((n) => ({ ref: n.ref, reason: n.reason, why: safe(n.why, 400), ...(n.conditionKey ? { conditionKey: n.conditionKey } : {}) })),
    ...(v.notes.length ? { notes: v.notes.map((n) => safe(n, 300)) } : {}),
    ...(v.uncertain ? { uncertain: true } : {}),
  }));
}

type Statement = Record<string, unknown>;

export interface CorrectedPolicy {
  policy: { Version: string; Id?: string; Statement: Statement[] };
  /** Labels of the Deny statements removed. */
  removed: string[];
  /** Sids of the statements added. */
  added: string[];
}

/**
 * The original document with `add` appended (Sids made unique) and the statements at `removeIndexes`
 * dropped. A missing or unreadable original starts from an empty document.
 */
export function correctPolicy(original: unknown, add: readonly Statement[], removeRefs: readonly StatementRef[] = []): CorrectedPolicy {
  const obj = original === undefined ? undefined : policyObject(original);
  const rawStatements = obj ? (obj.Statement ?? obj.statement) : undefined;
  const statements: Statement[] = Array.isArray(rawStatements) ? (rawStatements as Statement[]) : rawStatements && typeof rawStatements === 'object' ? [rawStatements as Statement] : [];
  const removeIdx = new Set(removeRefs.map((r) => r.index));
  const kept = statements.filter((_s, i) => !removeIdx.has(i));
  const removed = removeRefs.map(refLabel);
  const sids = new Set(kept.map((s) => String(s.Sid ?? '')));
  const added: string[] = [];
  for (const st of add) {
    const base = String(st.Sid ?? 'TrailDoctor');
    let sid = base;
    for (let n = 2; sids.has(sid); n++) sid = `${base}${n}`;
    sids.add(sid);
    added.push(sid);
    kept.push({ ...st, Sid: sid });
  }
  const policy: CorrectedPolicy['policy'] = { Version: '2012-10-17', Statement: kept };
  if (obj && typeof obj.Id === 'string') policy.Id = obj.Id;
  return { policy, removed, added };
}

const cloudTrailPrincipal = { Service: CLOUDTRAIL_SERVICE };

/** The bucket-policy statements CloudTrail needs for the requests that failed (AWS documentation's form). */
export function bucketStatementsFor(t: TrailTarget, failing: readonly CloudTrailRequest[]): Statement[] {
  const partition = partitionOfArn(t.trailArn);
  const out: Statement[] = [];
  if (failing.some((r) => r.purpose === 'bucket-acl-check')) {
    out.push({
      Sid: 'AWSCloudTrailAclCheck',
      Effect: 'Allow',
      Principal: cloudTrailPrincipal,
      Action: 's3:GetBucketAcl',
      Resource: `arn:${partition}:s3:::${t.bucket}`,
      Condition: { StringEquals: { 'aws:SourceArn': t.trailArn } },
    });
  }
  const prefixes = [...new Set(failing.filter((r) => r.purpose === 'log-write' || r.purpose === 'digest-write').map((r) => r.grantPrefix!))];
  // an organization trail's member accounts all live under AWSLogs/<o-id>/: grant that once
  const resources = prefixes.map((p) => {
    if (t.orgId && p.includes(`AWSLogs/${t.orgId}/`)) return `arn:${partition}:s3:::${t.bucket}/${p.slice(0, p.indexOf(`AWSLogs/${t.orgId}/`))}AWSLogs/${t.orgId}/*`;
    return `arn:${partition}:s3:::${t.bucket}/${p}*`;
  });
  const unique = [...new Set(resources)];
  if (unique.length) {
    out.push({
      Sid: 'AWSCloudTrailWrite',
      Effect: 'Allow',
      Principal: cloudTrailPrincipal,
      Action: 's3:PutObject',
      Resource: unique.length === 1 ? unique[0] : unique,
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': t.trailArn } },
    });
  }
  return out;
}

/** Key-policy statements CloudTrail needs (create-kms-key-policy-for-cloudtrail). */
export function keyStatementsFor(t: TrailTarget, failing: readonly CloudTrailRequest[], source: 'trail' | 'bucket-default'): Statement[] {
  const partition = partitionOfArn(t.trailArn);
  const out: Statement[] = [];
  if (failing.some((r) => r.purpose === 'kms-generate-data-key')) {
    const condition: Record<string, Record<string, string>> = { StringEquals: { 'aws:SourceArn': t.trailArn } };
    if (source === 'trail') condition.StringLike = { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${partition}:cloudtrail:*:${t.accountId}:trail/*` };
    out.push({ Sid: 'AllowCloudTrailToEncryptLogs', Effect: 'Allow', Principal: cloudTrailPrincipal, Action: 'kms:GenerateDataKey*', Resource: '*', Condition: condition });
  }
  if (failing.some((r) => r.purpose === 'kms-describe-key')) {
    out.push({
      Sid: 'AllowCloudTrailToDescribeKey',
      Effect: 'Allow',
      Principal: cloudTrailPrincipal,
      Action: 'kms:DescribeKey',
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceArn': t.trailArn } },
    });
  }
  return out;
}

/** Trust statement letting CloudTrail assume the CloudWatch Logs role. */
export function trustStatement(): Statement {
  return { Sid: 'AllowCloudTrailAssumeRole', Effect: 'Allow', Principal: cloudTrailPrincipal, Action: 'sts:AssumeRole' };
}

/** Role-policy statements for CreateLogStream and PutLogEvents on the trail's streams (cloudtrail-required-policy-for-cloudwatch-logs). */
export function roleStatementsFor(t: TrailTarget): Statement[] {
  const lg = t.logGroupArn ? parseLogGroupArn(t.logGroupArn) : undefined;
  if (!lg) return [];
  const base = `arn:${lg.partition}:logs:${lg.region}:${lg.accountId}:log-group:${lg.name}:log-stream:`;
  const resources = [`${base}${logStreamName(t.accountId, t.region)}*`];
  if (t.isOrganizationTrail && t.orgId) resources.push(`${base}${t.orgId}_*`);
  return [
    { Sid: 'AWSCloudTrailCreateLogStream', Effect: 'Allow', Action: ['logs:CreateLogStream'], Resource: resources },
    { Sid: 'AWSCloudTrailPutLogEvents', Effect: 'Allow', Action: ['logs:PutLogEvents'], Resource: resources },
  ];
}
