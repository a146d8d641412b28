import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLocationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketRequestPaymentCommand,
  GetObjectLockConfigurationCommand,
  HeadBucketCommand,
  type LifecycleRule as S3LifecycleRule,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DescribeKeyCommand, GetKeyPolicyCommand, type KeyMetadata } from '@aws-sdk/client-kms';
import type { AwsClients } from '../aws/clients.js';
import type { Probe } from '../evidence/probe.js';
import type { KmsKey, LifecycleRule, Step4 } from '../evidence/schema.js';
import { inertText } from '../util/text.js';
import { all, branch, send } from './chain.js';
import { inBucketRegion } from './bucket-region.js';
import { defineCollector, type BucketLocation } from './types.js';
import { bucketRegionFromError, compact, errorNameOf, httpStatusOf, iso, MAX_POLICY_CHARS, parseArn, probe, probeFromError, skippedProbe, text } from './util.js';
import { STEP_TITLES } from './progress.js';

/**
 * Step 4: the destination bucket. HeadBucket (in the trail's home region) learns the bucket's
 * region — S3 names it even in a redirect or a 403 — while every configuration read already runs
 * in the home region (bucket-region.ts: redone where the bucket is when that guess is wrong), and
 * for SSE-KMS the key (trail KmsKeyId, else the bucket's default key) in the key's own region. 404 is absent; 403 is "exists, not readable" (often another account), never
 * "missing".
 */

/** GetBucketLocation's LocationConstraint → region ('' is us-east-1, 'EU' the old eu-west-1 name). */
export const regionOfConstraint = (c: string | undefined): string => (!c ? 'us-east-1' : c === 'EU' ? 'eu-west-1' : c);

const NO_BUCKET = ['NoSuchBucket'];

async function head(s3: S3Client, bucket: string): Promise<{ ok?: { region?: string }; err?: unknown }> {
  try {
    const r = await send(s3, new HeadBucketCommand({ Bucket: bucket }));
    return { ok: { region: r.BucketRegion || undefined } };
  } catch (err) {
    return { err };
  }
}

export const bucketLocationCollector = defineCollector({
  name: 'bucketLocation',
  step: 4,
  title: STEP_TITLES[4],
  needs: ['trail'],
  apis: ['s3:ListBucket', 's3:GetBucketLocation'],
  async run(clients, { trail }): Promise<BucketLocation> {
    const t = trail.resolved;
    const bucket = t?.config.s3BucketName;
    if (!t || !bucket) {
      const why = !t ? (trail.skipReason ?? 'trail not found') : 'the trail names no S3 bucket';
      return { head: skippedProbe(why), location: skippedProbe(why), readable: false, skipReason: why };
    }
    let region = t.homeRegion;
    let h = await head(clients.s3(region), bucket);
    // A bucket in another region answers 301 (or 400) with its region in x-amz-bucket-region: ask there.
    const redirect = h.err ? bucketRegionFromError(h.err) : undefined;
    if (h.err && redirect && redirect !== region && [301, 307, 400].includes(httpStatusOf(h.err) ?? 0)) {
      region = redirect;
      h = await head(clients.s3(region), bucket);
    }
    if (h.ok) {
      const known = h.ok.region;
      if (known) return { bucket, head: { status: 'ok', value: { region: known } }, location: { status: 'ok', value: { region: known } }, region: known, readable: true, locationFromHead: true };
      // No region header (some emulators): ask GetBucketLocation.
      const loc = await probe(() => send(clients.s3(region), new GetBucketLocationCommand({ Bucket: bucket })), (r) => ({ region: regionOfConstraint(r.LocationConstraint) }), {
        needs: 's3:GetBucketLocation',
        absentCodes: NO_BUCKET,
      });
      return { bucket, head: { status: 'ok', value: {} }, location: loc, region: loc.value?.region ?? region, readable: true };
    }
    const status = httpStatusOf(h.err);
    const name = errorNameOf(h.err);
    if (status === 404 || name === 'NotFound' || name === 'NoSuchBucket') {
      return {
        bucket,
        head: { status: 'absent', errorCode: 'NoSuchBucket', reason: `bucket ${bucket} does not exist (HeadBucket 404)` },
        location: skippedProbe('bucket does not exist'),
        readable: false,
        skipReason: 'bucket does not exist',
      };
    }
    const hinted = bucketRegionFromError(h.err);
    if (status === 403) {
      // Exists, but this identity may not list it — often a bucket of another account. Still try the
      // individual reads: permissions are per action.
      return {
        bucket,
        head: {
          status: 'denied',
          errorCode: 'AccessDenied',
          needs: 's3:ListBucket',
          reason: `bucket ${bucket} exists but HeadBucket was refused (403): no s3:ListBucket, or the bucket belongs to another account`,
          ...(hinted ? { value: { region: hinted } } : {}),
        },
        location: skippedProbe('HeadBucket was refused'),
        region: hinted ?? region,
        readable: true,
      };
    }
    return { bucket, head: probeFromError(h.err, { needs: 's3:ListBucket' }), location: skippedProbe('HeadBucket failed'), region: hinted ?? region, readable: true };
  },
});

