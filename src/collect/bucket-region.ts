import { branch } from './chain.js';
import type { BucketLocation } from './types.js';

/**
 * Bucket reads start in the trail's home region the moment the trail is known, alongside HeadBucket,
 * instead of a round trip after it: a trail's bucket is most often in the trail's region. When
 * HeadBucket names another region, the early answers (S3's redirects) are dropped and the reads run
 * again there; when there is no bucket to read, they are dropped for the skip. Either way the early
 * reads are awaited, so no call of the node outlives it.
 */
export interface InBucketRegion<T> {
  location: BucketLocation;
  /** The reads' result in the bucket's region; undefined when the bucket is not readable. */
  value?: T;
  /** The region the kept reads went to. */
  region?: string;
}

/**
 * `read(region, stale)` runs the reads against the bucket in `region`; `stale()` turns true once the
 * guess is known wrong, so that a long read (a listing of many day prefixes) stops starting calls
 * whose answers will be dropped. `guess` undefined: no early reads. `evenIfAbsent`: read a bucket
 * HeadBucket did not find too (in the guessed region).
 */
export async function inBucketRegion<T>(
  guess: string | undefined,
  location: () => Promise<BucketLocation>,
  read: (region: string, stale: () => boolean) => Promise<T>,
  opts: { evenIfAbsent?: boolean } = {},
): Promise<InBucketRegion<T>> {
  let wrong = false;
  const early = guess === undefined ? undefined : settle(branch(() => read(guess, () => wrong)));
  const bl = await location();
  const region = bl.region ?? guess;
  // Event history still knows a bucket that no longer exists (its DeleteBucket is the answer).
  const wanted = opts.evenIfAbsent ? !!bl.bucket : !!bl.bucket && bl.readable;
  if (!wanted || region === undefined) {
    wrong = true;
    await early;
    return { location: bl };
  }
  if (early && region === guess) return { location: bl, value: unwrap(await early), region };
  wrong = true;
  const [, again] = await Promise.all([early, settle(read(region, () => false))]);
  return { location: bl, value: unwrap(again), region };
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error) => ({ ok: false as const, error }),
  );
}

function unwrap<T>(s: Settled<T>): T {
  if (!s.ok) throw s.error;
  return s.value;
}
