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
import type { SNSClient } from '@aws-sdk/client-sns';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createCredentialProvider, type CredentialProvider } from './credentials/provider.js';
import type { ServiceKey } from './credentials/config.js';
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
  /** The named profile (--profile); recorded in evidence and used by the default credentials. */
  profile?: string;
  /** Every service at one endpoint (--endpoint-url: moto, LocalStack); overrides `endpoints`. */
  endpointUrl?: string;
  /**
   * Endpoints configured per service (AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the profile's
   * `services` section and `endpoint_url`), as resolved by credentials/config.ts. When given, the
   * SDK's own lookup (which sees only AWS_PROFILE's profile) is switched off. S3 at any custom
   * endpoint uses path-style addressing.
   */
  endpoints?: Partial<Record<ServiceKey, string>>;
  /**
   * The credential provider every client of this set shares. Anything returning
   * `Promise<AwsCredentialIdentity>` plugs in (an assumed role of another account, a fixed key
   * pair in tests); wrap it with `sharedProvider()` (credentials/provider.ts) so that concurrent
   * clients resolve it once. Default: the AWS CLI's chain for `profile`, created once here.
   */
  credentials?: CredentialProvider;
  /** Told of every call as it completes (--debug prints them). */
  onCall?: (call: ApiCallRecord) => void;
  /** Calls made before these clients existed (assume-role while resolving credentials): logged first. */
  earlierCalls?: readonly ApiCallRecord[];
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
  /** The HTTP status of the last attempt, when an answer came. */
  httpStatus?: number;
  /** Attempts beyond the first (throttling, 5xx and network retries). */
  retries?: number;
  requestId?: string;
  /** The error's code when the call failed (AccessDenied, ThrottlingException, ECONNREFUSED...). */
  errorCode?: string;
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
  /** The trail's SNS topic lives in the trail's home region (or the topic ARN's). */
  sns(region?: string): SNSClient;
  /**
   * EC2, for DescribeRegions only (a fleet scan's enabled regions). Optional so that fakes need not
   * have it; a promise because its package loads only then.
   */
  ec2?(region?: string): Promise<EC2Client>;
  /** The calls sent through these clients, in order, up to CALL_LOG_LIMIT: the plan's audit. */
  readonly calls: ApiCallRecord[];
  /** Every call sent, the log's cap notwithstanding: the reports' call count. */
  readonly callCount: number;
  /** Shared rate limiters, keyed `service:Operation@region` (LookupEvents: 2/s). */
  readonly limiters: RateLimiters;
  /** What the run's deadline, timeouts, circuits and throttling budgets did (see guard.ts). */
  guardSummary?(): GuardSummary;
  /**
   * Settles when the caller's identity is confirmed (connect.ts); rejects with the one-line
   * configuration error when it is not. Absent: nothing left to confirm.
   */
  readonly verified?: Promise<void>;
  /** Fails every call in flight and refuses new ones (a run whose identity was refused). */
  cancel?(reason: Error): void;
}

type AnyClient = {
  middlewareStack: { add: (mw: unknown, opts: unknown) => void };
};

type Metadata = { httpStatusCode?: number; requestId?: string; extendedRequestId?: string; attempts?: number };

/** Sends one call down the middleware stack and logs its record, whatever the outcome. */
export async function recordCall(
  next: (a: unknown) => Promise<unknown>,
  args: unknown,
  what: Pick<ApiCallRecord, 'service' | 'operation' | 'region'>,
  log: (c: ApiCallRecord) => void,
): Promise<unknown> {
  const startedAt = Date.now();
  let result: unknown;
  let error: unknown;
  try {
    return (result = await next(args));
  } catch (e) {
    throw (error = e ?? new Error('unknown error'));
  } finally {
    log({ ...what, startedAt, durationMs: Date.now() - startedAt, ...callOutcome(result, error) });
  }
}

