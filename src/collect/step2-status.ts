import { GetEventSelectorsCommand, GetTrailStatusCommand, type GetEventSelectorsCommandOutput, type GetTrailStatusCommandOutput } from '@aws-sdk/client-cloudtrail';
import { GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import type { AdvancedSelector, BasicSelector, EventSelectors, TrailStatus } from '../evidence/schema.js';
import { all, send } from './chain.js';
import { defineCollector } from './types.js';
import { compact, iso, parseArn, probe, skippedProbe, text } from './util.js';
import { STEP_TITLES } from './progress.js';

/**
 * Step 2: trail status and event selectors. GetTrailStatus answers for one region only, so both calls
 * name the trail by its full ARN in its home region (shadow and organization trails included). When
 * the trail notifies an SNS topic, the topic's access policy too (GetTopicAttributes, in the topic's
 * region): it must let cloudtrail.amazonaws.com publish. Notifications never carry events, so a
 * denied read of it is optional: it never makes the verdict inconclusive.
 */

/** Every field AWS reports; a healthy status omits the errors, and so does the evidence (never ""). */
export function trailStatusOf(r: GetTrailStatusCommandOutput): TrailStatus {
  const t = (d: Date | string | undefined) => (d instanceof Date ? iso(d) : typeof d === 'string' && d ? iso(Date.parse(d)) : undefined);
  return compact({
    isLogging: r.IsLogging === true,
    latestDeliveryError: text(r.LatestDeliveryError),
    latestDeliveryTime: t(r.LatestDeliveryTime),
    latestDeliveryAttemptTime: t(r.LatestDeliveryAttemptTime),
    latestNotificationError: text(r.LatestNotificationError),
    latestNotificationTime: t(r.LatestNotificationTime),
    latestCloudWatchLogsDeliveryError: text(r.LatestCloudWatchLogsDeliveryError),
    latestCloudWatchLogsDeliveryTime: t(r.LatestCloudWatchLogsDeliveryTime),
    latestDigestDeliveryError: text(r.LatestDigestDeliveryError),
    latestDigestDeliveryTime: t(r.LatestDigestDeliveryTime),
    startLoggingTime: t(r.StartLoggingTime),
    stopLoggingTime: t(r.StopLoggingTime),
  }) as TrailStatus;
}

const list = (v: string[] | undefined) => (v ? v.map((s) => text(s, 1_000) ?? '') : undefined);

export function eventSelectorsOf(r: GetEventSelectorsCommandOutput): EventSelectors {
  const out: EventSelectors = {};
  if (r.EventSelectors) {
    out.eventSelectors = r.EventSelectors.slice(0, 50).map(
      (s) =>
        compact({
          readWriteType: s.ReadWriteType,
          includeManagementEvents: s.IncludeManagementEvents,
          dataResources: s.DataResources?.map((d) => ({ type: text(d.Type, 200) ?? '', values: list(d.Values) ?? [] })),
          excludeManagementEventSources: list(s.ExcludeManagementEventSources),
        }) as BasicSelector,
    );
  }
  if (r.AdvancedEventSelectors) {
    out.advancedEventSelectors = r.AdvancedEventSelectors.slice(0, 50).map(
      (s) =>
        compact({
          name: text(s.Name, 1_000),
          fieldSelectors: (s.FieldSelectors ?? []).map((f) =>
            compact({
              field: text(f.Field, 1_000) ?? '',
              equals: list(f.Equals),
              startsWith: list(f.StartsWith),
              endsWith: list(f.EndsWith),
              notEquals: list(f.NotEquals),
              notStartsWith: list(f.NotStartsWith),
              notEndsWith: list(f.NotEndsWith),
            }),
          ),
        }) as AdvancedSelector,
    );
  }
  return out;
}

export const step2 = defineCollector({
  name: 's2',
  step: 2,
  title: STEP_TITLES[2],
  needs: ['trail'],
  apis: ['cloudtrail:GetTrailStatus', 'cloudtrail:GetEventSelectors', 'sns:GetTopicAttributes'],
  async run(clients, { trail }) {
    const t = trail.resolved;
    if (!t) {
      const why = trail.skipReason ?? 'trail not found';
      return { status: skippedProbe(why), selectors: skippedProbe(why) };
    }
    const ct = clients.cloudtrail(t.homeRegion);
    const [status, selectors] = await all([
      () => probe(() => send(ct, new GetTrailStatusCommand({ Name: t.arn })), trailStatusOf, { needs: 'cloudtrail:GetTrailStatus' }),
      () => probe(() => send(ct, new GetEventSelectorsCommand({ TrailName: t.arn })), eventSelectorsOf, { needs: 'cloudtrail:GetEventSelectors' }),
    ]);
    const topic = t.config.snsTopicArn;
    if (!topic) return { status, selectors };
    const snsTopicPolicy = await probe(
      () => send(clients.sns(parseArn(topic)?.region || t.homeRegion), new GetTopicAttributesCommand({ TopicArn: topic })),
      (r) => text(r.Attributes?.Policy, 20_000) ?? '',
      { needs: 'sns:GetTopicAttributes', absentCodes: ['NotFound', 'NotFoundException'] },
    );
    return { status, selectors, snsTopicPolicy: { ...snsTopicPolicy, optional: true } };
  },
});

export const collectors = [step2] as const;
