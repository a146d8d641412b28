import { arnMatch, ipInCidr, wildcardMatch } from './match.js';
import type { ConditionBlock, ContextValue } from './types.js';

/**
 * Condition evaluation as AWS does it: within one block every operator and every key must hold (AND),
 * the values listed for one key are alternatives (OR; for negated operators: none may match).
 * Condition keys are case-insensitive. Missing keys: a positive operator does not match, a negated one
 * (StringNotEquals, ArnNotLike, NotIpAddress, ...) matches, `...IfExists` matches, ForAllValues matches,
 * ForAnyValue does not; `Null` tests presence.
 */

/** Request context with lower-cased keys and values as strings. */
export type NormalizedContext = Map<string, string[]>;

export function normalizeContext(ctx: Record<string, ContextValue>): NormalizedContext {
  const out: NormalizedContext = new Map();
  for (const [k, v] of Object.entries(ctx)) {
    const list = (Array.isArray(v) ? v : [v]) as (string | number | boolean)[];
    out.set(k.toLowerCase(), list.map((x) => String(x)));
  }
  return out;
}

type Compare = (request: string, policy: string) => boolean;

const num = (s: string): number => (s.trim() === '' ? NaN : Number(s));
function date(s: string): number {
  const t = s.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000; // epoch seconds
  return Date.parse(t);
}
function numCmp(f: (a: number, b: number) => boolean): Compare {
  return (r, p) => {
    const a = num(r);
    const b = num(p);
    return !Number.isNaN(a) && !Number.isNaN(b) && f(a, b);
  };
}
function dateCmp(f: (a: number, b: number) => boolean): Compare {
  return (r, p) => {
    const a = date(r);
    const b = date(p);
    return !Number.isNaN(a) && !Number.isNaN(b) && f(a, b);
  };
}

interface BaseOperator {
  compare: Compare;
  negated: boolean;
  /** Values may contain policy variables. */
  variables: boolean;
}

const eq: Compare = (r, p) => r === p;
const eqi: Compare = (r, p) => r.toLowerCase() === p.toLowerCase();
const like: Compare = (r, p) => wildcardMatch(p, r);
const arn: Compare = (r, p) => arnMatch(p, r);
const bool: Compare = (r, p) => r.toLowerCase() === p.toLowerCase();
const ip: Compare = (r, p) => ipInCidr(r, p);

const OPERATORS: Record<string, BaseOperator> = {
  stringequals: { compare: eq, negated: false, variables: true },
  stringnotequals: { compare: eq, negated: true, variables: true },
  stringequalsignorecase: { compare: eqi, negated: false, variables: true },
  stringnotequalsignorecase: { compare: eqi, negated: true, variables: true },
  stringlike: { compare: like, negated: false, variables: true },
  stringnotlike: { compare: like, negated: true, variables: true },
  arnequals: { compare: arn, negated: false, variables: true },
  arnlike: { compare: arn, negated: false, variables: true },
  arnnotequals: { compare: arn, negated: true, variables: true },
  arnnotlike: { compare: arn, negated: true, variables: true },
  numericequals: { compare: numCmp((a, b) => a === b), negated: false, variables: false },
  numericnotequals: { compare: numCmp((a, b) => a === b), negated: true, variables: false },
  numericlessthan: { compare: numCmp((a, b) => a < b), negated: false, variables: false },
  numericlessthanequals: { compare: numCmp((a, b) => a <= b), negated: false, variables: false },
  numericgreaterthan: { compare: numCmp((a, b) => a > b), negated: false, variables: false },
  numericgreaterthanequals: { compare: numCmp((a, b) => a >= b), negated: false, variables: false },
  dateequals: { compare: dateCmp((a, b) => a === b), negated: false, variables: false },
  datenotequals: { compare: dateCmp((a, b) => a === b), negated: true, variables: false },
  datelessthan: { compare: dateCmp((a, b) => a < b), negated: false, variables: false },
  datelessthanequals: { compare: dateCmp((a, b) => a <= b), negated: false, variables: false },
  dategreaterthan: { compare: dateCmp((a, b) => a > b), negated: false, variables: false },
  dategreaterthanequals: { compare: dateCmp((a, b) => a >= b), negated: false, variables: false },
  bool: { compare: bool, negated: false, variables: false },
  binaryequals: { compare: eq, negated: false, variables: false },
  ipaddress: { compare: ip, negated: false, variables: false },
  notipaddress: { compare: ip, negated: true, variables: false },
};

export interface ParsedOperator {
  base: string;
  set?: 'any' | 'all';
  ifExists: boolean;
  isNull: boolean;
  op?: BaseOperator;
}