/** The same recording for an SDK client made elsewhere (the credential provider's nested STS client). */
export function callRecorderPlugin(service: string, region: string, log: (c: ApiCallRecord) => void) {
  return {
    applyToStack(stack: { add: (mw: unknown, opts: unknown) => void }) {
      stack.add(
        (next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) =>
          recordCall(next, args, { service, operation: (context.commandName ?? 'unknown').replace(/Command$/, ''), region }, log),
        { step: 'initialize', name: 'trailDoctorCallRecorder' },
      );
    },
  };
}

/** What the SDK tells about one call, from its answer or its error: no bodies, no credentials. */
export function callOutcome(result: unknown, err: unknown): Pick<ApiCallRecord, 'httpStatus' | 'retries' | 'requestId' | 'errorCode'> {
  // At the initialize step a call resolves to { output, response }; errors carry $metadata themselves.
  const src = (err ?? (result as { output?: unknown } | undefined)?.output) as { $metadata?: Metadata; $response?: { statusCode?: number }; name?: string; code?: string } | undefined;
  const m = src?.$metadata ?? {};
  const out: Pick<ApiCallRecord, 'httpStatus' | 'retries' | 'requestId' | 'errorCode'> = {};
  const status = m.httpStatusCode ?? src?.$response?.statusCode;
  if (status !== undefined) out.httpStatus = status;
  if (m.attempts !== undefined && m.attempts > 1) out.retries = m.attempts - 1;
  if (m.requestId) out.requestId = m.requestId;
  if (err) out.errorCode = String((err as { Code?: string }).Code ?? (src?.name && src.name !== 'Error' ? src.name : undefined) ?? src?.code ?? 'Error');
  return out;
}

const GLOBAL_REGION = 'us-east-1';

/** Records kept of individual calls: a 90-day validation of a busy trail makes millions of GETs. */
export const CALL_LOG_LIMIT = 10_000;

// Each client package costs ~40 ms of start-up to load; `validate` needs four of the nine. They
// load on first use, from the same module cache as any static import of them. Each load names its
// package literally, so that the bundler (scripts/bundle.mjs) can follow it.
const load = createRequire(import.meta.url);
type Ctor<C> = new (cfg: Record<string, unknown>) => C;
const lazy = <C>(pkg: () => unknown, name: string): (() => Ctor<C>) => () => (pkg() as Record<string, Ctor<C>>)[name]!;
const SDK = {
  cloudtrail: lazy<CloudTrailClient>(() => load('@aws-sdk/client-cloudtrail'), 'CloudTrailClient'),
  s3: lazy<S3Client>(() => load('@aws-sdk/client-s3'), 'S3Client'),
  logs: lazy<CloudWatchLogsClient>(() => load('@aws-sdk/client-cloudwatch-logs'), 'CloudWatchLogsClient'),
  cloudwatch: lazy<CloudWatchClient>(() => load('@aws-sdk/client-cloudwatch'), 'CloudWatchClient'),
  iam: lazy<IAMClient>(() => load('@aws-sdk/client-iam'), 'IAMClient'),
  kms: lazy<KMSClient>(() => load('@aws-sdk/client-kms'), 'KMSClient'),
  health: lazy<HealthClient>(() => load('@aws-sdk/client-health'), 'HealthClient'),
  sts: lazy<STSClient>(() => load('@aws-sdk/client-sts'), 'STSClient'),
  organizations: lazy<OrganizationsClient>(() => load('@aws-sdk/client-organizations'), 'OrganizationsClient'),
  sns: lazy<SNSClient>(() => load('@aws-sdk/client-sns'), 'SNSClient'),
};

