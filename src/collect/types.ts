import type { AwsClients } from '../aws/clients.js';
import type { Probe } from '../evidence/probe.js';
import type { AccessLogs } from '../evidence/access-logs.js';
import type { ChangeEvent, KmsKey, Step1, Step2, Step3, Step4, Step5, Step6, Step7, Step8, Step9, TrailConfig, TrailSummary } from '../evidence/schema.js';
import type { StepNumber } from '../model/index.js';

/**
 * The collection plan is a small graph of collectors. Each declares the inputs it waits for (`needs`,
 * the names of other collectors' outputs) and the IAM actions it may call (`apis`); the plan starts it
 * as soon as those inputs exist. A step of the playbook is one or more collectors; the node named
 * `s<N>` assembles that step's evidence.
 */
export interface CollectContext {
  /** The region being diagnosed (the ARN's region when `--trail` is an ARN). */
  region: string;
  /** The trail as the user gave it: a name or a full ARN. */
  trailInput: string;
  window: { start: Date; end: Date };
  now: Date;
  limits: CollectLimits;
}

export interface CollectLimits {
  /** Log file keys processed at most (step 6). */
  maxKeys: number;
  /** Concurrent day-prefix listings (step 6). */
  listConcurrency: number;
  /** FilterLogEvents pages per scan (steps 3, 9). */
  maxFilterPages: number;
  /** Log events counted at most by the FilterLogEvents fallback (step 3). */
  maxCountedEvents: number;
  /** Logs Insights: poll interval and total wait. */
  insightsPollMs: number;
  insightsMaxWaitMs: number;
  /** LookupEvents events per query (step 9). */
  maxHistoryEvents: number;
  /** Role policies read at most (step 5). */
  maxPolicies: number;
}

export const DEFAULT_LIMITS: CollectLimits = {
  maxKeys: 2_000_000,
  listConcurrency: 8,
  maxFilterPages: 50,
  maxCountedEvents: 200_000,
  insightsPollMs: 1_000,
  insightsMaxWaitMs: 60_000,
  maxHistoryEvents: 2_000,
  maxPolicies: 50,
};

export interface Caller {
  accountId: string;
  arn: string;
  partition: string;
}

/** What the rest of the plan needs to know about the trail, once step 1 found it. */
export interface ResolvedTrail {
  config: TrailConfig;
  name: string;
  arn: string;
  homeRegion: string;
  /** Account that owns the trail (from its ARN). */
  ownerAccount: string;
  partition: string;
}

export interface TrailResolution {
  trail: Probe<TrailConfig>;
  trailsInRegion: Probe<TrailSummary[]>;
  isShadowTrail?: boolean;
  resolved?: ResolvedTrail;
  /** Why later steps are skipped when the trail could not be resolved. */
  skipReason?: string;
}

export interface BucketLocation {
  bucket?: string;
  head: Step4['head'];
  location: Step4['location'];
  /** The region to send bucket calls to (known even when HeadBucket is denied, from its header). */
  region?: string;
  /** False when the bucket is absent, or no bucket is configured: nothing more to read. */
  readable: boolean;
  /** True when HeadBucket already named the region (GetBucketLocation is then not needed). */
  locationFromHead?: boolean;
  skipReason?: string;
}

/** Candidate change events found by one source before the resource filter of step 9. */
export interface HistoryResult {
  regional: Probe<ChangeEvent[]>;
  global: Probe<ChangeEvent[]>;
}

/** Every plan node's output, by node name. */
export interface Outputs {
  trail: TrailResolution;
  caller: Probe<Caller>;
  health: Step1['health'];
  s1: Step1;
  s2: Step2;
  s3: Step3;
  bucketLocation: BucketLocation;
  s4: Step4;
  accessLogs: Probe<AccessLogs>;
  s5: Step5;
  organization: Step6['organizationId'];
  s6: Step6;
  s7: Step7;
  s8: Step8;
  changesLogGroup: Probe<ChangeEvent[]>;
  history: HistoryResult;
  historyResources: Probe<ChangeEvent[]>;
  historyKey: Probe<ChangeEvent[]>;
  s9: Step9;
}
export type NodeName = keyof Outputs;

export type Inputs<N extends readonly NodeName[], L extends readonly NodeName[] = readonly []> = { [K in N[number]]: Outputs[K] } & {
  [K in L[number]]: () => Promise<Outputs[K]>;
} & { ctx: CollectContext };

export interface Collector<K extends NodeName = NodeName, N extends readonly NodeName[] = readonly NodeName[], L extends readonly NodeName[] = readonly []> {
  name: K;
  step: StepNumber;
  title: string;
  needs: N;
  /**
   * Inputs the collector may start without and await when it must (each is then a function that
   * resolves to the output): reads that can begin on a good guess before an answer arrives.
   */
  later?: L;
  /** IAM actions this collector may call. The union is the least-privilege policy. */
  apis: readonly string[];
  run(clients: AwsClients, inputs: Inputs<N, L>): Promise<Outputs[K]>;
}

/** Typed constructor: infers `needs` and `later` as tuples so `run` sees exactly those inputs. */
export function defineCollector<K extends NodeName, const N extends readonly NodeName[], const L extends readonly NodeName[] = readonly []>(c: Collector<K, N, L>): Collector<K, N, L> {
  return c;
}

export type AnyCollector = Collector<NodeName, readonly NodeName[], readonly NodeName[]>;

export type { KmsKey };
