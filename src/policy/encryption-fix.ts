import { SSE_HEADER, type CloudTrailRequest } from './cloudtrail-requests.js';
import { policyObject } from './parse.js';
import { evaluateCloudTrailRequest } from './request-verdict.js';
import type { StatementRef, PolicyVerdict } from './types.js';

/**
 * AWS's advice for a bucket policy that denies uploads not encrypted the one way it wants (for example
 * "deny unless aws:kms", which refuses CloudTrail's SSE-S3 digest files): accept the other value too,
 * rather than drop the guard. This widens such a Deny statement: the values CloudTrail sends are added
 * to its negated string condition on s3:x-amz-server-side-encryption. Pure: returns a new statement, or
 * undefined when the statement has no such condition (it must then be removed or narrowed by hand).
 */

const NEGATED_STRING = /^(forallvalues:)?stringnotequals(ignorecase)?(ifexists)?$/i;

export function widenEncryptionDeny(statement: Record<string, unknown>, values: readonly string[]): Record<string, unknown> | undefined {
  if (statement.Effect !== 'Deny' || !values.length) return undefined;
  const cond = statement.Condition;
  if (!cond || typeof cond !== 'object' || Array.isArray(cond)) return undefined;
  let touched = false;
  const out: Record<string, unknown> = {};
  for (const [op, keys] of Object.entries(cond as Record<string, unknown>)) {
    if (!NEGATED_STRING.test(op) || !keys || typeof keys !== 'object' || Array.isArray(keys)) {
      out[op] = keys;
      continue;
    }
    const next: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(keys as Record<string, unknown>)) {
      if (k.toLowerCase() === SSE_HEADER && (typeof v === 'string' || Array.isArray(v))) {
        const list = (Array.isArray(v) ? v : [v]).map(String);
        const add = values.filter((x) => !list.includes(x));
        if (add.length) {
          touched = true;
          next[k] = [...list, ...add];
          continue;
        }
      }
      next[k] = v;
    }
    out[op] = next;
  }
  return touched ? { ...statement, Condition: out } : undefined;
}

export interface WidenedPolicy {
  /** The document with the widened statements in place (same order, same indexes). */
  document: Record<string, unknown>;
  /** The Deny statements widened: they stay, and no longer refuse CloudTrail's requests. */
  widened: StatementRef[];
}

/**
 * Widens every Deny in `denies` that refuses the failing requests only through the encryption header,
 * checking that afterwards it denies none of them. Undefined when none can be widened.
 */
export function widenEncryptionDenies(
  doc: unknown,
  failing: readonly { request: CloudTrailRequest; verdict: PolicyVerdict }[],
  denies: readonly StatementRef[],
): WidenedPolicy | undefined {
  const obj = doc === undefined ? undefined : policyObject(doc);
  const raw = obj?.Statement;
  if (!obj || !Array.isArray(raw)) return undefined;
  const statements = [...(raw as Record<string, unknown>[])];
  const widened: StatementRef[] = [];
  for (const ref of denies) {
    const st = statements[ref.index];
    if (!st) continue;
    const denied = failing.filter((rv) => rv.verdict.deniedBy.some((d) => d.index === ref.index));
    const values = [...new Set(denied.map((rv) => rv.request.context[SSE_HEADER]).filter((v): v is string => typeof v === 'string'))];
    const next = widenEncryptionDeny(st, values);
    if (!next) continue;
    const trial = [...statements];
    trial[ref.index] = next;
    const trialDoc = { ...obj, Statement: trial };
    if (denied.some((rv) => evaluateCloudTrailRequest(trialDoc, rv.request).deniedBy.some((d) => d.index === ref.index))) continue;
    statements[ref.index] = next;
    widened.push(ref);
  }
  return widened.length ? { document: { ...obj, Statement: statements }, widened } : undefined;
}
