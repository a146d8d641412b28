import type { AwsClients, ClientOptions } from '../../src/aws/clients.js';
import { RateLimiters, API_RATE_LIMITS } from '../../src/aws/rate-limit.js';
import { bucketPolicyFor } from '../../src/evidence/builder.js';

/**
 * An in-process stand-in for a whole organization, for the scan benchmark and the concurrency
 * test: every SDK client the scan uses is replaced by one whose `send` waits `latencyMs` and answers
 * like AWS would for a small account (STS, Organizations, EC2 DescribeRegions, CloudTrail, S3,
 * CloudWatch, Logs, KMS, Health). Accounts cycle through four layouts: a healthy multi-region
 * trail, a single-region trail, no trail, a stopped multi-region trail. It counts calls, and the
 * calls in flight overall and per account.
 */
export interface FleetStandinOptions {
  members: number;
  regions: string[];
  latencyMs: number;
  now: Date;
  window: { start: Date; end: Date };
  /** The management account's trail is a multi-region organization trail, listed to members as AWS does. */
  organizationTrail?: boolean;
  /** Accounts where every CloudTrail and EC2 call is refused (an SCP). */
  denyAll?: readonly string[];
  /** Accounts ListAccounts reports SUSPENDED. */
  suspended?: readonly string[];
}

export const MANAGEMENT = '100000000000';
const ORG_ID = 'o-bench12345';

export type Layout = 'multi' | 'single' | 'none' | 'stopped';
export const layoutOf = (index: number): Layout => (['multi', 'single', 'none', 'stopped'] as const)[index % 4]!;

export interface FleetStandin {
  caller: AwsClients;
  makeClients: (opts: ClientOptions) => Promise<AwsClients>;
  accountIds: string[];
  calls(): number;
  maxInFlight(): number;
  /** Highest number of accounts that had a call in flight at the same moment. */
  maxAccountsInFlight(): number;
  byOperation(): Map<string, number>;
}

const err = (name: string, status = 400) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
const pad = (n: number) => String(n).padStart(2, '0');

