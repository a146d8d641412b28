import pLimit from 'p-limit';
import type { AwsClients } from '../aws/clients.js';
import { classifyError } from '../aws/call.js';
import { createHasher, inlineHasher, type Hasher } from './hash-pool.js';
import { walkChain } from './chain.js';
import { CouldNotCheckError, ValidateInputError } from './errors.js';
import { PublicKeyStore } from './public-keys.js';
import { ValidationState, type ValidationRun } from './state.js';
import { chainLocations, locateBucket, resolveTarget, type KnownTarget, type ValidationTarget } from './target.js';
import { DEFAULT_CONCURRENCY, type ValidateOptions, type ValidationResult } from './model.js';

export { CouldNotCheckError, ValidateInputError } from './errors.js';

/**
 * Walks the digest chains of a trail over [start, end + 1 h] the way `aws cloudtrail validate-logs`
 * does (same verdicts, same order), concurrently: log files are fetched and hashed in a bounded pool
 * while digests are fetched ahead along the chain. Never throws on the account's reality: permission
 * and S3 failures come back as status `could-not-check` (exit 3). Bad input throws ValidateInputError.
 * `known`: the trail, bucket and organization reads a diagnosis already made (not sent again).
 */
export async function validateTrail(clients: AwsClients, opts: ValidateOptions, known: KnownTarget = {}): Promise<ValidationResult> {
  const t0 = Date.now();
  const callsBefore = clients.callCount;
  const state = new ValidationState(opts);
  const result = (status: ValidationResult['status'], trail: Partial<ValidationTarget>, error?: ValidationResult['error']) =>
    state.result(status, trail, { durationMs: Date.now() - t0, apiCalls: clients.callCount - callsBefore }, error);

  let trail: ValidationTarget | undefined;
  let hasher: Hasher = inlineHasher;
  try {
    const resolution = await resolveTarget(clients, opts, known);
    const tr = (trail = resolution.target);
    opts.onResolved?.(tr.arn);
    const { bucketRegion, orgId } = await locateBucket(clients, resolution);
    const s3 = clients.s3(bucketRegion);
    const locations = await chainLocations(s3, tr, orgId, opts);

    const concurrency = Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY);
    hasher = createHasher(opts.hashThreads);
    const run: ValidationRun = {
      start: opts.start,
      end: opts.end,
      now: opts.now ?? new Date(),
      concurrency,
      limits: opts.limits ?? {},
      trail: tr,
      s3,
      objects: clients.objects(bucketRegion),
      hasher,
      logLimit: pLimit(concurrency),
      digestLimit: pLimit(Math.min(8, concurrency + 2)),
      keys: new PublicKeyStore(clients, opts.start, opts.end),
      state,
    };
    await walkInOrder(locations.length, (idx, emit) => walkChain(run, locations[idx]!, emit));
    return result(state.anyDigestListed ? 'ok' : 'no-digests', tr);
  } catch (e) {
    if (e instanceof ValidateInputError) throw e;
    if (e instanceof CouldNotCheckError) return result('could-not-check', trail ?? {}, { message: e.message, needs: e.needs, code: e.code });
    const c = classifyError(e);
    return result('could-not-check', trail ?? {}, { message: `${c.code}: ${c.message}`, code: c.code });
  } finally {
    await hasher.close();
  }
}

/**
 * Chains (account × region) run a few at a time; their output leaves in location order: the head
 * chain writes through, later ones buffer until every chain before them is done.
 */
async function walkInOrder(count: number, walk: (idx: number, emit: (fn: () => void) => void) => Promise<void>): Promise<void> {
  const chainLimit = pLimit(4);
  const buffers: Array<Array<() => void>> = Array.from({ length: count }, () => []);
  const finished: boolean[] = Array.from({ length: count }, () => false);
  let head = 0;
  const emitter = (idx: number) => (fn: () => void) => {
    if (idx === head) fn();
    else buffers[idx]!.push(fn);
  };
  const finish = (idx: number) => {
    finished[idx] = true;
    while (head < count && finished[head]) {
      head++;
      if (head < count) {
        for (const fn of buffers[head]!) fn();
        buffers[head] = [];
      }
    }
  };
  await Promise.all(
    Array.from({ length: count }, (_, idx) =>
      chainLimit(async () => {
        await walk(idx, emitter(idx));
        finish(idx);
      }),
    ),
  );
}
