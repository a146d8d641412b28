import type { CloudTrailRequest, CloudTrailRequestPurpose } from './cloudtrail-requests.js';
import { evaluatePolicy } from './evaluate.js';
import type { ContextValue, EvaluateOptions, PolicyVerdict } from './types.js';

/**
 * Judges one of CloudTrail's requests against a policy, including the alternatives of a request whose
 * headers AWS does not document: when they disagree the verdict is the denying one, marked uncertain,
 * with a note naming what each alternative gets. Then which request kinds (log files, digest files, the
 * ACL check) a set of verdicts blocks.
 */

function withAlternative(base: Record<string, ContextValue>, over: Record<string, ContextValue | null>): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    // keys are case-insensitive: drop any spelling of the same key first
    for (const existing of Object.keys(out)) if (existing.toLowerCase() === k.toLowerCase()) delete out[existing];
    if (v !== null) out[k] = v;
  }
  return out;
}

const rank = (v: PolicyVerdict): number => (v.decision === 'explicit-deny' ? 2 : v.decision === 'implicit-deny' ? 1 : 0);

/** evaluatePolicy for a CloudTrail request, over every alternative it carries. Never throws. */
export function evaluateCloudTrailRequest(doc: unknown, req: CloudTrailRequest, opts: EvaluateOptions = {}): PolicyVerdict {
  if (!req.alternatives?.length) return evaluatePolicy(doc, req, opts);
  const judged = req.alternatives.map((alt) => ({ alt, verdict: evaluatePolicy(doc, { ...req, context: withAlternative(req.context, alt.context) }, opts) }));
  const worst = judged.reduce((a, b) => (rank(b.verdict) > rank(a.verdict) ? b : a));
  const decisions = new Set(judged.map((j) => j.verdict.decision));
  if (decisions.size === 1) return worst.verdict;
  const v: PolicyVerdict = { ...worst.verdict, notes: [...worst.verdict.notes], uncertain: true };
  v.notes.push(
    `AWS does not document this header of CloudTrail's request; the verdict depends on it: ${judged.map((j) => `${j.alt.label} → ${j.verdict.decision}`).join('; ')}`,
  );
  return v;
}

/** What a policy does to one kind of CloudTrail's S3 requests. */
export type KindOutcome = 'allowed' | 'blocked' | 'uncertain' | 'not-made';

export interface BlockedKinds {
  logFiles: KindOutcome;
  digestFiles: KindOutcome;
  aclCheck: KindOutcome;
}

const KIND_OF: Partial<Record<CloudTrailRequestPurpose, keyof BlockedKinds>> = {
  'log-write': 'logFiles',
  'digest-write': 'digestFiles',
  'bucket-acl-check': 'aclCheck',
};

/**
 * Which kinds of request the verdicts block, over the required requests only. A kind is `blocked` when
 * one of its requests is denied for certain, `uncertain` when its only denials hinge on something
 * undocumented, `allowed` when every request of that kind is allowed.
 */
export function blockedKinds(rvs: readonly { request: CloudTrailRequest; verdict: PolicyVerdict }[]): BlockedKinds {
  const out: BlockedKinds = { logFiles: 'not-made', digestFiles: 'not-made', aclCheck: 'not-made' };
  const order: Record<KindOutcome, number> = { 'not-made': 0, allowed: 1, uncertain: 2, blocked: 3 };
  for (const { request: r, verdict: v } of rvs) {
    const kind = KIND_OF[r.purpose];
    if (!kind || !r.required) continue;
    const outcome: KindOutcome = v.decision === 'allow' ? 'allowed' : v.uncertain || v.error ? 'uncertain' : 'blocked';
    if (order[outcome] > order[out[kind]]) out[kind] = outcome;
  }
  return out;
}

/** "log files and digest files", "digest files only", ... for summaries; undefined when nothing is blocked. */
export function describeBlocked(k: BlockedKinds): string | undefined {
  const names: [keyof BlockedKinds, string][] = [
    ['aclCheck', 'the bucket ACL check'],
    ['logFiles', 'log files'],
    ['digestFiles', 'digest files'],
  ];
  const hit = names.filter(([key]) => k[key] === 'blocked' || k[key] === 'uncertain');
  if (!hit.length) return undefined;
  const parts = hit.map(([key, name]) => (k[key] === 'uncertain' ? `${name} (uncertain)` : name));
  const text = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0]!;
  const delivered = k.logFiles === 'allowed' ? ' — log files are still written' : '';
  return `${text}${delivered}`;
}