export function fleetStandin(o: FleetStandinOptions): FleetStandin {
  const accountIds = Array.from({ length: o.members }, (_, i) => String(200000000000 + i * 7919));
  const layout = new Map(accountIds.map((id, i) => [id, layoutOf(i)]));
  layout.set(MANAGEMENT, 'multi');
  let calls = 0;
  let inFlight = 0;
  let max = 0;
  const perAccount = new Map<string, number>();
  let maxAccounts = 0;
  const ops = new Map<string, number>();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  const orgTrail = () => ({ ...ownTrail(MANAGEMENT)!, IsOrganizationTrail: true });
  const trailOf = (acct: string) => (o.organizationTrail && acct === MANAGEMENT ? orgTrail() : ownTrail(acct));
  const ownTrail = (acct: string) => {
    const l = layout.get(acct)!;
    if (l === 'none') return undefined;
    const home = o.regions[0]!;
    const name = l === 'single' ? 'local' : 'main';
    return {
      Name: name,
      TrailARN: `arn:aws:cloudtrail:${home}:${acct}:trail/${name}`,
      HomeRegion: home,
      S3BucketName: `trail-logs-${acct}`,
      IsMultiRegionTrail: l !== 'single',
      IncludeGlobalServiceEvents: l !== 'single',
      IsOrganizationTrail: false,
      LogFileValidationEnabled: false,
    };
  };

  const listing = (acct: string, prefix: string) => {
    const m = /CloudTrail\/([a-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})\/$/.exec(prefix);
    if (!m) return [];
    const region = m[1]!;
    const day = Date.UTC(Number(m[2]), Number(m[3]) - 1, Number(m[4]));
    const from = Math.max(day, Math.ceil(o.window.start.getTime() / 300_000) * 300_000);
    const to = Math.min(day + 86_399_999, o.now.getTime() - 180_000);
    const out = [];
    let n = 0;
    for (let t = from; t <= to; t += 300_000) {
      const d = new Date(t);
      const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`;
      out.push({ Key: `${prefix}${acct}_CloudTrail_${region}_${stamp}_${('B' + String(n++).padStart(15, '0')).slice(0, 16)}.json.gz`, Size: 30_000, LastModified: new Date(t + 20_000) });
    }
    return out;
  };

  const answer = (acct: string, service: string, region: string, op: string, input: Record<string, any>): unknown => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const trail = trailOf(acct);
    if (o.denyAll?.includes(acct) && (service === 'cloudtrail' || service === 'ec2')) throw err(service === 'ec2' ? 'UnauthorizedOperation' : 'AccessDeniedException', 403);
    // Members see their organization's trail (DescribeTrails, GetTrailStatus by ARN), as on AWS.
    const visibleOrg = o.organizationTrail && acct !== MANAGEMENT ? orgTrail() : undefined;
    if (visibleOrg && service === 'cloudtrail' && input.Name === visibleOrg.TrailARN) return answer(MANAGEMENT, service, region, op, input);
    if (visibleOrg && service === 'cloudtrail' && op === 'GetEventSelectors' && input.TrailName === visibleOrg.TrailARN) return answer(MANAGEMENT, service, region, op, input);
    switch (`${service}:${op}`) {
      case 'sts:GetCallerIdentity':
        return { Account: acct, Arn: `arn:aws:iam::${acct}:user/scanner`, UserId: 'AIDA' };
      case 'sts:AssumeRole': {
        const target = /iam::(\d{12}):role/.exec(String(input.RoleArn))?.[1] ?? '';
        return { Credentials: { AccessKeyId: `AK${target}`, SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(o.now.getTime() + 3_600_000) } };
      }
      case 'organizations:DescribeOrganization':
        return { Organization: { Id: ORG_ID, MasterAccountId: MANAGEMENT, FeatureSet: 'ALL' } };
      case 'organizations:ListAccounts': {
        const all = [MANAGEMENT, ...accountIds];
        const start = Number(input.NextToken ?? 0);
        const page = all.slice(start, start + 20).map((id) => ({ Id: id, Name: `acct-${id}`, Status: o.suspended?.includes(id) ? 'SUSPENDED' : 'ACTIVE' }));
        return { Accounts: page, NextToken: start + 20 < all.length ? String(start + 20) : undefined };
      }
      case 'ec2:DescribeRegions':
        return { Regions: o.regions.map((r) => ({ RegionName: r, OptInStatus: 'opt-in-not-required' })) };
      case 'cloudtrail:DescribeTrails':
        return { trailList: [...(trail && (trail.IsMultiRegionTrail || trail.HomeRegion === region) ? [trail] : []), ...(visibleOrg ? [visibleOrg] : [])] };
      case 'cloudtrail:GetTrail':
        if (trail && (input.Name === trail.TrailARN || (input.Name === trail.Name && region === trail.HomeRegion))) return { Trail: trail };
        throw err('TrailNotFoundException');
      case 'cloudtrail:GetTrailStatus': {
        const stopped = layout.get(acct) === 'stopped';
        return {
          IsLogging: !stopped,
          LatestDeliveryTime: new Date(o.now.getTime() - (stopped ? 3 * 86_400_000 : 180_000)),
          StartLoggingTime: new Date(o.now.getTime() - 100 * 86_400_000),
          ...(stopped ? { StopLoggingTime: new Date(o.now.getTime() - 3 * 86_400_000) } : {}),
        };
      }
      case 'cloudtrail:GetEventSelectors':
        return { TrailARN: trail?.TrailARN, EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }] };
      case 'cloudtrail:LookupEvents':
        return { Events: [] };
      case 's3:HeadBucket':
        return { BucketRegion: o.regions[0] };
      case 's3:GetBucketLocation':
        return { LocationConstraint: o.regions[0] };
      case 's3:GetBucketPolicy':
        return { Policy: bucketPolicyFor(String(input.Bucket), acct, trail?.TrailARN ?? '') };
      case 's3:GetBucketEncryption':
        return { ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } };
      case 's3:GetBucketOwnershipControls':
        return { OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } };
      case 's3:GetObjectLockConfiguration':
        throw err('ObjectLockConfigurationNotFoundError', 404);
      case 's3:GetBucketLifecycleConfiguration':
        throw err('NoSuchLifecycleConfiguration', 404);
      case 's3:GetBucketRequestPayment':
        return { Payer: 'BucketOwner' };
      case 's3:ListObjectsV2':
        return input.Delimiter ? { CommonPrefixes: [], IsTruncated: false } : { Contents: listing(acct, String(input.Prefix)), IsTruncated: false };
      case 'cloudwatch:GetMetricData':
        return { MetricDataResults: [] };
      case 'health:DescribeEvents':
        throw err('SubscriptionRequiredException');
      case 'kms:DescribeKey':
      case 'kms:GetKeyPolicy':
        throw err('NotFoundException');
      default:
        if (service === 'logs') return {};
        throw err('UnknownOperationException');
    }
  };

  const SERVICE_ID: Record<string, string> = {
    cloudtrail: 'CloudTrail', s3: 'S3', logs: 'CloudWatch Logs', cloudwatch: 'CloudWatch', kms: 'KMS', sts: 'STS', iam: 'IAM', health: 'Health', organizations: 'Organizations', ec2: 'EC2',
  };

  function clientsFor(acct: string, opts: ClientOptions): AwsClients {
    let count = 0;
    const cache = new Map<string, unknown>();
    const client = (service: string, region: string) => {
      const key = `${service}@${region}`;
      let c = cache.get(key);
      if (!c) {
        c = {
          config: { serviceId: SERVICE_ID[service] },
          send: async (cmd: { input: Record<string, unknown>; constructor: { name: string } }) => {
            calls++;
            count++;
            const op = cmd.constructor.name.replace(/Command$/, '');
            ops.set(`${service}:${op}`, (ops.get(`${service}:${op}`) ?? 0) + 1);
            inFlight++;
            max = Math.max(max, inFlight);
            perAccount.set(acct, (perAccount.get(acct) ?? 0) + 1);
            maxAccounts = Math.max(maxAccounts, perAccount.size);
            try {
              await sleep(o.latencyMs);
              return answer(acct, service, region, op, cmd.input);
            } finally {
              inFlight--;
              const n = perAccount.get(acct)! - 1;
              if (n) perAccount.set(acct, n);
              else perAccount.delete(acct);
            }
          },
        };
        cache.set(key, c);
      }
      return c as never;
    };
    const r = (region?: string) => region ?? opts.region;
    return {
      region: opts.region,
      options: opts,
      calls: [],
      get callCount() {
        return count;
      },
      limiters: new RateLimiters({ ...API_RATE_LIMITS, ...(opts.rateLimits ?? {}) }),
      cloudtrail: (region) => client('cloudtrail', r(region)),
      s3: (region) => client('s3', r(region)),
      objects: () => {
        throw new Error('the first pass reads no objects');
      },
      logs: (region) => client('logs', r(region)),
      cloudwatch: (region) => client('cloudwatch', r(region)),
      kms: (region) => client('kms', r(region)),
      sts: (region) => client('sts', r(region)),
      iam: () => client('iam', 'us-east-1'),
      health: () => client('health', 'us-east-1'),
      organizations: () => client('organizations', 'us-east-1'),
      sns: (region) => client('sns', r(region)),
      ec2: (region) => client('ec2', r(region)),
    };
  }

  const base: ClientOptions = { region: o.regions[0]! };
  return {
    caller: clientsFor(MANAGEMENT, base),
    makeClients: async (opts) => clientsFor((await opts.credentials?.())?.accessKeyId.replace(/^AK/, '') ?? MANAGEMENT, opts),
    accountIds,
    calls: () => calls,
    maxInFlight: () => max,
    maxAccountsInFlight: () => maxAccounts,
    byOperation: () => ops,
  };
}
