import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import type { AwsClients } from '../aws/clients.js';
import { classifyError } from '../aws/call.js';
import { logGroupNameOf, roleNameOf } from '../aws/arn.js';
import type { Probe } from '../evidence/probe.js';
import type { ChangeEvent, Evidence } from '../evidence/schema.js';
import { mergeChangeEvents, recordToChangeEvent } from '../evidence/events.js';
import { CHANGE_EVENT_NAMES } from '../evidence/change-events.js';
import { isCandidate, isRelevant, type Resources } from '../collect/step9-changes.js';
import { GAP_MINUTES } from '../collect/step6-log-files.js';
import { inertLine } from '../util/text.js';
import { dayPrefix, keyDeliveryTime, type S3Target } from './deliveries.js';
import { scanLogFile } from './record-scan.js';
import { GLOBAL_REGION } from './scope.js';

/**
 * Step 9 without event history and without the log group: the configuration changes are read from
 * the trail's own S3 log files, only around the moments delivery stopped (the newest file when
 * delivery is silent now, and the start of each gap step 6 saw): the hour before each, its hour and
 * the next, in the folders of the regions where the trail's resources record their changes. Files
 * are streamed and a record is parsed only when its bytes name a change event of the catalogue
 * (src/evidence/change-events.ts); each is then re-checked like step 9's (succeeded, in the window,
 * about this trail's resources).
 */
export const S3_CHANGES_ACTIONS = ['s3:ListBucket', 's3:GetObject'] as const;

const HOUR = 3_600_000;
const DAY = 86_400_000;
const MAX_MOMENTS = 3;
export const S3_CHANGES_MAX_FILES = 400;
const NEEDLES = CHANGE_EVENT_NAMES.map((n) => Buffer.from(`"${n}"`));

const unavailable = (p: Probe<unknown>) => p.status === 'denied' || p.status === 'error';

export interface S3ChangesPlan {
  target: Omit<S3Target, 'region'>;
  regions: string[];
  /** Delivery-time ranges of the files to read (epoch ms). */
  ranges: [number, number][];
  moments: string[];
  why: string;
}

/** Whether step 9 must fall back to the S3 log files, and what to read: pure. */
export function s3ChangesPlan(e: Evidence): S3ChangesPlan | { skip: string } {
  const s = e.steps;
  const trail = s.s1.trail.value;
  if (!trail?.s3BucketName) return { skip: 'no trail bucket' };
  if (!unavailable(s.s9.fromEventHistory)) return { skip: 'event history answered' };
  if (s.s9.fromLogGroup.status === 'ok') return { skip: 'the log group answered' };
  const listing = s.s6.listing.value;
  if (s.s6.listing.status !== 'ok' || !listing?.newest) return { skip: 'no log file delivered in the window to read' };
  const now = Math.min(Date.parse(e.collectedAt), Date.parse(e.window.end));
  const newest = Date.parse(listing.newest.deliveryTime);
  const moments = [...(now - newest > GAP_MINUTES * 60_000 ? [newest] : []), ...listing.gaps.map((g) => Date.parse(g.start)).reverse()]
    .filter((t) => !Number.isNaN(t))
    .slice(0, MAX_MOMENTS);
  if (!moments.length) return { skip: 'delivery has not stopped in the window' };
  const ranges = moments.map((m): [number, number] => [m - (m % HOUR) - HOUR, Math.min(now, m - (m % HOUR) + 2 * HOUR)]);
  const bucketRegion = s.s4.location.value?.region ?? trail.homeRegion;
  const covered = (r: string) => trail.isMultiRegionTrail || r === trail.homeRegion;
  const logGroupRegion = trail.cloudWatchLogsLogGroupArn?.split(':')[3];
  const wanted = [trail.homeRegion, bucketRegion, logGroupRegion, trail.includeGlobalServiceEvents ? GLOBAL_REGION : undefined];
  const regions = [...new Set(wanted.filter((r): r is string => !!r && covered(r)))];
  const me = s.s1.caller.value?.accountId;
  const owner = /:(\d{12}):/.exec(trail.arn)?.[1] ?? me ?? '';
  const orgId = trail.isOrganizationTrail ? s.s6.organizationId.value : undefined;
  return {
    target: { bucket: trail.s3BucketName, bucketRegion, prefix: trail.s3KeyPrefix, accountId: owner, ...(orgId ? { orgId } : {}) },
    regions,
    ranges,
    moments: moments.map((m) => new Date(m).toISOString().replace(/\.\d{3}Z$/, 'Z')),
    why: `event history ${s.s9.fromEventHistory.status} (${s.s9.fromEventHistory.errorCode ?? s.s9.fromEventHistory.reason ?? ''}), log group ${s.s9.fromLogGroup.status}`,
  };
}

