/**
 * The pure IAM policy engine: parse policy documents, evaluate requests against resource and identity
 * policies as AWS does, and build the exact requests CloudTrail makes when it delivers logs.
 * No I/O, no AWS calls.
 */
export type {
  ConditionBlock,
  ContextValue,
  Decision,
  Effect,
  EvaluateOptions,
  NotApplicable,
  NotApplicableReason,
  ParsedPolicy,
  ParsedStatement,
  ParseResult,
  PolicyRequest,
  PrincipalSpec,
  RequestPrincipal,
  StatementRef,
  PolicyVerdict,
} from './types.js';
export { parsePolicy, policyObject, decodePolicyText, MAX_POLICY_CHARS } from './parse.js';
export { evaluatePolicy, evaluatePolicies, evaluateParsed, explainVerdict, principalMatches, statementLabel, type NamedDocument } from './evaluate.js';
export { evaluateConditions, normalizeContext, parseOperator, substituteVariables, type ConditionOutcome } from './conditions.js';
export { wildcardMatch, arnMatch, splitArn, arnAccount, arnRegion, ipInCidr } from './match.js';
export {
  CLOUDTRAIL_SERVICE,
  s3DeliveryRequests,
  kmsRequests,
  roleTrustRequest,
  logsRequests,
  logStreamName,
  logPathPrefix,
  logObjectKey,
  digestObjectKey,
  parseLogGroupArn,
  partitionOf,
  trailNameOf,
  type TrailTarget,
  type CloudTrailRequest,
  type CloudTrailRequestPurpose,
  type KmsRequestOptions,
} from './cloudtrail-requests.js';
export { SSE_HEADER, SSE_KMS_KEY_HEADER, type RequestAlternative } from './cloudtrail-requests.js';
export { evaluateCloudTrailRequest, blockedKinds, describeBlocked, type BlockedKinds, type KindOutcome } from './request-verdict.js';
