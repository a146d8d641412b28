import { startMoto, useMotoCredentials, type Moto } from '../support/moto.js';
import { startStandin, type Override, type Standin } from '../support/standin.js';
import { eventHistory } from '../support/event-history.js';
import { ensureBuilt, runCli, type CliResult } from '../support/cli.js';
import { startFaultProxy, type FaultProxy, type FaultRule } from '../support/fault-proxy.js';
import { seedAccount, type SeedOptions, type Seeded } from '../e2e/seed.js';

/**
 * One seeded account in moto behind the stand-in (event history, Health, the real last delivery in
 * GetTrailStatus), and a fault proxy per run in front of it, so runs with different faults can go
 * concurrently against the same account.
 */
export const REGION = 'eu-west-1';
export const TRAIL = 'main';
export const BUCKET = 'acme-trail-logs';

export interface FaultWorld {
  moto: Moto;
  standin: Standin;
  seeded: Seeded;
  /** Runs the CLI with `args` through a fresh proxy injecting `rules`; returns what it saw. */
  run(args: string[], rules: FaultRule[]): Promise<FaultRun>;
  stop(): Promise<void>;
}

export interface FaultRun extends CliResult {
  wallMs: number;
  json?: Report;
  seen: Map<string, number>;
  injected: Map<string, number>;
}

export interface Report {
  verdict?: string;
  rootCauses?: { id: string; confidence: string }[];
  unverified?: { step?: number; what: string; needs: string; reason?: string; optional?: boolean }[];
  stats?: Record<string, unknown>;
  summary?: Record<string, unknown>;
  [k: string]: unknown;
}

/** `history: 'delivered'` serves every delivered record as event history (a complete trail for `gaps`). */
export async function startFaultWorld(seed: Partial<SeedOptions> = {}, opts: { history?: 'empty' | 'delivered'; overrides?: Record<string, Override> } = {}): Promise<FaultWorld> {
  ensureBuilt();
  useMotoCredentials();
  const moto = await startMoto();
  const seeded = await seedAccount({ endpoint: moto.endpoint, region: REGION, trail: TRAIL, bucket: BUCKET, now: new Date(), hours: 2, ...seed });
  const standin = await startStandin({
    upstream: moto.endpoint,
    overrides: {
      'AWSHealth_20160804.DescribeEvents': () => ({ body: { events: [] } }),
      // moto stamps LatestDeliveryTime with "now": report the real last delivery instead.
      'CloudTrail_20131101.GetTrailStatus': async (_b, { forward }) => {
        const r = await forward();
        if (r.status !== 200 || !seeded.lastDelivery) return { status: r.status, body: r.body };
        return { body: { ...(r.body as object), LatestDeliveryTime: seeded.lastDelivery.getTime() / 1000 } };
      },
      'CloudTrail_20131101.LookupEvents': (b, ctx) => eventHistory(opts.history === 'delivered' ? seeded.records : [])(b, ctx),
      ...(opts.overrides ?? {}),
    },
  });
  return {
    moto,
    standin,
    seeded,
    async run(args, rules) {
      const proxy: FaultProxy = await startFaultProxy({ upstream: standin.endpoint, rules });
      const t0 = Date.now();
      try {
        const r = await runCli([...args, '--endpoint-url', proxy.endpoint]);
        let json: Report | undefined;
        try {
          json = JSON.parse(r.stdout) as Report;
        } catch {
          json = undefined;
        }
        return { ...r, wallMs: Date.now() - t0, json, seen: new Map(proxy.seen), injected: new Map(proxy.injected) };
      } finally {
        await proxy.stop();
      }
    },
    async stop() {
      await standin.stop();
      await moto.stop();
    },
  };
}

/** A stack trace or the CLI's catch-all line: a crash, whatever the exit code. */
export const CRASH = /\n\s+at .+\.(?:js|ts):\d+|unexpected error/;

/** API operations whose IAM action has another name (the report names the permission). */
const IAM_ACTION: Record<string, string> = {
  's3:ListObjectsV2': 's3:ListBucket',
  's3:HeadBucket': 's3:ListBucket',
  's3:GetBucketEncryption': 's3:GetEncryptionConfiguration',
  's3:GetBucketLifecycleConfiguration': 's3:GetLifecycleConfiguration',
  's3:GetObjectLockConfiguration': 's3:GetBucketObjectLockConfiguration',
  'logs:GetQueryResults': 'logs:StartQuery',
};

/** Does the report say that `action` failed: the action or its permission in `unverified`, or the failed call named? */
export function namesFailure(report: Report | undefined, action: string): boolean {
  const op = action.split(':')[1]!;
  const text = JSON.stringify(report?.unverified ?? []) + JSON.stringify(report?.summary ?? {}) + JSON.stringify(report?.gaps ?? {}) + JSON.stringify(report?.integrity ?? {});
  return [action, op, IAM_ACTION[action]].some((s) => s !== undefined && text.includes(s));
}

/** Strong root causes other than `healthy` (which is confirmed when nothing is wrong). */
export function strongCauses(report: Report | undefined): string[] {
  return (report?.rootCauses ?? []).filter((c) => c.id !== 'healthy' && (c.confidence === 'confirmed' || c.confidence === 'likely')).map((c) => c.id);
}