export function parseOperator(name: string): ParsedOperator | undefined {
  let rest = name.trim();
  let set: 'any' | 'all' | undefined;
  const lower = rest.toLowerCase();
  if (lower.startsWith('foranyvalue:')) {
    set = 'any';
    rest = rest.slice('foranyvalue:'.length);
  } else if (lower.startsWith('forallvalues:')) {
    set = 'all';
    rest = rest.slice('forallvalues:'.length);
  }
  let ifExists = false;
  if (rest.toLowerCase().endsWith('ifexists') && rest.length > 'ifexists'.length) {
    ifExists = true;
    rest = rest.slice(0, -'ifexists'.length);
  }
  const base = rest.toLowerCase();
  if (base === 'null') return ifExists || set ? undefined : { base, ifExists: false, isNull: true };
  const op = OPERATORS[base];
  if (!op) return undefined;
  const out: ParsedOperator = { base, ifExists, isNull: false, op };
  if (set) out.set = set;
  return out;
}

/** `${aws:SourceAccount}` and friends. Undefined when a variable has no single value in the request. */
export function substituteVariables(text: string, ctx: NormalizedContext): string | undefined {
  if (!text.includes('${')) return text;
  let unresolved = false;
  const out = text.replace(/\$\{([^}]*)\}/g, (_m, inner: string) => {
    if (inner === '*' || inner === '?' || inner === '$') return inner;
    // ${key, 'default'}
    const m = /^\s*([^,\s]+)\s*(?:,\s*'([^']*)'\s*)?$/.exec(inner);
    const key = m?.[1]?.toLowerCase();
    const vals = key ? ctx.get(key) : undefined;
    if (vals && vals.length === 1) return vals[0]!;
    if (m?.[2] !== undefined) return m[2];
    unresolved = true;
    return '';
  });
  return unresolved ? undefined : out;
}

export interface ConditionOutcome {
  matched: boolean;
  /** When not matched: the key and operator that failed, and why. */
  key?: string;
  operator?: string;
  why?: string;
  unknownOperator?: boolean;
  unresolvedVariable?: boolean;
}

const show = (s: string) => JSON.stringify(s.length > 200 ? s.slice(0, 200) + '…' : s);
const showList = (l: string[]) => (l.length === 1 ? show(l[0]!) : `[${l.slice(0, 5).map(show).join(', ')}${l.length > 5 ? ', …' : ''}]`);

function evaluateOne(opName: string, key: string, policyValues: string[], ctx: NormalizedContext): ConditionOutcome {
  const parsed = parseOperator(opName);
  const fail = (why: string, extra: Partial<ConditionOutcome> = {}): ConditionOutcome => ({ matched: false, key, operator: opName, why, ...extra });
  if (!parsed) return fail(`unknown condition operator ${show(opName)}`, { unknownOperator: true });
  const requestValues = ctx.get(key.toLowerCase());
  const present = requestValues !== undefined && requestValues.length > 0;

  if (parsed.isNull) {
    const wantMissing = policyValues.some((v) => v.toLowerCase() === 'true');
    const wantPresent = policyValues.some((v) => v.toLowerCase() === 'false');
    if ((wantMissing && !present) || (wantPresent && present)) return { matched: true };
    return fail(present ? `key ${key} is present in the request (Null requires it absent)` : `key ${key} is missing from the request (Null requires it present)`);
  }
  const op = parsed.op!;
  let unresolved = false;
  const values: string[] = [];
  for (const v of policyValues) {
    if (!op.variables) {
      values.push(v);
      continue;
    }
    const s = substituteVariables(v, ctx);
    if (s === undefined) unresolved = true;
    else values.push(s);
  }
  const anyMatch = (r: string) => values.some((p) => op.compare(r, p));
  const single = (r: string) => (op.negated ? !anyMatch(r) : anyMatch(r));

  if (!present) {
    if (parsed.ifExists) return { matched: true };
    if (parsed.set === 'all') return { matched: true };
    if (parsed.set === 'any') return fail(`key ${key} is missing from the request`);
    if (op.negated) return { matched: true };
    return fail(`key ${key} is missing from the request`);
  }
  let matched: boolean;
  if (parsed.set === 'all') matched = requestValues.every(single);
  else if (parsed.set === 'any') matched = requestValues.some(single);
  else matched = op.negated ? !requestValues.some(anyMatch) : requestValues.some(anyMatch);
  if (matched) return { matched: true };
  const extra: Partial<ConditionOutcome> = unresolved ? { unresolvedVariable: true } : {};
  const rv = showList(requestValues);
  const pv = showList(policyValues);
  if (op.negated) return fail(`request value ${rv} matches ${pv}`, extra);
  return fail(`request value ${rv} does not match ${pv}`, extra);
}

/** Every operator and key of the block must hold; the first that does not is reported. */
export function evaluateConditions(block: ConditionBlock, ctx: NormalizedContext): ConditionOutcome {
  let firstFail: ConditionOutcome | undefined;
  let unknown: ConditionOutcome | undefined;
  for (const [opName, keys] of Object.entries(block)) {
    for (const [key, values] of Object.entries(keys)) {
      const r = evaluateOne(opName, key, values, ctx);
      if (r.matched) continue;
      // a known mismatch is certain; an unknown operator only decides when nothing else failed
      if (r.unknownOperator || r.unresolvedVariable) unknown ??= r;
      else firstFail ??= r;
    }
  }
  return firstFail ?? unknown ?? { matched: true };
}
