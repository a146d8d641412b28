/**
 * Amazon Resource Names, parsed and formatted in one place. Pure: no SDK, no I/O, so every layer
 * (collectors, checks, the policy engine, the CLI) may import it.
 *
 * An ARN is `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE` (AWS IAM User Guide, "IAM identifiers";
 * AWS General Reference, "Amazon Resource Names"). REGION and ACCOUNT are empty for global
 * resources (`arn:aws:s3:::bucket`, `arn:aws:iam::aws:policy/X` has the account `aws`); RESOURCE
 * keeps its own colons and slashes (`log-group:NAME:*`, `role/path/name`).
 *
 * Three levels of strictness, each for one use:
 * - `splitArn`: the six components of IAM's ArnLike/ArnEquals, any text (wildcards too) in each;
 *   for policy patterns, never for deciding what a resource is.
 * - `parseArn`: a well-formed ARN: `arn:` prefix, a non-empty partition without wildcards, five
 *   colons, a non-empty resource. What AWS returns always passes; it does not check that the
 *   partition, region or account exist.
 * - `parseTrailArn`: what `--trail` accepts: a known partition, `cloudtrail`, a region-shaped
 *   region, a 12-digit account and `trail/NAME`.
 */

/** Every AWS partition, as the first ARN component names it. */
export const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc'] as const;
export type Partition = (typeof PARTITIONS)[number];

export interface Arn {
  partition: string;
  service: string;
  /** Empty for global resources (IAM, S3 buckets). */
  region: string;
  /** Empty for S3 buckets; `aws` for AWS managed policies. */
  account: string;
  /** Everything after the fifth colon, colons included. */
  resource: string;
}

export const isPartition = (p: string): p is Partition => (PARTITIONS as readonly string[]).includes(p);

/** IAM's six components (`arn`, partition, service, region, account, resource); undefined without `arn:` and five colons. */
export function splitArn(arn: string): [string, string, string, string, string, string] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [parts[0], parts[1]!, parts[2]!, parts[3]!, parts[4]!, parts.slice(5).join(':')];
}

/** A well-formed ARN's components, or undefined (not a string, no `arn:`, too few parts, empty partition or resource). */
export function parseArn(arn: string | undefined): Arn | undefined {
  if (!arn) return undefined;
  const parts = splitArn(arn);
  if (!parts) return undefined;
  const [, partition, service, region, account, resource] = parts;
  if (!partition || /[*?]/.test(partition) || !resource) return undefined;
  return { partition, service, region, account, resource };
}

/** The ARN text of its components (the inverse of parseArn). */
export function formatArn(a: Arn): string {
  return `arn:${a.partition}:${a.service}:${a.region}:${a.account}:${a.resource}`;
}

/** The partition an ARN lives in; `aws` when the text is not an ARN. */
export function partitionOf(arn: string | undefined): string {
  return parseArn(arn)?.partition ?? 'aws';
}

const REGION_SHAPE = /^[a-z0-9-]+$/;
const ACCOUNT = /^\d{12}$/;

export interface TrailArn extends Arn {
  partition: Partition;
  service: 'cloudtrail';
  /** The trail's name (the part after `trail/`). */
  name: string;
}

/** A CloudTrail trail ARN, strictly: known partition, region-shaped region, 12-digit account, `trail/NAME`. */
export function parseTrailArn(arn: string): TrailArn | undefined {
  const a = parseArn(arn);
  if (!a || !isPartition(a.partition) || a.service !== 'cloudtrail' || !REGION_SHAPE.test(a.region) || !ACCOUNT.test(a.account)) return undefined;
  const m = /^trail\/(.+)$/.exec(a.resource);
  if (!m) return undefined;
  return { ...a, partition: a.partition, service: 'cloudtrail', name: m[1]! };
}

/** A trail reference's name: the NAME of `arn:…:cloudtrail:…:trail/NAME`, anything else as given. */
export function trailNameOf(ref: string): string {
  const a = parseArn(ref);
  const m = a?.service === 'cloudtrail' ? /^trail\/(.+)$/.exec(a.resource) : null;
  return m ? m[1]! : ref;
}

/** A log group ARN's parts (`arn:P:logs:R:A:log-group:NAME`, with or without the trailing `:*`). */
export function parseLogGroupArn(arn: string | undefined): { name: string; region: string; accountId: string; partition: string } | undefined {
  const a = parseArn(arn);
  if (!a || a.service !== 'logs') return undefined;
  const m = /^log-group:(.+?)(?::\*)?$/.exec(a.resource);
  if (!m) return undefined;
  return { name: m[1]!, region: a.region, accountId: a.account, partition: a.partition };
}

/** The log group name of a log group ARN, or undefined. */
export const logGroupNameOf = (arn: string | undefined): string | undefined => parseLogGroupArn(arn)?.name;

/** The role name of an IAM role ARN (the last segment of `role/path/name`), or undefined. */
export function roleNameOf(arn: string | undefined): string | undefined {
  const a = parseArn(arn);
  if (!a || a.service !== 'iam' || !a.resource.startsWith('role/')) return undefined;
  const segs = a.resource.split('/');
  return segs[segs.length - 1] || undefined;
}

/**
 * The short name a resource is known by, for matching an ARN against a plain name: the trail, role
 * (path dropped), user, KMS key or alias, log group name; for other resources the resource part.
 * Undefined when the text is not an ARN.
 */
export function resourceNameOf(arn: string): string | undefined {
  const a = parseArn(arn);
  if (!a) return undefined;
  const m = /^(?:trail\/|role\/(?:.*\/)?|user\/|key\/|alias\/|log-group:)?(.+?)(?::\*)?$/.exec(a.resource);
  return m?.[1];
}

/** The account of an account-root principal ARN (`arn:P:iam::123456789012:root`), or undefined. */
export function rootAccountOf(arn: string): string | undefined {
  const a = parseArn(arn);
  return a && a.service === 'iam' && a.region === '' && a.resource === 'root' && ACCOUNT.test(a.account) ? a.account : undefined;
}
