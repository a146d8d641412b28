/**
 * Types of the pure IAM policy engine: a parsed policy, one request, and the verdict that names every
 * statement behind it. No I/O anywhere in src/policy.
 */

export type Effect = 'Allow' | 'Deny';

/** A Principal / NotPrincipal element, normalised: `'*'`, or principal type → identifiers. */
export type PrincipalSpec = '*' | Record<string, string[]>;

/** Condition block normalised: operator (as written) → condition key (as written) → values as strings. */
export type ConditionBlock = Record<string, Record<string, string[]>>;

export interface ParsedStatement {
  index: number;
  sid?: string;
  effect: Effect;
  principal?: PrincipalSpec;
  notPrincipal?: PrincipalSpec;
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  condition?: ConditionBlock;
  /** Set when the statement is malformed (e.g. Effect neither Allow nor Deny): it never applies. */
  invalid?: string;
}

export interface ParsedPolicy {
  version?: string;
  id?: string;
  statements: ParsedStatement[];
}

export type ParseResult = { ok: true; policy: ParsedPolicy } | { ok: false; error: string };

/** Who makes the request. */
export type RequestPrincipal =
  | { type: 'Service'; id: string }
  | { type: 'AWS'; arn: string; accountId: string }
  | { type: 'Federated'; id: string }
  | { type: 'Anonymous' };

export type ContextValue = string | number | boolean | readonly (string | number | boolean)[];

export interface PolicyRequest {
  principal: RequestPrincipal;
  action: string;
  resource: string;
  /** Request context keys (case-insensitive) and their values. A key absent here is missing from the request. */
  context: Record<string, ContextValue>;
  /** Human label for reports, e.g. "s3:PutObject on the trail's log path". */
  label?: string;
}

export interface EvaluateOptions {
  /**
   * `resource` (default): a bucket / key / trust policy; a statement needs Principal or NotPrincipal.
   * `identity`: a policy attached to a user or role; Principal elements are not allowed and are ignored.
   */
  kind?: 'resource' | 'identity';
  /** Name of the policy (identity policies), copied into the StatementRefs. */
  policyName?: string;
}

export interface StatementRef {
  index: number;
  sid?: string;
  effect: Effect;
  /** The policy the statement belongs to, when several are evaluated together. */
  policy?: string;
}

/** The element that made a statement not apply. */
export type NotApplicableReason = 'principal' | 'action' | 'resource' | 'condition' | 'invalid';

export interface NotApplicable {
  ref: StatementRef;
  reason: NotApplicableReason;
  /** The condition key that did not match, when reason is `condition`. */
  conditionKey?: string;
  /** The operator of that condition. */
  operator?: string;
  why: string;
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

/** The outcome of evaluating one request against policies: the decision and the statements behind it. */
export interface PolicyVerdict {
  decision: Decision;
  /** Allow statements that apply to the request (all of them, even when a Deny wins). */
  allowedBy: StatementRef[];
  /** Deny statements that apply to the request. */
  deniedBy: StatementRef[];
  notApplicable: NotApplicable[];
  notes: string[];
  /** The document could not be parsed: the decision is implicit-deny and this says why. */
  error?: string;
  /**
   * True when something the engine cannot judge (an unknown condition operator, an unresolved policy
   * variable) changed a statement's outcome: the decision may differ from AWS's.
   */
  uncertain: boolean;
}
