import { createRequire } from 'node:module';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { S3Client } from '@aws-sdk/client-s3';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { HealthClient } from '@aws-sdk/client-health';
import type { STSClient } from '@aws-sdk/client-sts';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { API_RATE_LIMITS, RateLimiters } from './rate-limit.js';
import { fastObjectReader, sdkObjectReader, type S3ObjectReader } from './object-reader.js';
import { guardedHandler, guardMiddleware } from './guarded-handler.js';
import { RunGuard, type GuardSummary } from './guard.js';

/**
 * The only place SDK clients are made. Collectors receive an AwsClients and never construct a
 * client themselves, so tests inject fakes (aws-sdk-client-mock) or point everything at moto.
 */
export interface ClientOptions {
  region: string;
  profile?: string;
  /** Every service at one endpoint (moto, LocalStack); S3 then uses path-style addressing. */
  endpointUrl?: string;
  /** Per-attempt timeout of one HTTP request. */
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  maxAttempts?: number;
  /** Override documented API rate limits (tests against stand-ins use higher ones). */
  rateLimits?: Record<string, number>;
  /**
   * Read S3 objects through the lean signed-GET path (object-reader.ts), the SDK answering anything
   * but 200. The CLI turns it on; off by default so that fakes of S3Client.send see every read.
   */
  fastObjectReads?: boolean;
  /** Call records kept (default CALL_LOG_LIMIT); every call is counted regardless. */
  callLogLimit?: number;
  /** Epoch ms after which no call is sent and calls in flight are abandoned (the run's deadline). */
  deadlineAt?: number;
}

export interface ApiCallRecord {
  service: string;
  operation: string;
  region: string;
  startedAt: number;
  durationMs: number;
}

export interface AwsClients {
  readonly region: string;
  readonly options: ClientOptions;
  cloudtrail(region?: string): CloudTrailClient;
  s3(region?: string): S3Client;
  /** GetObject as a stream, for reading many objects (log and digest files): see object-reader.ts. */
  objects(region?: string): S3ObjectReader;
  logs(region?: string): CloudWatchLogsClient;
  cloudwatch(region?: string): CloudWatchClient;
  kms(region?: string): KMSClient;
  sts(region?: string): STSClient;
  /** IAM is global: its endpoint lives in us-east-1 (or the partition's global region). */
  iam(): IAMClient;
  /** AWS Health's global endpoint is us-east-1. */
  health(): HealthClient;
  organizations(): OrganizationsClient;
  /** The calls sent through these clients, in order, up to CALL_LOG_LIMIT: the plan's audit. */
  readonly calls: ApiCallRecord[];
  /** Every call sent, the log's cap notwithstanding: the reports' call count. */
  readonly callCount: number;
  /** Shared rate limiters, keyed `service:Operation@region` (LookupEvents: 2/s). */
  readonly limiters: RateLimiters;
  /** What the run's deadline, timeouts, circuits and throttling budgets did (see guard.ts). */
  guardSummary(): GuardSummary;
}

type AnyClient = {
  middlewareStack: { add: (mw: unknown, opts: unknown) => void };
};

const GLOBAL_REGION = 'us-east-1';

/** Records kept of individual calls: a 90-day validation of a busy trail makes millions of GETs. */
export const CALL_LOG_LIMIT = 10_000;

// Each client package costs ~40 ms of start-up to load; `validate` needs four of the nine. They
// load on first use, from the same module cache as any static import of them.
const load = createRequire(import.meta.url);
type Ctor<C> = new (cfg: Record<string, unknown>) => C;
const lazy = <C>(pkg: string, name: string): (() => Ctor<C>) => () => (load(pkg) as Record<string, Ctor<C>>)[name]!;
const SDK = {
  cloudtrail: lazy<CloudTrailClient>('@aws-sdk/client-cloudtrail', 'CloudTrailClient'),
  s3: lazy<S3Client>('@aws-sdk/client-s3', 'S3Client'),
  logs: lazy<CloudWatchLogsClient>('@aws-sdk/client-cloudwatch-logs', 'CloudWatchLogsClient'),
  cloudwatch: lazy<CloudWatchClient>('@aws-sdk/client-cloudwatch', 'CloudWatchClient'),
  iam: lazy<IAMClient>('@aws-sdk/client-iam', 'IAMClient'),
  kms: lazy<KMSClient>('@aws-sdk/client-kms', 'KMSClient'),
  health: lazy<HealthClient>('@aws-sdk/client-health', 'HealthClient'),
  sts: lazy<STSClient>('@aws-sdk/client-sts', 'STSClient'),
  organizations: lazy<OrganizationsClient>('@aws-sdk/client-organizations', 'OrganizationsClient'),
};

