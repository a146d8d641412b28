import { nodeActions } from '../collect/plan.js';
import { LOOKUP_EVENTS_NEEDS } from '../aws/lookup-events.js';
import { S3_ACTIONS } from './s3.js';
import { CWL_ACTIONS } from './cwl.js';

/** The plan's nodes `trace` always reads: the trail, its status and selectors, the bucket's region, the org id, the caller. */
export const TRACE_NODES = ['trail', 's2', 'bucketLocation', 'organization', 'caller'] as const;
/** Read only when the event is missing: the bucket's configuration (lifecycle) and the log group (retention). */
export const TRACE_MISSING_NODES = ['s4', 's7'] as const;

/** Every IAM action `trace` may call, each part declared next to its calls. */
export const TRACE_ACTIONS: readonly string[] = Object.freeze(
  [...new Set([...nodeActions(TRACE_NODES), ...nodeActions(TRACE_MISSING_NODES), LOOKUP_EVENTS_NEEDS, ...S3_ACTIONS, ...CWL_ACTIONS])].sort(),
);