export function lifecycleRuleOf(r: S3LifecycleRule): LifecycleRule {
  const f = r.Filter;
  let prefix: string | undefined;
  let filterDescription: string | undefined;
  if (r.Prefix !== undefined) prefix = r.Prefix;
  else if (!f) prefix = '';
  else if (f.Prefix !== undefined) prefix = f.Prefix;
  else if (f.And) {
    prefix = f.And.Prefix;
    const tags = (f.And.Tags ?? []).map((t) => `${t.Key}=${t.Value}`);
    filterDescription = [f.And.Prefix !== undefined ? `prefix ${f.And.Prefix}` : '', tags.length ? `tags ${tags.join(',')}` : '', f.And.ObjectSizeGreaterThan ? `size > ${f.And.ObjectSizeGreaterThan}` : '', f.And.ObjectSizeLessThan ? `size < ${f.And.ObjectSizeLessThan}` : '']
      .filter(Boolean)
      .join('; ');
  } else if (f.Tag) filterDescription = `tag ${f.Tag.Key}=${f.Tag.Value}`;
  else if (f.ObjectSizeGreaterThan !== undefined || f.ObjectSizeLessThan !== undefined) filterDescription = `size ${f.ObjectSizeGreaterThan ?? 0}..${f.ObjectSizeLessThan ?? '∞'}`;
  else prefix = '';
  // '' (the whole bucket) is meaningful here, so the prefix is set after compact() drops empty strings.
  const rule = compact({
    id: text(r.ID, 255),
    status: r.Status ?? 'Unknown',
    filterDescription: filterDescription ? text(filterDescription, 1_000) : undefined,
    expirationDays: r.Expiration?.Days,
    expirationDate: iso(r.Expiration?.Date),
    transitions: r.Transitions?.length ? r.Transitions.map((x) => compact({ days: x.Days, date: iso(x.Date), storageClass: x.StorageClass })) : undefined,
    noncurrentExpirationDays: r.NoncurrentVersionExpiration?.NoncurrentDays,
  }) as LifecycleRule;
  return prefix === undefined ? rule : { ...rule, prefix: inertText(prefix, 1_024) };
}

export function kmsKeyOf(m: KeyMetadata): KmsKey {
  return compact({
    keyId: text(m.KeyId, 200) ?? '',
    arn: text(m.Arn, 400) ?? '',
    keyState: text(m.KeyState, 50) ?? 'Unknown',
    enabled: m.Enabled === true,
    keyManager: text(m.KeyManager, 50),
    deletionDate: iso(m.DeletionDate),
    accountId: text(m.AWSAccountId ?? parseArn(m.Arn)?.account, 20),
  }) as KmsKey;
}

