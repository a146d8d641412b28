import { evaluateConditions, normalizeContext, substituteVariables, type NormalizedContext } from './conditions.js';
import { wildcardMatch } from './match.js';
import { rootAccountOf } from '../aws/arn.js';
import { parsePolicy } from './parse.js';
import type {
  EvaluateOptions,
  NotApplicable,
  ParsedPolicy,
  ParsedStatement,
  PolicyRequest,
  PrincipalSpec,
  RequestPrincipal,
  StatementRef,
  PolicyVerdict,
} from './types.js';


/** Does one Principal element name the requester? */
export function principalMatches(spec: PrincipalSpec, p: RequestPrincipal): boolean {
  if (spec === '*') return true;
  for (const [type, ids] of Object.entries(spec)) {
    const t = type.toLowerCase();
    for (const raw of ids) {
      const id = raw.trim();
      if (t === 'aws') {
        if (id === '*') return true;
        if (p.type !== 'AWS') continue;
        if (id === p.arn || id === p.accountId) return true;
        if (rootAccountOf(id) === p.accountId) return true;
      } else if (t === 'service') {
        if (p.type === 'Service' && (id === '*' || id.toLowerCase() === p.id.toLowerCase())) return true;
      } else if (t === 'federated') {
        if (p.type === 'Federated' && id === p.id) return true;
      }
      // CanonicalUser and unknown types name principals our requests never are
    }
  }
  return false;
}

function describePrincipal(p: RequestPrincipal): string {
  switch (p.type) {
    case 'Service':
      return p.id;
    case 'AWS':
      return p.arn;
    case 'Federated':
      return p.id;
    default:
      return 'anonymous';
  }
}

const refOf = (st: ParsedStatement, policy?: string): StatementRef => {
  const ref: StatementRef = { index: st.index, effect: st.effect };
  if (st.sid !== undefined && st.sid !== '') ref.sid = st.sid;
  if (policy !== undefined) ref.policy = policy;
  return ref;
};

/** A statement's label for notes: `#2 "DenyNonTls"`. */
export function statementLabel(ref: StatementRef): string {
  const sid = ref.sid ? ` "${ref.sid.slice(0, 100)}"` : '';
  const pol = ref.policy ? ` of ${ref.policy.slice(0, 100)}` : '';
  return `statement #${ref.index}${sid}${pol}`;
}

interface StatementOutcome {
  applies: boolean;
  na?: NotApplicable;
  /** The outcome rests on something the engine cannot judge. */
  uncertain?: boolean;
  note?: string;
}

function resourceMatches(patterns: string[], resource: string, ctx: NormalizedContext, variables: boolean): { hit: boolean; unresolved: boolean } {
  let unresolved = false;
  for (const p of patterns) {
    const pat = variables ? substituteVariables(p, ctx) : p;
    if (pat === undefined) {
      unresolved = true;
      continue;
    }
    if (wildcardMatch(pat, resource)) return { hit: true, unresolved };
  }
  return { hit: false, unresolved };
}

function evaluateStatement(st: ParsedStatement, req: PolicyRequest, ctx: NormalizedContext, kind: 'resource' | 'identity', variables: boolean, policy?: string): StatementOutcome {
  const ref = refOf(st, policy);
  const na = (reason: NotApplicable['reason'], why: string, extra: Partial<NotApplicable> = {}): StatementOutcome => ({
    applies: false,
    na: { ref, reason, why, ...extra },
  });
  if (st.invalid) return na('invalid', `invalid statement: ${st.invalid}`);

  if (kind === 'resource') {
    if (st.principal) {
      if (!principalMatches(st.principal, req.principal)) return na('principal', `Principal does not name ${describePrincipal(req.principal)}`);
    } else if (st.notPrincipal) {
      if (principalMatches(st.notPrincipal, req.principal)) return na('principal', `NotPrincipal names ${describePrincipal(req.principal)}`);
    } else {
      return na('invalid', 'resource policy statement has no Principal or NotPrincipal');
    }
  }

  const action = req.action;
  if (st.action) {
    if (!st.action.some((a) => wildcardMatch(a, action, true))) return na('action', `Action does not include ${action}`);
  } else if (st.notAction) {
    if (st.notAction.some((a) => wildcardMatch(a, action, true))) return na('action', `NotAction excludes ${action}`);
  }

  let uncertainResource = false;
  if (st.resource) {
    const r = resourceMatches(st.resource, req.resource, ctx, variables);
    if (!r.hit) {
      const out = na('resource', `Resource does not match ${req.resource}`);
      if (r.unresolved) {
        out.uncertain = true;
        out.note = `${statementLabel(ref)}: a policy variable in Resource has no value in the request`;
      }
      return out;
    }
  } else if (st.notResource) {
    const r = resourceMatches(st.notResource, req.resource, ctx, variables);
    if (r.hit) return na('resource', `NotResource excludes ${req.resource}`);
    uncertainResource = r.unresolved;
  }

  if (st.condition) {
    const variablesCtx = ctx;
    const block = variables ? st.condition : stripVariables(st.condition);
    const c = evaluateConditions(block, variablesCtx);
    if (!c.matched) {
      const out = na('condition', `condition ${c.operator} ${c.key}: ${c.why}`, { conditionKey: c.key!, operator: c.operator! });
      if (c.unknownOperator) {
        out.uncertain = true;
        out.note = `${statementLabel(ref)} uses unknown condition operator ${c.operator}: treated as not applying`;
      } else if (c.unresolvedVariable) {
        out.uncertain = true;
        out.note = `${statementLabel(ref)}: a policy variable in condition ${c.key} has no value in the request`;
      }
      return out;
    }
  }
  return uncertainResource ? { applies: true, uncertain: true } : { applies: true };
}