function resourcesOf(e: Evidence): Resources {
  const s = e.steps;
  const t = s.s1.trail.value;
  return {
    trailName: t?.name,
    trailArn: t?.arn,
    bucket: t?.s3BucketName,
    logGroup: logGroupNameOf(t?.cloudWatchLogsLogGroupArn),
    roleName: roleNameOf(t?.cloudWatchLogsRoleArn),
    policyArns: (s.s5.attachedPolicies.value ?? []).map((p) => p.arn).filter((a): a is string => !!a),
    keys: [t?.kmsKeyId, s.s4.kmsKey.value?.arn, s.s4.kmsKey.value?.keyId].filter((k): k is string => !!k),
    topicArn: t?.snsTopicArn,
    account: s.s1.caller.value?.accountId,
    organizationTrail: t?.isOrganizationTrail,
  };
}

const p2 = (n: number) => String(n).padStart(2, '0');
const stamp = (ms: number) => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}T${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}Z`;
};

/** Reads the planned files; undefined when no fallback is needed. */
export async function changesFromS3(clients: AwsClients, e: Evidence, plan = s3ChangesPlan(e)): Promise<Probe<ChangeEvent[]> | undefined> {
  if ('skip' in plan) return undefined;
  const s3 = clients.s3(plan.target.bucketRegion);
  const objects = clients.objects(plan.target.bucketRegion);
  const window = { start: new Date(e.window.start), end: new Date(e.window.end) };
  const resources = resourcesOf(e);
  const files: string[] = [];
  const failures: string[] = [];
  let denied: string | undefined;
  const inRange = (t: number) => plan.ranges.some(([a, b]) => t >= a && t <= b);
  for (const region of plan.regions) {
    const target: S3Target = { ...plan.target, region };
    for (const [a, b] of plan.ranges) {
      for (let day = a - (a % DAY); day <= b; day += DAY) {
        const Prefix = dayPrefix(target, day);
        let token: string | undefined;
        try {
          do {
            const r = await s3.send(new ListObjectsV2Command({ Bucket: target.bucket, Prefix, ContinuationToken: token, ...(token ? {} : { StartAfter: `${Prefix}${target.accountId}_CloudTrail_${region}_${stamp(Math.max(day, a) - 60_000)}` }) }));
            let past = false;
            for (const o of r.Contents ?? []) {
              const t = o.Key ? keyDeliveryTime(o.Key) : undefined;
              if (t === undefined) continue;
              if (t > b) past = true;
              else if (inRange(t) && !files.includes(o.Key!)) files.push(o.Key!);
            }
            token = !past && r.IsTruncated ? r.NextContinuationToken : undefined;
          } while (token && files.length < S3_CHANGES_MAX_FILES);
        } catch (err) {
          const c = classifyError(err);
          failures.push(`list ${Prefix}: ${c.code}`);
          if (c.kind === 'denied') denied = 's3:ListBucket';
        }
      }
    }
  }
  const found: ChangeEvent[] = [];
  const todo = files.slice(0, S3_CHANGES_MAX_FILES);
  const limit = pLimit(8);
  await Promise.all(
    todo.map((key) =>
      limit(async () => {
        try {
          const body = (await objects.get(plan.target.bucket, key)).body;
          await scanLogFile(
            body,
            (json) => NEEDLES.some((n) => json.includes(n)),
            (r) => {
              const ev = recordToChangeEvent(r, 's3');
              if (ev && isCandidate(ev, window) && isRelevant(ev, resources)) found.push(ev);
            },
          );
        } catch (err) {
          const c = classifyError(err);
          failures.push(`read ${inertLine(key, 200)}: ${c.code}`);
          if (c.kind === 'denied') denied ??= 's3:GetObject';
        }
      }),
    ),
  );
  const what = `${todo.length} log file(s) of ${plan.regions.join(', ')} delivered around ${plan.moments.join(', ')} (${plan.why})`;
  if (denied && !found.length && failures.length >= todo.length) return { status: 'denied', needs: denied, reason: `could not read the trail's log files for configuration changes: ${failures.slice(0, 3).join('; ')}` };
  const notes = [`read ${what}`, ...(files.length > todo.length ? [`stopped after ${S3_CHANGES_MAX_FILES} files`] : []), ...(failures.length ? [`${failures.length} read(s) failed: ${failures.slice(0, 3).join('; ')}`] : [])];
  return { status: 'ok', value: mergeChangeEvents(found), reason: inertLine(notes.join('; '), 1000) };
}