/** DescribeKey + GetKeyPolicy for a key id, key ARN or alias, in the key's region. */
export async function readKey(clients: AwsClients, keyRef: string, fallbackRegion: string): Promise<{ key: Probe<KmsKey>; policy: Probe<string> }> {
  const region = parseArn(keyRef)?.region || fallbackRegion;
  const kms = clients.kms(region);
  const absentCodes = ['NotFoundException'];
  const policyOf = (keyId: string) =>
    probe(() => send(kms, new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' })), (r) => inertText(r.Policy ?? '', MAX_POLICY_CHARS), { needs: 'kms:GetKeyPolicy', absentCodes });
  const describe = () => probe(() => send(kms, new DescribeKeyCommand({ KeyId: keyRef })), (r) => kmsKeyOf(r.KeyMetadata ?? ({} as KeyMetadata)), { needs: 'kms:DescribeKey', absentCodes });
  const isAlias = keyRef.startsWith('alias/') || /:alias\//.test(keyRef);
  if (!isAlias) {
    const [key, policy] = await all([describe, () => policyOf(keyRef)]);
    return { key, policy };
  }
  // GetKeyPolicy does not take aliases: resolve the key first.
  const key = await describe();
  if (key.status !== 'ok' || !key.value?.arn) return { key, policy: skippedProbe(`key ${keyRef} could not be resolved`) };
  return { key, policy: await policyOf(key.value.arn) };
}

type Encryption = NonNullable<Step4['encryption']['value']>;

/** The bucket's configuration reads, all at once, with a client in the bucket's region. */
async function bucketReads(s3: S3Client, bucket: string) {
  const read = <R, T>(fn: () => Promise<R>, map: (r: R) => T, needs: string, absent: string[] = []) => probe(fn, map, { needs, absentCodes: [...NO_BUCKET, ...absent] });
  const [policy, encryption, ownership, objectLock, lifecycle, requestPayment] = await all([
    () => read(() => send(s3, new GetBucketPolicyCommand({ Bucket: bucket })), (r) => inertText(r.Policy ?? '', MAX_POLICY_CHARS), 's3:GetBucketPolicy', ['NoSuchBucketPolicy']),
    () =>
      read(
        () => send(s3, new GetBucketEncryptionCommand({ Bucket: bucket })),
        (r): Encryption => {
          const rule = r.ServerSideEncryptionConfiguration?.Rules?.[0];
          const d = rule?.ApplyServerSideEncryptionByDefault;
          return compact({ algorithm: d?.SSEAlgorithm ?? 'none', kmsKeyId: text(d?.KMSMasterKeyID, 400), bucketKeyEnabled: rule?.BucketKeyEnabled });
        },
        's3:GetEncryptionConfiguration',
        ['ServerSideEncryptionConfigurationNotFoundError'],
      ),
    () =>
      read(
        () => send(s3, new GetBucketOwnershipControlsCommand({ Bucket: bucket })),
        (r) => ({ objectOwnership: r.OwnershipControls?.Rules?.[0]?.ObjectOwnership ?? 'Unknown' }),
        's3:GetBucketOwnershipControls',
        ['OwnershipControlsNotFoundError'],
      ),
    () =>
      read(
        () => send(s3, new GetObjectLockConfigurationCommand({ Bucket: bucket })),
        (r) => {
          const c = r.ObjectLockConfiguration;
          const d = c?.Rule?.DefaultRetention;
          return compact({ enabled: c?.ObjectLockEnabled === 'Enabled', mode: d?.Mode, days: d?.Days, years: d?.Years });
        },
        's3:GetBucketObjectLockConfiguration',
        ['ObjectLockConfigurationNotFoundError'],
      ),
    () =>
      read(
        () => send(s3, new GetBucketLifecycleConfigurationCommand({ Bucket: bucket })),
        (r) => (r.Rules ?? []).slice(0, 1_000).map(lifecycleRuleOf),
        's3:GetLifecycleConfiguration',
        ['NoSuchLifecycleConfiguration'],
      ),
    () => read(() => send(s3, new GetBucketRequestPaymentCommand({ Bucket: bucket })), (r) => ({ payer: r.Payer ?? 'BucketOwner' }), 's3:GetBucketRequestPayment'),
  ]);
  return { policy, encryption, ownership, objectLock, lifecycle, requestPayment };
}

export const step4 = defineCollector({
  name: 's4',
  step: 4,
  title: STEP_TITLES[4],
  needs: ['trail'],
  later: ['bucketLocation'],
  apis: [
    's3:GetBucketLocation',
    's3:GetBucketPolicy',
    's3:GetEncryptionConfiguration',
    's3:GetBucketOwnershipControls',
    's3:GetBucketObjectLockConfiguration',
    's3:GetLifecycleConfiguration',
    's3:GetBucketRequestPayment',
    'kms:DescribeKey',
    'kms:GetKeyPolicy',
  ],
  async run(clients, { trail, bucketLocation }): Promise<Step4> {
    const t = trail.resolved;
    const configured = t?.config.s3BucketName;
    const trailKey = t?.config.kmsKeyId;
    // The trail's own key waits neither for the bucket's region nor for its encryption settings.
    const trailKeyRead = t && trailKey && configured ? branch(() => readKey(clients, trailKey, t.homeRegion)) : undefined;
    // Awaited below; observed now so that a failure meanwhile is not an unhandled rejection.
    trailKeyRead?.catch(() => undefined);
    const early = t && configured ? t.homeRegion : undefined;
    const { location: bl, value: reads, region } = await inBucketRegion(early, bucketLocation, (r) => bucketReads(clients.s3(r), configured!));
    const bucket = bl.bucket;
    const base = { ...(bucket ? { bucket } : {}), head: bl.head };
    if (!t || !bucket || !reads || !region) {
      await trailKeyRead?.catch(() => undefined);
      const why = bl.skipReason ?? 'bucket not readable';
      const s = <T>() => skippedProbe<T>(why);
      return { ...base, location: bl.location.status === 'skipped' ? s() : bl.location, policy: s(), encryption: s(), kmsKey: s(), kmsKeyPolicy: s(), ownership: s(), objectLock: s(), lifecycle: s(), requestPayment: s() };
    }
    const { policy, encryption, ownership, objectLock, lifecycle, requestPayment } = reads;
    const location =
      bl.locationFromHead || bl.location.status !== 'skipped'
        ? bl.location
        : await probe(() => send(clients.s3(region), new GetBucketLocationCommand({ Bucket: bucket })), (r) => ({ region: regionOfConstraint(r.LocationConstraint) }), {
            needs: 's3:GetBucketLocation',
            absentCodes: NO_BUCKET,
          });
    const keyOfTrail = trailKeyRead ? await trailKeyRead : undefined;

    let kmsKeySource: Step4['kmsKeySource'];
    let keyRead = keyOfTrail;
    let noKeyReason = '';
    if (trailKey) kmsKeySource = 'trail';
    else if (encryption.status === 'ok' && encryption.value && encryption.value.algorithm.startsWith('aws:kms')) {
      kmsKeySource = 'bucket-default';
      // No KMSMasterKeyID means the AWS managed key aws/s3 of the bucket's region.
      keyRead = await readKey(clients, encryption.value.kmsKeyId ?? 'alias/aws/s3', region);
    } else if (encryption.status === 'ok' || encryption.status === 'absent') {
      noKeyReason = `SSE-KMS is not used: the trail has no KmsKeyId and the bucket encrypts with ${encryption.value?.algorithm ?? 'its default (SSE-S3)'}`;
    } else {
      noKeyReason = `the trail has no KmsKeyId and the bucket's default encryption could not be read (${encryption.status})`;
    }
    return {
      ...base,
      location,
      policy,
      encryption,
      ...(kmsKeySource ? { kmsKeySource } : {}),
      kmsKey: keyRead?.key ?? skippedProbe(noKeyReason),
      kmsKeyPolicy: keyRead?.policy ?? skippedProbe(noKeyReason.startsWith('SSE-KMS is not used') ? 'SSE-KMS is not used' : noKeyReason),
      ownership,
      objectLock,
      lifecycle,
      requestPayment,
    };
  },
});

export const collectors = [bucketLocationCollector, step4] as const;
