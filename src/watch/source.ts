import { DescribeTrailsCommand, GetTrailCommand, type Trail } from '@aws-sdk/client-cloudtrail';
import { DescribeOrganizationCommand } from '@aws-sdk/client-organizations';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { AwsClients } from '../aws/clients.js';
import { classifyError } from '../aws/call.js';
import { logGroupNameFromArn, parseArn } from '../collect/util.js';

/**
 * Where watch's trails come from. `--trail` gives a fixed list (staticTrailSource); fleet discovery
 * (`--scan`) plugs in as another TrailSource: it only has to say which trails to watch, in which
 * account and region, and with which clients.
 */
export interface WatchTarget {
  account: string;
  /** The region whose log folder is watched (a multi-region trail delivers one per region). */
  region: string;
  trailArn: string;
  clients: AwsClients;
  /** What discovery already read about the trail (DescribeTrails); watch reads it itself when absent. */
  trail?: Trail;
  /**
   * Fresh clients for one diagnosis in `region` (its report counts its own calls, and their sockets
   * are released after); the light-check clients are used when absent.
   */
  diagnosisClients?: (region: string) => Promise<AwsClients>;
}

export interface TrailSource {
  /** Called at start and again every refresh period; a trail that disappears stops being watched. */
  list(): Promise<WatchTarget[]>;
  /**
   * list() may take minutes (a fleet's discovery): once there is a list, the watcher keeps checking
   * it while the next one is read, and takes the new one at the round after.
   */
  slow?: boolean;
}

/** What the light check needs about a trail: read once, refreshed rarely, never per check. */
export interface TrailLayout {
  name: string;
  arn: string;
  homeRegion: string;
  account: string;
  bucket?: string;
  prefix?: string;
  /** `o-…` for an organization trail: its own account's files are under AWSLogs/<o-id>/<account>/. */
  orgId?: string;
  logGroupName?: string;
  logFileValidation: boolean;
}

export class TrailNotResolved extends Error {
  override name = 'TrailNotResolved';
  constructor(
    message: string,
    readonly kind: string,
  ) {
    super(message);
  }
}

/**
 * --trail NAME|ARN (repeatable) in --region: GetTrail once per trail at start and at each refresh.
 * A name is looked up in the region; an ARN is read in its home region (shadow and organization
 * trails answer only by ARN).
 */
export interface TrailSpec {
  /** Name or ARN, as GetTrail takes it. */
  id: string;
  /** The region watched: where a name is looked up, and whose log folder is read. */
  region: string;
}

export function staticTrailSource(trails: readonly TrailSpec[], clients: AwsClients, diagnosisClients?: WatchTarget['diagnosisClients']): TrailSource {
  return {
    async list() {
      const out: WatchTarget[] = [];
      for (const { id, region } of trails) {
        const arn = parseArn(id);
        const ct = clients.cloudtrail(arn?.region ?? region);
        let trail: Trail | undefined;
        try {
          trail = (await ct.send(new GetTrailCommand({ Name: id }))).Trail;
        } catch (e) {
          const c = classifyError(e, ['TrailNotFoundException']);
          if (c.kind !== 'absent') throw new TrailNotResolved(`cannot read trail ${id}: ${c.code}: ${c.message}`, c.kind);
          // A multi-region trail seen from another region, or an organization trail: only in DescribeTrails.
          const list = await ct.send(new DescribeTrailsCommand({ includeShadowTrails: true })).catch(() => undefined);
          trail = list?.trailList?.find((t) => t.Name === id || t.TrailARN === id);
          if (!trail) throw new TrailNotResolved(`trail ${id} was not found in ${region}`, 'absent');
        }
        if (!trail?.TrailARN) throw new TrailNotResolved(`trail ${id}: GetTrail returned no ARN`, 'error');
        const account = parseArn(trail.TrailARN)?.account ?? '';
        out.push({ account, region, trailArn: trail.TrailARN, clients, trail, ...(diagnosisClients ? { diagnosisClients } : {}) });
      }
      return out;
    },
  };
}

/** The trail's layout from GetTrail (or discovery's DescribeTrails), plus the org id of an organization trail. */
export async function resolveLayout(target: WatchTarget): Promise<TrailLayout> {
  const arn = parseArn(target.trailArn);
  const home = arn?.region ?? target.region;
  let t = target.trail;
  if (!t) t = (await target.clients.cloudtrail(home).send(new GetTrailCommand({ Name: target.trailArn }))).Trail;
  if (!t) throw new TrailNotResolved(`trail ${target.trailArn} was not found`, 'absent');
  const layout: TrailLayout = {
    name: t.Name ?? arn?.resource.replace(/^trail\//, '') ?? target.trailArn,
    arn: target.trailArn,
    homeRegion: t.HomeRegion || home,
    account: target.account,
    bucket: t.S3BucketName || undefined,
    prefix: t.S3KeyPrefix || undefined,
    logGroupName: logGroupNameFromArn(t.CloudWatchLogsLogGroupArn),
    logFileValidation: t.LogFileValidationEnabled === true,
  };
  if (t.IsOrganizationTrail) layout.orgId = await organizationId(target.clients, layout);
  return layout;
}

async function organizationId(clients: AwsClients, layout: TrailLayout): Promise<string | undefined> {
  try {
    const id = (await clients.organizations().send(new DescribeOrganizationCommand({}))).Organization?.Id;
    if (id) return id;
  } catch {
    /* fall back to the bucket's own folder names */
  }
  if (!layout.bucket) return undefined;
  const root = `${layout.prefix ? `${layout.prefix.replace(/\/+$/, '')}/` : ''}AWSLogs/`;
  try {
    const r = await clients.s3(layout.homeRegion).send(new ListObjectsV2Command({ Bucket: layout.bucket, Prefix: root, Delimiter: '/', MaxKeys: 100 }));
    for (const p of r.CommonPrefixes ?? []) {
      const m = /^o-[a-z0-9]{10,32}$/.exec((p.Prefix ?? '').slice(root.length).replace(/\/$/, ''));
      if (m) return m[0];
    }
  } catch {
    /* the light check then reports the listing's own failure */
  }
  return undefined;
}
