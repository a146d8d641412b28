import { DescribeTrailsCommand, GetTrailCommand, type Trail } from '@aws-sdk/client-cloudtrail';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { DescribeEventsCommand, type Event as HealthEvent } from '@aws-sdk/client-health';
import type { Probe } from '../evidence/probe.js';
import type { TrailConfig, TrailSummary } from '../evidence/schema.js';
import { all, send } from './chain.js';
import { defineCollector, type Caller, type ResolvedTrail, type TrailResolution } from './types.js';
import { compact, errorNameOf, iso, parseArn, probe, probeFromError, text } from './util.js';
import { STEP_TITLES } from './progress.js';

/**
 * Step 1: the trail exists (GetTrail; DescribeTrails with shadow trails for multi-region trails whose
 * home region is elsewhere and organization trails, which must then be read by their full ARN), who
 * we are (STS), and AWS Health for CloudTrail in the region.
 */

export function trailConfigOf(t: Trail): TrailConfig | undefined {
  if (!t.Name || !t.TrailARN) return undefined;
  const home = t.HomeRegion || parseArn(t.TrailARN)?.region || '';
  return compact({
    name: text(t.Name, 200)!,
    arn: text(t.TrailARN, 400)!,
    homeRegion: home,
    s3BucketName: text(t.S3BucketName, 255),
    s3KeyPrefix: text(t.S3KeyPrefix, 400),
    snsTopicArn: text(t.SnsTopicARN, 400),
    // CreateTrail's documented default is true: an answer without the field is a trail that includes them.
    includeGlobalServiceEvents: t.IncludeGlobalServiceEvents !== false,
    isMultiRegionTrail: t.IsMultiRegionTrail === true,
    isOrganizationTrail: t.IsOrganizationTrail === true,
    logFileValidationEnabled: t.LogFileValidationEnabled === true,
    cloudWatchLogsLogGroupArn: text(t.CloudWatchLogsLogGroupArn, 700),
    cloudWatchLogsRoleArn: text(t.CloudWatchLogsRoleArn, 400),
    kmsKeyId: text(t.KmsKeyId, 400),
    hasCustomEventSelectors: t.HasCustomEventSelectors,
    hasInsightSelectors: t.HasInsightSelectors,
  }) as TrailConfig;
}

function resolvedOf(config: TrailConfig): ResolvedTrail {
  const a = parseArn(config.arn);
  return {
    config,
    name: config.name,
    arn: config.arn,
    homeRegion: config.homeRegion,
    ownerAccount: a?.account ?? '',
    partition: a?.partition ?? 'aws',
  };
}

const matches = (t: Trail, input: string) => t.Name === input || t.TrailARN === input;

export const trailCollector = defineCollector({
  name: 'trail',
  step: 1,
  title: STEP_TITLES[1],
  needs: [],
  apis: ['cloudtrail:GetTrail', 'cloudtrail:DescribeTrails'],
  async run(clients, { ctx }): Promise<TrailResolution> {
    const input = ctx.trailInput;
    const ct = clients.cloudtrail(ctx.region);
    const [got, listed] = await all([
      async (): Promise<{ trail?: Trail; err?: unknown }> => {
        try {
          return { trail: (await send(ct, new GetTrailCommand({ Name: input }))).Trail };
        } catch (err) {
          return { err };
        }
      },
      () => probe(() => send(ct, new DescribeTrailsCommand({ includeShadowTrails: true })), (r) => r.trailList ?? [], { needs: 'cloudtrail:DescribeTrails' }),
    ]);
    const trailsInRegion: Probe<TrailSummary[]> =
      listed.status === 'ok'
        ? { status: 'ok', value: (listed.value ?? []).filter((t) => t.Name && t.TrailARN).slice(0, 200).map((t) => compact({ name: text(t.Name, 200)!, arn: text(t.TrailARN, 400)!, homeRegion: t.HomeRegion || parseArn(t.TrailARN)?.region })) }
        : (listed as Probe<TrailSummary[]>);

    const found = (config: TrailConfig, extra: Partial<TrailResolution> = {}): TrailResolution => ({
      trail: { status: 'ok', value: config },
      trailsInRegion,
      isShadowTrail: config.homeRegion !== ctx.region,
      resolved: resolvedOf(config),
      ...extra,
    });

    const direct = got.trail ? trailConfigOf(got.trail) : undefined;
    if (direct) return found(direct);

    // Not readable by name in this region: a shadow of a multi-region trail, or an organization trail
    // seen from a member account, is listed by DescribeTrails and must be read by its full ARN.
    const getErr = got.err ? probeFromError<TrailConfig>(got.err, { needs: 'cloudtrail:GetTrail', absentCodes: ['TrailNotFoundException', 'TrailNotFound'] }) : undefined;
    const candidate = listed.status === 'ok' ? (listed.value ?? []).find((t) => matches(t, input)) : undefined;
    if (candidate?.TrailARN) {
      const home = candidate.HomeRegion || parseArn(candidate.TrailARN)?.region || ctx.region;
      let config = trailConfigOf(candidate);
      let failedAgain: Probe<TrailConfig> | undefined;
      try {
        const again = await send(clients.cloudtrail(home), new GetTrailCommand({ Name: candidate.TrailARN }));
        config = (again.Trail && trailConfigOf(again.Trail)) || config;
      } catch (err) {
        // DescribeTrails already gave the full configuration; the failure is still worth saying.
        failedAgain = probeFromError<TrailConfig>(err, { needs: 'cloudtrail:GetTrail' });
      }
      const failedRead = getErr && getErr.status !== 'absent' ? getErr : failedAgain;
      if (config) {
        const r = found(config);
        if (failedRead) r.trail.substitute = { failed: 'cloudtrail:GetTrail', reason: [failedRead.errorCode, failedRead.reason].filter(Boolean).join(': '), answeredBy: 'cloudtrail:DescribeTrails' };
        return r;
      }
    }
    if (getErr && getErr.status !== 'absent') {
      return { trail: getErr, trailsInRegion, skipReason: `trail could not be read: ${getErr.reason ?? getErr.errorCode}` };
    }
    const searched = listed.status === 'ok' ? '' : `; shadow and organization trails could not be searched (${listed.status}: needs cloudtrail:DescribeTrails)`;
    return {
      trail: {
        status: 'absent',
        errorCode: getErr?.errorCode ?? 'TrailNotFoundException',
        reason: `no trail ${text(input, 300)} in ${ctx.region}${searched}`,
      },
      trailsInRegion,
      skipReason: 'trail not found',
    };
  },
});

