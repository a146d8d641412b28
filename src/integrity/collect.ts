import type { AwsClients } from '../aws/clients.js';
import type { Evidence, TrailConfig } from '../evidence/schema.js';
import { inertLine } from '../util/text.js';
import { DEFAULT_CONCURRENCY, MAX_EVIDENCE_PROBLEMS, type IntegrityEvidence, type ValidateOptions, type ValidationResult } from './model.js';
import { validateTrail, ValidateInputError } from './validate.js';
import type { KnownTarget } from './target.js';
import { parseArn } from '../collect/util.js';

/** Bounded evidence from a validation result: counts, chains, at most 50 problem files. */
export function toIntegrityEvidence(r: ValidationResult): IntegrityEvidence {
  const problems = r.problems.slice(0, MAX_EVIDENCE_PROBLEMS).map((f) => ({
    kind: f.kind,
    key: inertLine(f.key, 1_024),
    bucket: f.bucket,
    verdict: f.verdict,
    ...(f.reason ? { reason: inertLine(f.reason, 300) } : {}),
    account: f.account,
    region: f.region,
  }));
  return {
    status: r.status === 'could-not-check' ? 'unverified' : r.status,
    window: r.window,
    trailArn: r.trailArn,
    bucket: r.bucket,
    summary: {
      digests: r.summary.digests,
      logs: r.summary.logs,
      linkMismatches: r.summary.linkMismatches,
    },
    chains: r.chains.slice(0, 50).map((c) => ({ account: c.account, region: c.region, start: c.start, end: c.end, endReason: c.endReason })),
    notices: r.notices.filter((n) => n.kind !== 'gap' || n.problem).slice(0, 20).map((n) => inertLine(n.message, 500)),
    problems,
    problemsTruncated: r.problemsTruncated || r.problems.length > MAX_EVIDENCE_PROBLEMS,
    ...(r.error ? { reason: inertLine(r.error.message, 500), ...(r.error.needs ? { needs: r.error.needs } : {}) } : {}),
  };
}

/** The trail, bucket-region and organization reads the diagnosis made, as the plan's outputs. */
export function knownFrom(evidence: Evidence): KnownTarget {
  const s = evidence.steps;
  const t = s.s1.trail;
  if (t.status !== 'ok' || !t.value) return {};
  const a = parseArn(t.value.arn);
  const s4 = s.s4;
  const region = s4.location.status === 'ok' ? s4.location.value?.region : s4.head.value?.region;
  return {
    trail: {
      trail: t,
      trailsInRegion: s.s1.trailsInRegion,
      resolved: { config: t.value, name: t.value.name, arn: t.value.arn, homeRegion: t.value.homeRegion, ownerAccount: a?.account ?? '', partition: a?.partition ?? 'aws' },
    },
    bucketLocation: { ...(s4.bucket ? { bucket: s4.bucket } : {}), head: s4.head, location: s4.location, ...(region ? { region } : {}), readable: s4.head.status !== 'absent' },
    organization: s.s6.organizationId,
  };
}

/** What validation of a diagnosis's trail needs: the plan's trail, bucket and organization reads, the window. */
export interface IntegrityInput {
  known: KnownTarget;
  /** The region the diagnosis looks from. */
  region: string;
  window: { start: string; end: string };
  /** The run's clock (evidence.collectedAt). */
  now: Date;
}

export interface IntegrityRunOptions {
  /**
   * Log files in flight (default: `validate`'s). At 16, about one hourly digest's files, a
   * diagnosis validated one digest per round trip: 11 s for 48 digests at 250 ms, where `validate`
   * took 5 s. S3 serves thousands of GETs a second per prefix; the run guard's gate per service
   * and region (64) still bounds them together with the nine steps' reads.
   */
  concurrency?: number;
  /** Each log file's body once hashed, for the gap measurement of the same run. */
  onLogFile?: ValidateOptions['onLogFile'];
}

/** The trail of the known reads, when it is found and has log file validation on. */
export function validationTrail(known: KnownTarget): TrailConfig | undefined {
  const t = known.trail?.trail;
  return t?.status === 'ok' && t.value?.logFileValidationEnabled ? t.value : undefined;
}

/**
 * Validates the digest chain of a diagnosis's trail over its window, from the plan's outputs: it
 * can start as soon as the trail, its bucket's region and the organization id are known, while the
 * rest of the nine steps run. `undefined` when validation is off (or the trail unknown).
 */
export async function integrityFor(clients: AwsClients, input: IntegrityInput, opts: IntegrityRunOptions = {}): Promise<IntegrityEvidence | undefined> {
  const trail = validationTrail(input.known);
  if (!trail) return undefined;
  const window = { start: new Date(input.window.start), end: new Date(input.window.end) };
  try {
    const r = await validateTrail(clients, {
      trail: trail.arn,
      region: input.region,
      start: window.start,
      end: window.end,
      ...(trail.s3BucketName ? { s3Bucket: trail.s3BucketName, s3Prefix: trail.s3KeyPrefix ?? '' } : {}),
      concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY,
      now: input.now,
      ...(opts.onLogFile ? { onLogFile: opts.onLogFile } : {}),
    }, input.known);
    return toIntegrityEvidence(r);
  } catch (e) {
    const message = e instanceof ValidateInputError ? e.message : `unexpected: ${(e as Error)?.message ?? String(e)}`;
    return { status: 'unverified', window: input.window, trailArn: trail.arn, problems: [], problemsTruncated: false, reason: inertLine(message, 500) };
  }
}

/**
 * For `diagnose`: when step 1 found the trail with log file validation on, validate its digest
 * chain over the evidence window — from the evidence, or from the plan's outputs as soon as they
 * exist (IntegrityInput). `undefined` when validation is off (or the trail unknown).
 */
export function collectIntegrity(clients: AwsClients, from: Evidence | IntegrityInput, opts: IntegrityRunOptions = {}): Promise<IntegrityEvidence | undefined> {
  if (!('steps' in from)) return integrityFor(clients, from, opts);
  return integrityFor(clients, { known: knownFrom(from), region: from.target.region, window: from.window, now: new Date(from.collectedAt) }, opts);
}
