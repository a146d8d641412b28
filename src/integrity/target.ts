import { formatArn, parseTrailArn } from '../aws/arn.js';
import { partitionOfRegion } from '../aws/regions.js';
import type { S3Client } from '@aws-sdk/client-s3';
import type { AwsClients } from '../aws/clients.js';
import { runNodes, targetContext } from '../collect/plan.js';
import type { CollectContext, Outputs, TrailResolution } from '../collect/types.js';
import { isOk } from '../evidence/probe.js';
import type { TrailConfig } from '../evidence/schema.js';
import { accountBase, normPrefix, type ChainLocation } from './keys.js';
import { listPrefixes } from './s3-reads.js';
import { CouldNotCheckError, ValidateInputError } from './errors.js';
import type { ValidateOptions } from './model.js';

/**
 * Which trail, bucket and chains to validate. The trail, the caller's account, the bucket's region
 * and the organization id come from the diagnosis's own collectors (src/collect/plan.ts), run alone;
 * the command's overrides (--s3-bucket, --s3-prefix, --account, --source-region) apply on top.
 */

/** The plan's nodes validation may run. */
export const VALIDATE_TARGET_NODES = ['trail', 'caller', 'bucketLocation', 'organization'] as const;


export interface ValidationTarget {
  arn: string;
  name: string;
  homeRegion: string;
  account: string;
  bucket: string;
  prefix: string;
  multiRegion: boolean;
  organization: boolean;
}

export interface Resolution {
  target: ValidationTarget;
  ctx: CollectContext;
  /** The plan's trail output, the bucket override applied (what the bucket's nodes read). */
  trail: TrailResolution;
  known: KnownTarget;
}

/** Plan outputs a caller already holds (a diagnosis's evidence): those reads are not sent again. */
export type KnownTarget = Partial<Pick<Outputs, 'trail' | 'bucketLocation' | 'organization'>>;

/** The trail to validate. Bad input throws ValidateInputError; a failed read CouldNotCheckError. */
export async function resolveTarget(clients: AwsClients, opts: ValidateOptions, known: KnownTarget = {}): Promise<Resolution> {
  const input = opts.trail.trim();
  const arnMatch = input.startsWith('arn:') ? parseTrailArn(input) : undefined;
  if (input.startsWith('arn:') && !arnMatch) throw new ValidateInputError(`Invalid trail ARN provided: ${input}`);
  const ctx = targetContext(input, opts.region, { start: opts.start, end: opts.end }, opts.now ?? new Date());
  const { trail: found } = known.trail ? { trail: known.trail } : await runNodes(clients, ctx, ['trail']);
  const config = found.resolved?.config;
  if (!config && !opts.s3Bucket) {
    const p = found.trail;
    const listed = found.trailsInRegion;
    if (p.status === 'absent' && listed.status === 'ok') throw new ValidateInputError(`A trail could not be found for ${input} in ${opts.region}`);
    // Not found by name, and shadow or organization trails could not be searched: not a verdict on the input.
    const failed = p.status === 'absent' ? { ...listed, needs: 'cloudtrail:DescribeTrails' } : p;
    throw new CouldNotCheckError(`could not look up the trail: ${failed.errorCode ?? failed.status}: ${failed.reason ?? ''}`, failed.needs ?? 'cloudtrail:GetTrail', failed.errorCode);
  }
  const m = config?.arn ? parseTrailArn(config.arn) : arnMatch;
  let account = m?.account;
  if (!account) {
    const { caller } = await runNodes(clients, ctx, ['caller']);
    if (isOk(caller) && caller.value.accountId) account = caller.value.accountId;
  }
  if (!account && !opts.accountId) throw new ValidateInputError('cannot tell the trail account: pass the trail ARN or --account');
  const name = m?.name ?? config?.name ?? input;
  const homeRegion = config?.homeRegion ?? m?.region ?? opts.region;
  const owner = (account ?? opts.accountId)!;
  const target: ValidationTarget = {
    // The partition of what names the trail (aws-cn, aws-us-gov ...), never a hard-coded `aws`.
    arn: config?.arn ?? formatArn({ partition: m?.partition ?? partitionOfRegion(homeRegion), service: 'cloudtrail', region: homeRegion, account: owner, resource: `trail/${name}` }),
    name,
    homeRegion,
    account: owner,
    bucket: opts.s3Bucket ?? config!.s3BucketName!,
    prefix: opts.s3Prefix !== undefined ? opts.s3Prefix : (config?.s3KeyPrefix ?? ''),
    multiRegion: config?.isMultiRegionTrail ?? false,
    organization: config?.isOrganizationTrail ?? false,
  };
  const withBucket: TrailConfig = {
    ...(config ?? { name, arn: target.arn, homeRegion, includeGlobalServiceEvents: true, isMultiRegionTrail: false, isOrganizationTrail: false, logFileValidationEnabled: true }),
    s3BucketName: target.bucket,
  };
  const trail: TrailResolution = {
    ...found,
    resolved: { config: withBucket, name, arn: target.arn, homeRegion, ownerAccount: owner, partition: m?.partition ?? partitionOfRegion(homeRegion) },
  };
  return { target, ctx, trail, known };
}

/**
 * The bucket's region (the S3 client must talk to it; when it cannot be read, the trail's home
 * region) and, for an organization trail, the organization id, both from the plan's nodes.
 */
export async function locateBucket(clients: AwsClients, r: Resolution): Promise<{ bucketRegion: string; orgId?: string }> {
  const { bucketLocation, organization } = await runNodes(clients, r.ctx, ['bucketLocation', 'organization'], { ...r.known, trail: r.trail });
  return {
    bucketRegion: bucketLocation.region ?? r.target.homeRegion,
    ...(r.target.organization && isOk(organization) && organization.value ? { orgId: organization.value } : {}),
  };
}

/** The chains to walk, one per (account, source region), in order; from the bucket's layout where asked. */
export async function chainLocations(s3: S3Client, tr: ValidationTarget, orgFromApi: string | undefined, opts: Pick<ValidateOptions, 'accountId' | 'regions'>): Promise<ChainLocation[]> {
  let orgId = orgFromApi;
  if (tr.organization && !orgId) orgId = (await listPrefixes(s3, tr.bucket, `${normPrefix(tr.prefix)}AWSLogs/`)).find((p) => /^o-[a-z0-9]{10,32}$/.test(p));
  let accounts: string[];
  if (opts.accountId) accounts = [opts.accountId];
  else if (orgId) accounts = (await listPrefixes(s3, tr.bucket, `${normPrefix(tr.prefix)}AWSLogs/${orgId}/`)).filter((a) => /^\d{12}$/.test(a));
  else accounts = [tr.account];

  const locations: ChainLocation[] = [];
  for (const account of accounts) {
    let regions = opts.regions;
    if (!regions) {
      if (tr.multiRegion) regions = (await listPrefixes(s3, tr.bucket, `${accountBase({ prefix: tr.prefix, orgId, account })}CloudTrail-Digest/`)).filter((r) => /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/.test(r));
      else regions = [tr.homeRegion];
    }
    for (const region of [...regions].sort()) locations.push({ prefix: tr.prefix, orgId, account, region });
  }
  return locations;
}