export const callerCollector = defineCollector({
  name: 'caller',
  step: 1,
  title: STEP_TITLES[1],
  needs: [],
  apis: ['sts:GetCallerIdentity'],
  run(clients, { ctx }): Promise<Probe<Caller>> {
    return probe(
      () => send(clients.sts(ctx.region), new GetCallerIdentityCommand({})),
      (r) => ({ accountId: r.Account ?? '', arn: text(r.Arn, 400) ?? '', partition: parseArn(r.Arn)?.partition ?? 'aws' }),
      { needs: 'sts:GetCallerIdentity' },
    );
  },
});

const HEALTH_PLAN = 'AWS Health needs a Business, Enterprise On-Ramp or Enterprise support plan';

export const healthCollector = defineCollector({
  name: 'health',
  step: 1,
  title: STEP_TITLES[1],
  needs: [],
  apis: ['health:DescribeEvents'],
  async run(clients, { ctx }) {
    const out: HealthEvent[] = [];
    let token: string | undefined;
    try {
      for (let page = 0; page < 5; page++) {
        const r = await send(
          clients.health(),
          new DescribeEventsCommand({
            filter: { services: ['CLOUDTRAIL'], regions: [ctx.region], eventStatusCodes: ['open', 'upcoming'] },
            maxResults: 100,
            nextToken: token,
          }),
        );
        out.push(...(r.events ?? []));
        token = r.nextToken;
        if (!token) break;
      }
    } catch (err) {
      if (errorNameOf(err) === 'SubscriptionRequiredException') {
        return { status: 'skipped', reason: HEALTH_PLAN, errorCode: 'SubscriptionRequiredException', optional: true };
      }
      return probeFromError(err, { needs: 'health:DescribeEvents', optional: true });
    }
    return {
      status: 'ok',
      optional: true,
      value: out.slice(0, 100).map((e) =>
        compact({
          arn: text(e.arn, 400) ?? '',
          eventTypeCode: text(e.eventTypeCode, 200),
          statusCode: e.statusCode,
          region: e.region,
          startTime: iso(e.startTime),
          endTime: iso(e.endTime),
          lastUpdatedTime: iso(e.lastUpdatedTime),
        }),
      ),
    };
  },
});

export const step1 = defineCollector({
  name: 's1',
  step: 1,
  title: STEP_TITLES[1],
  needs: ['trail', 'caller', 'health'],
  apis: [],
  async run(_clients, { trail, caller, health }) {
    return {
      caller,
      trail: trail.trail,
      trailsInRegion: trail.trailsInRegion,
      ...(trail.isShadowTrail !== undefined ? { isShadowTrail: trail.isShadowTrail } : {}),
      health,
    };
  },
});

export const collectors = [trailCollector, callerCollector, healthCollector, step1] as const;
