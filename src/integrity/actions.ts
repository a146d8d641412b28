import { nodeActions } from '../collect/plan.js';
import { VALIDATE_TARGET_NODES } from './target.js';
import { PUBLIC_KEY_ACTIONS } from './public-keys.js';
import { S3_READ_ACTIONS } from './s3-reads.js';

/**
 * Every IAM action `validate` may call: the plan's trail, caller, bucket and organization nodes,
 * the public keys, and the digest and log reads. Each part is declared next to its calls.
 */
export const VALIDATE_ACTIONS: readonly string[] = Object.freeze([...new Set([...nodeActions(VALIDATE_TARGET_NODES), ...PUBLIC_KEY_ACTIONS, ...S3_READ_ACTIONS])].sort());