export function createClients(opts: ClientOptions): AwsClients {
  const cache = new Map<string, unknown>();
  const calls: ApiCallRecord[] = [...(opts.earlierCalls ?? [])];
  let callCount = calls.length;
  const logCall = (c: ApiCallRecord) => {
    callCount++;
    if (calls.length < (opts.callLogLimit ?? CALL_LOG_LIMIT)) calls.push(c);
    opts.onCall?.(c);
  };
  // One provider for every client: a credential_process or SSO profile resolves once per run.
  const credentials = opts.credentials ?? createCredentialProvider({ env: process.env, profileFlag: opts.profile, region: opts.region, endpointUrl: opts.endpointUrl ?? opts.endpoints?.sts });
  // The caller's identity is asked once per region: the CLI's first call and step 1 share it.
  const identities = new Map<string, Promise<unknown>>();
  const requestTimeout = opts.requestTimeoutMs ?? 20_000;
  // Keep-alive said here, not left to a default: a new Node Agent closes its sockets unless told
  // (only Node's global agent keeps them), and the SDK's handler asking for it is its own choice.
  // One handler, one pool per endpoint, serves every client and the fast object reader. Options
  // rather than Agent instances, so the handler still owns its agents (and its 100-continue case).
  const agent = { keepAlive: true, maxSockets: 50 };
  const requestHandler = new NodeHttpHandler({
    connectionTimeout: Math.min(opts.connectTimeoutMs ?? 5_000, requestTimeout),
    requestTimeout,
    httpAgent: agent,
    httpsAgent: agent,
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
      credentials,
      ...extra,
    };
    if (opts.profile) cfg.profile = opts.profile;
    const endpoint = endpointOf(key);
    if (endpoint) cfg.endpoint = endpoint;
    if (opts.endpoints) cfg.ignoreConfiguredEndpointUrls = true;
    const Client = ctor();
    const client = new Client(cfg);
    // The one per-call middleware of trail-doctor: records every call (the --debug lines and the
    // evidence's call log). Per-call policies (deadlines, back-off) belong here too.
    (client as unknown as AnyClient).middlewareStack.add(
      (next: (a: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) => async (args: unknown) => {
        const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
        if (key === 'sts' && operation === 'GetCallerIdentity') {
          let p = identities.get(region);
          if (!p) {
            p = recorded(next, args, operation);
            identities.set(region, p);
            p.catch(() => identities.delete(region));
          }
          return p;
        }
        return recorded(next, args, operation);
      },
      { step: 'initialize', name: 'trailDoctorCallRecorder' },
    );
    const recorded = (next: (a: unknown) => Promise<unknown>, args: unknown, operation: string) => recordCall(next, args, { service: key, operation, region }, logCall);
    (client as unknown as AnyClient).middlewareStack.add(guardMiddleware(guard, `${key}@${region}`), { step: 'finalizeRequest', priority: 'low', name: 'trailDoctorGuard' });
    cache.set(cacheKey, client);
    return client;
  }

  const r = (region?: string) => region ?? opts.region;
  function endpointOf(key: string): string | undefined {
    return opts.endpointUrl ?? opts.endpoints?.[key as ServiceKey];
  }
  const readers = new Map<string, S3ObjectReader>();
  const s3 = (region?: string): S3Client =>
    make('s3', r(region), SDK.s3, {
      // trail-doctor only reads; validate hashes every byte itself (SHA-256 of the inflated file,
      // CloudTrail's own integrity scheme), so a second CRC pass over each body is CPU for nothing.
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestChecksumCalculation: 'WHEN_REQUIRED',
      ...(endpointOf('s3') ? { forcePathStyle: true } : {}),
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
    cancel: (reason) => guard.cancel(reason),
    cloudtrail: (region) => make('cloudtrail', r(region), SDK.cloudtrail),
    s3,
    objects: (region) => {
      const reg = r(region);
      let reader = readers.get(reg);
      if (!reader) {
        const client = s3(reg);
        reader = opts.fastObjectReads
          ? fastObjectReader(client, handlerFor('s3', reg), {
              onCall: (startedAt, durationMs, answer) =>
                logCall({ service: 's3', operation: 'GetObject', region: reg, startedAt, durationMs, ...(answer ? { httpStatus: answer.httpStatus, ...(answer.requestId ? { requestId: answer.requestId } : {}) } : {}) }),
            })
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
    sns: (region) => make('sns', r(region), SDK.sns),
    ec2: async (region) => {
      const { EC2Client } = await import('./ec2-client.js');
      return make('ec2', r(region), () => EC2Client as unknown as Ctor<EC2Client>);
    },
  };
}

export { REGION_PATTERN, isValidRegion } from './regions.js';
export { sharedProvider, type CredentialProvider } from './credentials/provider.js';