/** Policy variables are literal text in Version 2008-10-17 documents: escape them from substitution. */
function stripVariables(block: NonNullable<ParsedStatement['condition']>): NonNullable<ParsedStatement['condition']> {
  const out: NonNullable<ParsedStatement['condition']> = {};
  for (const [op, keys] of Object.entries(block)) {
    out[op] = {};
    for (const [k, vals] of Object.entries(keys)) out[op]![k] = vals.map((v) => v.replace(/\$\{/g, '${$}{'));
  }
  return out;
}

function emptyVerdict(): PolicyVerdict {
  return { decision: 'implicit-deny', allowedBy: [], deniedBy: [], notApplicable: [], notes: [], uncertain: false };
}

interface Core {
  verdict: PolicyVerdict;
  uncertainAllows: number;
  uncertainDenies: number;
}

function finish(v: PolicyVerdict, uncertainAllows: number, uncertainDenies: number, broken = 0): PolicyVerdict {
  v.decision = v.deniedBy.length ? 'explicit-deny' : v.allowedBy.length ? 'allow' : 'implicit-deny';
  v.uncertain =
    (uncertainDenies > 0 && v.decision !== 'explicit-deny') || ((uncertainAllows > 0 || broken > 0) && v.decision === 'implicit-deny');
  return v;
}

function evaluateCore(policy: ParsedPolicy, request: PolicyRequest, opts: EvaluateOptions): Core {
  const kind = opts.kind ?? 'resource';
  const ctx = normalizeContext(request.context);
  const variables = policy.version === '2012-10-17';
  const v = emptyVerdict();
  let uncertainAllows = 0;
  let uncertainDenies = 0;
  for (const st of policy.statements) {
    const out = evaluateStatement(st, request, ctx, kind, variables, opts.policyName);
    if (out.note) v.notes.push(out.note);
    if (out.applies) {
      (st.effect === 'Deny' ? v.deniedBy : v.allowedBy).push(refOf(st, opts.policyName));
      if (out.uncertain) v.notes.push(`${statementLabel(refOf(st, opts.policyName))}: a policy variable in NotResource has no value in the request`);
    } else if (out.na) {
      v.notApplicable.push(out.na);
      if (out.uncertain) {
        if (st.effect === 'Deny') uncertainDenies++;
        else uncertainAllows++;
      }
    }
  }
  finish(v, uncertainAllows, uncertainDenies);
  return { verdict: v, uncertainAllows, uncertainDenies };
}

/** Evaluates an already parsed policy; see evaluatePolicy. */
export function evaluateParsed(policy: ParsedPolicy, request: PolicyRequest, opts: EvaluateOptions = {}): PolicyVerdict {
  return evaluateCore(policy, request, opts).verdict;
}

/**
 * Evaluates one request against one policy document (JSON text, URL-encoded text, or object).
 * Explicit Deny wins; otherwise an applying Allow allows; otherwise implicit deny. Never throws:
 * a malformed document gives implicit-deny with `error` set.
 */
export function evaluatePolicy(doc: unknown, request: PolicyRequest, opts: EvaluateOptions = {}): PolicyVerdict {
  const parsed = parsePolicy(doc);
  if (!parsed.ok) {
    const v = emptyVerdict();
    v.error = parsed.error;
    v.notes.push(opts.policyName ? `${opts.policyName}: ${parsed.error}` : parsed.error);
    return v;
  }
  return evaluateParsed(parsed.policy, request, opts);
}

export interface NamedDocument {
  name?: string;
  document: unknown;
}

/**
 * Evaluates several policies together, as AWS does for the identity policies of one principal (inline
 * and attached) or for a resource policy alongside them: any explicit Deny wins, then any Allow.
 * A document that cannot be parsed is noted and makes the verdict uncertain unless a Deny already wins.
 */
export function evaluatePolicies(docs: readonly NamedDocument[], request: PolicyRequest, opts: Omit<EvaluateOptions, 'policyName'> = {}): PolicyVerdict {
  const v = emptyVerdict();
  let broken = 0;
  let uncertainAllows = 0;
  let uncertainDenies = 0;
  for (const d of docs) {
    const name = d.name;
    const parsed = parsePolicy(d.document);
    if (!parsed.ok) {
      broken++;
      v.notes.push(name ? `${name}: ${parsed.error}` : parsed.error);
      continue;
    }
    const one = evaluateCore(parsed.policy, request, name !== undefined ? { ...opts, policyName: name } : opts);
    v.allowedBy.push(...one.verdict.allowedBy);
    v.deniedBy.push(...one.verdict.deniedBy);
    v.notApplicable.push(...one.verdict.notApplicable);
    v.notes.push(...one.verdict.notes);
    uncertainAllows += one.uncertainAllows;
    uncertainDenies += one.uncertainDenies;
  }
  finish(v, uncertainAllows, uncertainDenies, broken);
  if (broken > 0 && broken === docs.length) v.error = `none of the ${docs.length} policy document(s) could be parsed`;
  return v;
}

/** One line naming the statements that decided a verdict, for evidence chains. */
export function explainVerdict(v: PolicyVerdict): string {
  if (v.error) return v.error;
  if (v.decision === 'explicit-deny') return `denied by ${v.deniedBy.map(statementLabel).join(', ')}`;
  if (v.decision === 'allow') return `allowed by ${v.allowedBy.map(statementLabel).join(', ')}`;
  return 'no statement allows it (implicit deny)';
}