export function createClients(opts: ClientOptions): AwsClients {
  const cache = new Map<string, unknown>();
  const calls: ApiCallRecord[] = [];
  let callCount = 0;
  const logCall = (c: ApiCallRecord) => {
    callCount++;
    if (calls.length < (opts.callLogLimit ?? CALL_LOG_LIMIT)) calls.push(c);
  };
  const requestTimeout = opts.requestTimeoutMs ?? 20_000;
  const requestHandler = new NodeHttpHandler({
    connectionTimeout: Math.min(opts.connectTimeoutMs ?? 5_000, requestTimeout),
    requestTimeout,
  });
  const guard = new RunGuard({ attemptTimeoutMs: requestTimeout, deadlineAt: opts.deadlineAt });
  const handlers = new Map<string, ReturnType<typeof guardedHandler>>();
  const handlerFor = (service: string, region: string) => {
    const key = `${service}@${region}`;
    let h = handlers.get(key);
    if (!h) handlers.set(key, (h = guardedHandler(requestHandler, guard, key)));
    return h;
  };

  function make<C>(key: string, region: string, ctor: () => Ctor<C>, extra: Record<string, unknown> = {}): C {
    const cacheKey = `${key}@${region}`;
    const hit = cache.get(cacheKey);
    if (hit) return hit as C;
    const cfg: Record<string, unknown> = {
      region,
      // Standard retries (exponential backoff, full jitter). The SDK's adaptive mode would slow every
      // call of a client after one throttled operation; the guard instead lowers the concurrency of
      // the service that throttles and stops asking it past a budget (guard.ts).
      retryMode: 'standard',
      // Bounded per call: the guard's per-service budgets decide when to stop asking a service.
      maxAttempts: opts.maxAttempts ?? 3,
      requestHandler: handlerFor(key, region),
      ...extra,
    };
    if (opts.profile) cfg.profile = opts.profile;
    if (opts.endpointUrl) cfg.endpoint = opts.endpointUrl;
    const Client = ctor();
    const client = new Client(cfg);
    (client as unknown as AnyClient).middlewareStack.add(
      (next: (a: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) => async (args: unknown) => {
        const startedAt = Date.now();
        try {
          return await next(args);
        } finally {
          logCall({
            service: key,
            operation: (context.commandName ?? 'unknown').replace(/Command$/, ''),
            region,
            startedAt,
            durationMs: Date.now() - startedAt,
          });
        }
      },
      { step: 'initialize', name: 'trailDoctorCallRecorder' },
    );
    (client as unknown as AnyClient).middlewareStack.add(guardMiddleware(guard, `${key}@${region}`), { step: 'finalizeRequest', priority: 'low', name: 'trailDoctorGuard' });
    cache.set(cacheKey, client);
    return client;
  }

  const r = (region?: string) => region ?? opts.region;
  const readers = new Map<string, S3ObjectReader>();
  const s3 = (region?: string): S3Client =>
    make('s3', r(region), SDK.s3, {
      // trail-doctor only reads; validate hashes every byte itself (SHA-256 of the inflated file,
      // CloudTrail's own integrity scheme), so a second CRC pass over each body is CPU for nothing.
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestChecksumCalculation: 'WHEN_REQUIRED',
      ...(opts.endpointUrl ? { forcePathStyle: true } : {}),
    });
  return {
    region: opts.region,
    options: opts,
    calls,
    get callCount() {
      return callCount;
    },
    limiters: new RateLimiters({ ...API_RATE_LIMITS, ...(opts.rateLimits ?? {}) }),
    guardSummary: () => guard.summary(),
    cloudtrail: (region) => make('cloudtrail', r(region), SDK.cloudtrail),
    s3,
    objects: (region) => {
      const reg = r(region);
      let reader = readers.get(reg);
      if (!reader) {
        const client = s3(reg);
        reader = opts.fastObjectReads
          ? fastObjectReader(client, handlerFor('s3', reg), { onCall: (startedAt, durationMs) => logCall({ service: 's3', operation: 'GetObject', region: reg, startedAt, durationMs }) })
          : sdkObjectReader(client);
        readers.set(reg, reader);
      }
      return reader;
    },
    logs: (region) => make('logs', r(region), SDK.logs),
    cloudwatch: (region) => make('cloudwatch', r(region), SDK.cloudwatch),
    kms: (region) => make('kms', r(region), SDK.kms),
    sts: (region) => make('sts', r(region), SDK.sts),
    iam: () => make('iam', GLOBAL_REGION, SDK.iam),
    health: () => make('health', GLOBAL_REGION, SDK.health),
    organizations: () => make('organizations', GLOBAL_REGION, SDK.organizations),
  };
}

export { REGION_PATTERN, isValidRegion } from './regions.js';
