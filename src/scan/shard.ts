import { createHash } from 'node:crypto';

/**
 * `--shard K/N`: a deterministic 1/N of the accounts, by a stable hash of the account id, so that
 * N jobs of an array (Kubernetes Indexed Job, AWS Batch array, Step Functions Distributed Map)
 * split an organization without talking to each other. K is 0-based like JOB_COMPLETION_INDEX and
 * AWS_BATCH_JOB_ARRAY_INDEX.
 */
export interface Shard {
  index: number;
  count: number;
}

export function shardOfAccount(accountId: string, count: number): number {
  const h = createHash('sha256').update(accountId).digest();
  return h.readUInt32BE(0) % count;
}

export const inShard = (accountId: string, shard: Shard | undefined): boolean => !shard || shardOfAccount(accountId, shard.count) === shard.index;
