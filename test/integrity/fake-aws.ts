import { Readable } from 'node:stream';
import { mockClient } from 'aws-sdk-client-mock';
import { GetBucketLocationCommand, GetObjectCommand, HeadBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CloudTrailClient, DescribeTrailsCommand, GetTrailCommand, ListPublicKeysCommand, type PublicKey, type Trail } from '@aws-sdk/client-cloudtrail';
import { DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { createClients, type AwsClients } from '../../src/aws/clients.js';
import type { FixtureKey, Store } from './fixtures.js';

/**
 * In-memory S3 + CloudTrail + Organizations behind the real SDK clients (aws-sdk-client-mock).
 * S3 lists in byte order honouring Prefix, Delimiter, StartAfter and continuation; absent keys are
 * NoSuchKey; metadata keys lower-case (§7.3).
 */
export interface FakeAws {
  clients: AwsClients;
  store: Store;
  /** `order`: every GetObject (`get <key>`) and ListObjectsV2 (`list <prefix>`) in the order received. */
  calls: { get: string[]; list: number; publicKeys: number; order: string[] };
  /** Keys whose GetObject answers AccessDenied. */
  denied: Set<string>;
  /** Every command the fakes received, as `service:Operation`. */
  sent(): string[];
  restore(): void;
}

const awsError = (name: string, message: string, status: number) => Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status } });

export function fakeAws(opts: { store: Store; trails: Trail[]; keys: FixtureKey[] | (() => PublicKey[]); orgId?: string; pageSize?: number }): FakeAws {
  const s3 = mockClient(S3Client);
  const ct = mockClient(CloudTrailClient);
  const org = mockClient(OrganizationsClient);
  const calls = { get: [] as string[], list: 0, publicKeys: 0, order: [] as string[] };
  const denied = new Set<string>();
  const store = opts.store;
  s3.on(GetBucketLocationCommand).resolves({});
  s3.on(HeadBucketCommand).resolves({ BucketRegion: 'us-east-1' });
  s3.on(GetObjectCommand).callsFake(async (input: { Bucket: string; Key: string }) => {
    const id = `${input.Bucket}/${input.Key}`;
    calls.get.push(input.Key);
    calls.order.push(`get ${input.Key}`);
    if (denied.has(input.Key)) throw awsError('AccessDenied', 'Access Denied', 403);
    const o = store.get(id);
    if (!o) throw awsError('NoSuchKey', 'The specified key does not exist.', 404);
    return { Body: Readable.from([o.body]), Metadata: { ...o.metadata }, ContentLength: o.body.length };
  });
  s3.on(ListObjectsV2Command).callsFake(async (input: { Bucket: string; Prefix?: string; Delimiter?: string; StartAfter?: string; ContinuationToken?: string; MaxKeys?: number }) => {
    calls.list++;
    calls.order.push(`list ${input.Prefix ?? ''}`);
    const prefix = input.Prefix ?? '';
    const after = input.ContinuationToken ?? input.StartAfter ?? '';
    const keys = [...store.keys()]
      .filter((k) => k.startsWith(`${input.Bucket}/`))
      .map((k) => k.slice(input.Bucket.length + 1))
      .filter((k) => k.startsWith(prefix) && k > after)
      .sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
    const max = Math.min(input.MaxKeys ?? 1000, opts.pageSize ?? 1000);
    if (input.Delimiter) {
      const prefixes = [...new Set(keys.map((k) => k.slice(prefix.length)).filter((r) => r.includes(input.Delimiter!)).map((r) => prefix + r.slice(0, r.indexOf(input.Delimiter!) + 1)))];
      const contents = keys.filter((k) => !k.slice(prefix.length).includes(input.Delimiter!));
      return { CommonPrefixes: prefixes.map((p) => ({ Prefix: p })), Contents: contents.map((Key) => ({ Key })), IsTruncated: false };
    }
    const page = keys.slice(0, max);
    const truncated = keys.length > max;
    return { Contents: page.map((Key) => ({ Key, Size: store.get(`${input.Bucket}/${Key}`)!.body.length })), IsTruncated: truncated, ...(truncated ? { NextContinuationToken: page[page.length - 1] } : {}) };
  });
  ct.on(DescribeTrailsCommand).resolves({ trailList: opts.trails });
  ct.on(GetTrailCommand).callsFake(async (input: { Name: string }) => {
    const t = opts.trails.find((x) => x.Name === input.Name || x.TrailARN === input.Name);
    if (!t) throw awsError('TrailNotFoundException', `Unknown trail: ${input.Name}`, 400);
    return { Trail: t };
  });
  ct.on(ListPublicKeysCommand).callsFake(async () => {
    calls.publicKeys++;
    const list: PublicKey[] =
      typeof opts.keys === 'function'
        ? opts.keys()
        : opts.keys.map((k) => ({ Fingerprint: k.fingerprint, Value: new Uint8Array(k.publicDer), ValidityStartTime: new Date(Date.now() - 90 * 86_400_000), ValidityEndTime: new Date(Date.now() + 86_400_000) }));
    return { PublicKeyList: list };
  });
  if (opts.orgId) org.on(DescribeOrganizationCommand).resolves({ Organization: { Id: opts.orgId } });
  else org.on(DescribeOrganizationCommand).rejects(awsError('AWSOrganizationsNotInUseException', 'not in an organization', 400));
  const clients = createClients({ region: 'us-east-1', maxAttempts: 1 });
  return {
    clients,
    store,
    calls,
    denied,
    sent: () =>
      [
        ...s3.calls().map((c) => `s3:${(c.args[0] as object).constructor.name}`),
        ...ct.calls().map((c) => `cloudtrail:${(c.args[0] as object).constructor.name}`),
        ...org.calls().map((c) => `organizations:${(c.args[0] as object).constructor.name}`),
      ].map((x) => x.replace(/Command$/, '')),
    restore() {
      s3.restore();
      ct.restore();
      org.restore();
    },
  };
}

export function trailOf(o: { account: string; region: string; name: string; bucket: string; prefix?: string; multiRegion?: boolean; organization?: boolean }): Trail {
  return {
    Name: o.name,
    TrailARN: `arn:aws:cloudtrail:${o.region}:${o.account}:trail/${o.name}`,
    HomeRegion: o.region,
    S3BucketName: o.bucket,
    ...(o.prefix ? { S3KeyPrefix: o.prefix } : {}),
    IsMultiRegionTrail: o.multiRegion ?? false,
    IsOrganizationTrail: o.organization ?? false,
    LogFileValidationEnabled: true,
  };
}
