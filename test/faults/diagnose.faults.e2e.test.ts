import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutMoto } from '../support/moto.js';
import { FAULT_KINDS, type FaultKind } from '../support/fault-proxy.js';
import pLimit from 'p-limit';
import { CRASH, namesFailure, REGION, startFaultWorld, strongCauses, TRAIL, type FaultWorld } from './harness.js';

/**
 * A healthy trail, one fault in one API action per run: every action a healthy diagnosis calls ×
 * every fault that acts at once, and the no-answer fault on the calls each step waits on. Whatever
 * the fault, the run ends within its deadline, exits 0, 1 or 3 with a parseable report, invents no
 * root cause, and says which read failed.
 */
const skip = skipWithoutMoto('diagnose under injected faults (moto)');

/** What a healthy diagnosis calls (the first test proves the list is complete). */
const ACTIONS = [
  'cloudtrail:DescribeTrails',
  'cloudtrail:GetEventSelectors',
  'cloudtrail:GetTrail',
  'cloudtrail:GetTrailStatus',
  'cloudtrail:LookupEvents',
  'cloudwatch:GetMetricData',
  'health:DescribeEvents',
  'iam:GetRole',
  'iam:GetRolePolicy',
  'iam:ListAttachedRolePolicies',
  'iam:ListRolePolicies',
  'logs:DescribeLogGroups',
  'logs:DescribeLogStreams',
  'logs:FilterLogEvents',
  'logs:GetLogEvents',
  'logs:GetQueryResults',
  'logs:StartQuery',
  's3:GetBucketEncryption',
  's3:GetBucketLifecycleConfiguration',
  's3:GetBucketLogging',
  's3:GetBucketOwnershipControls',
  's3:GetBucketPolicy',
  's3:GetBucketRequestPayment',
  's3:GetObject',
  's3:GetObjectLockConfiguration',
  's3:HeadBucket',
  's3:ListObjectsV2',
  'sts:GetCallerIdentity',
];

/** The calls everything else waits on, and the bulk reads: where a hang would hurt most. */
const HANG_ACTIONS = ['cloudtrail:GetTrail', 'cloudtrail:GetTrailStatus', 's3:GetBucketPolicy', 's3:ListObjectsV2', 's3:GetObject', 'cloudtrail:LookupEvents', 'logs:StartQuery'];

const DEADLINE_S = 20;
/** Runs at once: each is a CLI process; two cores. */
const limit = pLimit(3);
const ARGS = ['diagnose', '--trail', TRAIL, '--region', REGION, '--since', '2h', '--format', 'json', '--timeout', '2', '--deadline', String(DEADLINE_S)];

/** Faults the SDK retries (or reads past) may leave nothing to report when a retry succeeds. */
const MAY_RECOVER: ReadonlySet<FaultKind> = new Set();

describe.skipIf(skip)('diagnose: one fault in one API action', () => {
  let world: FaultWorld;
  beforeAll(async () => {
    world = await startFaultWorld();
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('without faults the trail is healthy and the diagnosis calls exactly the actions of the matrix', async () => {
    const r = await world.run(ARGS, []);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json?.verdict).toBe('healthy');
    expect([...r.seen.keys()].sort()).toEqual([...ACTIONS].sort());
  });

  const cells: [string, FaultKind][] = [];
  for (const action of ACTIONS) for (const kind of FAULT_KINDS) if (kind !== 'hang' || HANG_ACTIONS.includes(action)) cells.push([action, kind]);

  it.concurrent.each(cells)('%s answering with %s', { timeout: 600_000 }, async (action, kind) => {
    const r = await limit(() => world.run(ARGS, [{ action, kind }]));
    const where = `exit ${r.code} after ${r.wallMs} ms; stderr: ${r.stderr.slice(0, 800)}`;
    if (action === 'sts:GetCallerIdentity') {
      // The run's first call: a refusal is a configuration error (exit 2), anything else a service
      // that could not answer (exit 3); either way one line on stderr and no diagnosis.
      expect(r.code, where).toBe(kind === 'denied' ? 2 : 3);
      expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('trail-doctor:')), where).toHaveLength(1);
      expect(r.stderr, where).not.toMatch(CRASH);
      expect(r.wallMs, where).toBeLessThan((DEADLINE_S + 10) * 1000);
      return;
    }
    expect(r.stderr, where).not.toMatch(CRASH);
    expect([0, 1, 3], where).toContain(r.code);
    expect(r.json, `stdout is not JSON: ${r.stdout.slice(0, 300)} / ${where}`).toBeDefined();
    // The fault acted on the tool's own read: it must not be blamed on the trail.
    expect(strongCauses(r.json), where).toEqual([]);
    if ((r.injected.get(action) ?? 0) > 0 && !MAY_RECOVER.has(kind)) {
      expect(namesFailure(r.json, action), `${action} failed but the report does not say so: ${JSON.stringify(r.json!.unverified)}`).toBe(true);
    }
    expect(r.wallMs, where).toBeLessThan((DEADLINE_S + 10) * 1000);
  });
});
