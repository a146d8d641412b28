/**
 * The one catalogue of configuration-change events trail-doctor looks for: the event source and
 * event name exactly as CloudTrail records them, the resource of the trail's delivery they act on,
 * and whether they can break delivery, restore it, or both. Step 9 collects every event listed here
 * (the log-group filter patterns and the event-history lookups), the diagnosis correlates a root
 * cause only with events listed here (a cause's `triggerEvents` is typed by this list), and the gap
 * engine ranks openers (`breaks`) and closers (`heals`) from it.
 *
 * Not listed on purpose, so no cause can wait for them:
 * - KMS `RevokeGrant` / `RetireGrant`: CloudTrail's access to its key is the key policy (AWS
 *   documents no grant for it), so revoking a grant cannot break delivery.
 * - S3 `PutObjectLockConfiguration`: Object Lock does not block new writes; CloudTrail delivers to
 *   Object Lock buckets.
 * - CloudWatch Logs `PutResourcePolicy` / `DeleteResourcePolicy`: CloudTrail writes to its log
 *   group with the trail's IAM role, not through a resource policy (and those calls name no log group).
 * - AWS Organizations `AttachPolicy` / `UpdatePolicy` / `EnablePolicyType`: resource control
 *   policies are changed in the management account, whose history a member account cannot read, and
 *   they never apply to the management account's own resources.
 */

/** The part of the trail's delivery an event acts on. */
export type ChangeTarget = 'trail' | 'bucket' | 'kms-key' | 'role' | 'log-group' | 'topic' | 'organization';

export interface ChangeEventSpec {
  eventSource: string;
  eventName: string;
  target: ChangeTarget;
  /** It can stop or degrade delivery (a gap opener). */
  breaks: boolean;
  /** It can restore delivery (a gap closer). */
  heals: boolean;
  /**
   * An API name CloudTrail records under another event name (given here). Kept so evidence that names
   * it still matches; never asked for by name in event history, where it cannot appear.
   */
  recordedAs?: string;
}

const ct = (eventName: string, breaks: boolean, heals: boolean, recordedAs?: string) => spec('cloudtrail.amazonaws.com', eventName, 'trail', breaks, heals, recordedAs);
const s3 = (eventName: string, breaks: boolean, heals: boolean, recordedAs?: string) => spec('s3.amazonaws.com', eventName, 'bucket', breaks, heals, recordedAs);
const iam = (eventName: string, breaks: boolean, heals: boolean) => spec('iam.amazonaws.com', eventName, 'role', breaks, heals);
const logs = (eventName: string, breaks: boolean, heals: boolean) => spec('logs.amazonaws.com', eventName, 'log-group', breaks, heals);
const kms = (eventName: string, breaks: boolean, heals: boolean) => spec('kms.amazonaws.com', eventName, 'kms-key', breaks, heals);
const sns = (eventName: string) => spec('sns.amazonaws.com', eventName, 'topic', false, false);
const org = (eventName: string) => spec('organizations.amazonaws.com', eventName, 'organization', false, false);

function spec<N extends string>(eventSource: string, eventName: N, target: ChangeTarget, breaks: boolean, heals: boolean, recordedAs?: string): ChangeEventSpec & { eventName: N } {
  return { eventSource, eventName, target, breaks, heals, ...(recordedAs ? { recordedAs } : {}) };
}

