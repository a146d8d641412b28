import type { ConditionBlock, Effect, ParseResult, ParsedPolicy, ParsedStatement, PrincipalSpec } from './types.js';

/** Largest policy document accepted (IAM's largest, a role's inline policies, is 10 KB; S3's 20 KB; KMS 32 KB). */
export const MAX_POLICY_CHARS = 256_000;

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

const lowered = new WeakMap<object, Map<string, unknown>>();

/** Case-insensitive property lookup: `Statement`, `statement`, `STATEMENT` all answer. */
function prop(o: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(o, name)) return o[name];
  let m = lowered.get(o);
  if (!m) {
    m = new Map();
    for (const [k, v] of Object.entries(o)) if (!m.has(k.toLowerCase())) m.set(k.toLowerCase(), v);
    lowered.set(o, m);
  }
  return m.get(name.toLowerCase());
}
const has = (o: Record<string, unknown>, name: string) => prop(o, name) !== undefined;

function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** A value that may be one string or a list: always a list of strings (non-strings dropped). */
function strings(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  const list = Array.isArray(v) ? v : [v];
  const out: string[] = [];
  for (const x of list) {
    const s = scalar(x);
    if (s !== undefined) out.push(s);
  }
  return out;
}

function principalSpec(v: unknown): PrincipalSpec | string {
  if (v === '*') return '*';
  if (typeof v === 'string') return `Principal must be "*" or an object, got "${v.slice(0, 60)}"`;
  if (!isObject(v)) return 'Principal must be "*" or an object';
  const out: Record<string, string[]> = {};
  for (const [type, ids] of Object.entries(v)) {
    const list = strings(ids);
    if (!list) return `Principal ${type} has no identifiers`;
    out[type] = list;
  }
  return out;
}

function conditionBlock(v: unknown): ConditionBlock | string {
  if (!isObject(v)) return 'Condition must be an object';
  const out: ConditionBlock = {};
  for (const [op, keys] of Object.entries(v)) {
    if (!isObject(keys)) return `Condition operator ${op} must map keys to values`;
    const inner: Record<string, string[]> = {};
    for (const [key, vals] of Object.entries(keys)) {
      inner[key] = strings(vals) ?? [];
    }
    out[op] = inner;
  }
  return out;
}

function parseStatement(raw: unknown, index: number): ParsedStatement {
  if (!isObject(raw)) return { index, effect: 'Deny', invalid: 'statement is not an object' };
  const sid = scalar(prop(raw, 'Sid'));
  const effectRaw = scalar(prop(raw, 'Effect'));
  const effect: Effect = effectRaw === 'Allow' ? 'Allow' : 'Deny';
  const st: ParsedStatement = { index, effect };
  if (sid !== undefined) st.sid = sid;
  const problems: string[] = [];
  if (effectRaw !== 'Allow' && effectRaw !== 'Deny') problems.push(`Effect must be "Allow" or "Deny", got ${JSON.stringify(effectRaw ?? null)}`);

  for (const [name, key] of [
    ['Principal', 'principal'],
    ['NotPrincipal', 'notPrincipal'],
  ] as const) {
    if (!has(raw, name)) continue;
    const spec = principalSpec(prop(raw, name));
    if (typeof spec === 'string' && spec !== '*') problems.push(spec);
    else st[key] = spec as PrincipalSpec;
  }
  for (const [name, key] of [
    ['Action', 'action'],
    ['NotAction', 'notAction'],
    ['Resource', 'resource'],
    ['NotResource', 'notResource'],
  ] as const) {
    if (!has(raw, name)) continue;
    const list = strings(prop(raw, name));
    if (!list) problems.push(`${name} has no values`);
    else st[key] = list;
  }
  if (has(raw, 'Condition')) {
    const c = conditionBlock(prop(raw, 'Condition'));
    if (typeof c === 'string') problems.push(c);
    else st.condition = c;
  }
  if (st.action && st.notAction) problems.push('both Action and NotAction');
  if (!st.action && !st.notAction) problems.push('no Action or NotAction');
  if (st.resource && st.notResource) problems.push('both Resource and NotResource');
  if (st.principal && st.notPrincipal) problems.push('both Principal and NotPrincipal');
  if (problems.length) st.invalid = problems.join('; ');
  return st;
}

/** Decodes IAM's URL-encoded documents (GetRole, GetRolePolicy, GetPolicyVersion) when they look encoded. */
export function decodePolicyText(text: string): string {
  const t = text.trim();
  if (!t.startsWith('%')) return t;
  try {
    return decodeURIComponent(t);
  } catch {
    return t;
  }
}

/**
 * Parses a policy document given as JSON text (optionally URL-encoded, as IAM returns it) or as an
 * object. Tolerates a single Statement object instead of an array and a string instead of a list.
 * Never throws: a malformed document gives `{ ok: false, error }`.
 */
export function parsePolicy(input: unknown): ParseResult {
  let doc: unknown = input;
  if (typeof input === 'string') {
    if (input.length > MAX_POLICY_CHARS) return { ok: false, error: `policy document is larger than ${MAX_POLICY_CHARS} characters` };
    const text = decodePolicyText(input);
    if (!text) return { ok: false, error: 'policy document is empty' };
    try {
      doc = JSON.parse(text);
    } catch (e) {
      return { ok: false, error: `policy document is not valid JSON: ${(e as Error).message.slice(0, 200)}` };
    }
  }
  if (!isObject(doc)) return { ok: false, error: 'policy document is not a JSON object' };
  const stmtsRaw = prop(doc, 'Statement');
  if (stmtsRaw === undefined) return { ok: false, error: 'policy document has no Statement' };
  const list = Array.isArray(stmtsRaw) ? stmtsRaw : [stmtsRaw];
  const policy: ParsedPolicy = { statements: list.map((s, i) => parseStatement(s, i)) };
  const version = scalar(prop(doc, 'Version'));
  if (version !== undefined) policy.version = version;
  const id = scalar(prop(doc, 'Id'));
  if (id !== undefined) policy.id = id;
  return { ok: true, policy };
}

/** Parses to a plain JS object (for editing a policy into a corrected one), or undefined when malformed. */
export function policyObject(input: unknown): Record<string, unknown> | undefined {
  let doc = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(decodePolicyText(input));
    } catch {
      return undefined;
    }
  }
  return isObject(doc) ? structuredClone(doc) : undefined;
}
