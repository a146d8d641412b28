import type { AwsClients } from '../aws/clients.js';
import { classifyError } from '../aws/call.js';
import type { CallOutcome } from './light-check.js';

/**
 * Counts every AWS call a set of clients sends, with its outcome, for `trail_doctor_api_calls_total`:
 * a middleware on each SDK client the first time it is handed out. Retries are inside one call.
 * `release()` destroys the clients handed out (their sockets), for per-diagnosis client sets.
 */
export type CallListener = (service: string, operation: string, outcome: CallOutcome) => void;

type Stackable = {
  middlewareStack?: { add: (mw: unknown, opts: unknown) => void };
  destroy?: () => void;
};

export function outcomeOfError(e: unknown): CallOutcome {
  const c = classifyError(e);
  if (c.kind === 'network' || c.kind === 'not-aws') return 'error';
  if (c.kind === 'server') return 'server_error';
  if (c.kind === 'absent') return 'not_found';
  const status = c.httpStatus;
  if (c.kind === 'error' && status === 404) return 'not_found';
  if (c.kind === 'error' && /NotFound|NoSuch/.test(c.code)) return 'not_found';
  return c.kind;
}

export interface InstrumentedClients extends AwsClients {
  release(): void;
}

export function instrumentClients(inner: AwsClients, onCall: CallListener): InstrumentedClients {
  const seen = new Set<Stackable>();
  const wrap = <C>(service: string, client: C): C => {
    const c = client as unknown as Stackable;
    if (seen.has(c) || !c.middlewareStack) return client;
    seen.add(c);
    c.middlewareStack.add(
      (next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
        const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
        try {
          const out = await next(args);
          onCall(service, operation, 'ok');
          return out;
        } catch (e) {
          onCall(service, operation, outcomeOfError(e));
          throw e;
        }
      },
      { step: 'initialize', name: 'trailDoctorWatchCallCounter' },
    );
    return client;
  };
  return {
    get region() {
      return inner.region;
    },
    get options() {
      return inner.options;
    },
    get calls() {
      return inner.calls;
    },
    get callCount() {
      return inner.callCount;
    },
    get limiters() {
      return inner.limiters;
    },
    cloudtrail: (r) => wrap('cloudtrail', inner.cloudtrail(r)),
    s3: (r) => wrap('s3', inner.s3(r)),
    objects: (r) => {
      wrap('s3', inner.s3(r));
      return inner.objects(r);
    },
    logs: (r) => wrap('logs', inner.logs(r)),
    cloudwatch: (r) => wrap('cloudwatch', inner.cloudwatch(r)),
    kms: (r) => wrap('kms', inner.kms(r)),
    sts: (r) => wrap('sts', inner.sts(r)),
    iam: () => wrap('iam', inner.iam()),
    health: () => wrap('health', inner.health()),
    organizations: () => wrap('organizations', inner.organizations()),
    sns: (region?: string) => wrap('sns', inner.sns(region)),
    // The fleet discovery lists enabled regions with EC2; a set without EC2 stays without it.
    ...(inner.ec2 ? { ec2: async (region?: string) => wrap('ec2', await inner.ec2!(region)) } : {}),
    release() {
      for (const c of seen) c.destroy?.();
      seen.clear();
    },
  };
}