export const CHANGE_EVENT_CATALOGUE = [
  ct('StopLogging', true, false),
  ct('StartLogging', false, true),
  ct('DeleteTrail', true, false),
  ct('CreateTrail', false, true),
  ct('UpdateTrail', true, true),
  ct('PutEventSelectors', true, false),
  ct('PutAdvancedEventSelectors', true, false, 'PutEventSelectors'),

  s3('PutBucketPolicy', true, true),
  s3('DeleteBucketPolicy', true, true),
  s3('DeleteBucket', true, false),
  s3('CreateBucket', false, true),
  s3('PutBucketAcl', true, true),
  s3('PutBucketEncryption', true, true),
  s3('DeleteBucketEncryption', false, true),
  s3('PutBucketLifecycle', true, false),
  s3('PutBucketLifecycleConfiguration', true, false, 'PutBucketLifecycle'),
  s3('DeleteBucketLifecycle', false, false),
  s3('PutBucketOwnershipControls', true, true),
  s3('PutBucketRequestPayment', true, true),

  iam('PutRolePolicy', true, true),
  iam('DeleteRolePolicy', true, false),
  iam('AttachRolePolicy', true, true),
  iam('DetachRolePolicy', true, false),
  iam('UpdateAssumeRolePolicy', true, true),
  iam('DeleteRole', true, false),
  iam('CreateRole', false, true),
  iam('CreatePolicyVersion', true, true),
  iam('SetDefaultPolicyVersion', true, true),
  iam('PutRolePermissionsBoundary', true, false),
  iam('DeleteRolePermissionsBoundary', false, true),

  logs('DeleteLogGroup', true, false),
  logs('CreateLogGroup', false, true),
  logs('PutRetentionPolicy', true, false),
  logs('DeleteLogStream', true, false),
  logs('AssociateKmsKey', true, false),
  logs('DisassociateKmsKey', false, true),

  kms('DisableKey', true, false),
  kms('ScheduleKeyDeletion', true, false),
  kms('PutKeyPolicy', true, true),
  kms('EnableKey', false, true),
  kms('CancelKeyDeletion', false, true),

  sns('DeleteTopic'),
  sns('SetTopicAttributes'),

  org('DisableAWSServiceAccess'),
  org('RemoveAccountFromOrganization'),
  org('LeaveOrganization'),
  org('DeregisterDelegatedAdministrator'),
] as const satisfies readonly ChangeEventSpec[];

/** A change event name of the catalogue: what a root cause may declare as its trigger. */
export type ChangeEventName = (typeof CHANGE_EVENT_CATALOGUE)[number]['eventName'];

/** Every catalogued event name (deduplicated, catalogue order). */
export const CHANGE_EVENT_NAMES: readonly ChangeEventName[] = [...new Set(CHANGE_EVENT_CATALOGUE.map((e) => e.eventName))];

/** Event names per event source, as step 9 asks for them. */
export const CHANGE_EVENTS_BY_SOURCE: Readonly<Record<string, readonly string[]>> = CHANGE_EVENT_CATALOGUE.reduce<Record<string, string[]>>((out, e) => {
  (out[e.eventSource] ??= []).push(e.eventName);
  return out;
}, {});

/** Names event history can return, per source: those CloudTrail records under their own name. */
export const LOOKUP_NAMES_BY_SOURCE: Readonly<Record<string, readonly string[]>> = CHANGE_EVENT_CATALOGUE.reduce<Record<string, string[]>>((out, e) => {
  const spec: ChangeEventSpec = e;
  if (!spec.recordedAs) (out[e.eventSource] ??= []).push(e.eventName);
  return out;
}, {});

const SPECS = new Map<string, ChangeEventSpec>(CHANGE_EVENT_CATALOGUE.map((e) => [`${e.eventSource}\u0000${e.eventName}`, e]));

/** Whether (source, name) is a catalogued change event. */
export const isCatalogued = (eventSource: string, eventName: string): boolean => SPECS.has(`${eventSource}\u0000${eventName}`);

/** Event names that can stop or degrade delivery. */
export const BREAKING_EVENT_NAMES: ReadonlySet<string> = new Set(CHANGE_EVENT_CATALOGUE.filter((e) => e.breaks).map((e) => e.eventName));
/** Event names that can restore delivery. */
export const HEALING_EVENT_NAMES: ReadonlySet<string> = new Set(CHANGE_EVENT_CATALOGUE.filter((e) => e.heals).map((e) => e.eventName));
