import { GetMetricDataCommand, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import type { MetricSeries, Step8 } from '../evidence/schema.js';
import { send } from './chain.js';
import { defineCollector } from './types.js';
import { crossAccountProbe, logGroupTarget } from './step3-log-events.js';
import { isoOf, probeFromError, skippedProbe } from './util.js';
import { STEP_TITLES } from './progress.js';

/**
 * Step 8: CloudWatch metrics as an independent view of delivery: AWS/Logs IncomingLogEvents and
 * IncomingBytes of the trail's log group over the window (hourly, or 5-minute for windows of a day or
 * less). No datapoints is a valid answer (optional source), not an error.
 */

const METRICS = [
  { id: 'incomingLogEvents', metricName: 'IncomingLogEvents' },
  { id: 'incomingBytes', metricName: 'IncomingBytes' },
] as const;

export const periodFor = (window: { start: Date; end: Date }): number => (window.end.getTime() - window.start.getTime() <= 86_400_000 ? 300 : 3600);

export const step8 = defineCollector({
  name: 's8',
  step: 8,
  title: STEP_TITLES[8],
  needs: ['trail', 'caller'],
  apis: ['cloudwatch:GetMetricData'],
  async run(clients, { trail, caller, ctx }): Promise<Step8> {
    const { target, skip, crossAccount } = logGroupTarget(trail.resolved, caller, trail.skipReason);
    if (!target || skip) return { metrics: skippedProbe(skip!, { optional: true }) };
    if (crossAccount) return { metrics: { ...crossAccountProbe(`log group ${target.name}`, crossAccount, 'cloudwatch:GetMetricData'), optional: true } };
    const period = periodFor(ctx.window);
    const series = new Map<string, { timestamps: number[]; values: number[] }>(METRICS.map((m) => [m.id, { timestamps: [], values: [] }]));
    let token: string | undefined;
    try {
      for (let page = 0; page < 20; page++) {
        const r = await send(
          clients.cloudwatch(target.region),
          new GetMetricDataCommand({
            StartTime: ctx.window.start,
            EndTime: ctx.window.end,
            ScanBy: 'TimestampAscending',
            NextToken: token,
            MetricDataQueries: METRICS.map((m) => ({
              Id: m.id,
              ReturnData: true,
              MetricStat: {
                Metric: { Namespace: 'AWS/Logs', MetricName: m.metricName, Dimensions: [{ Name: 'LogGroupName', Value: target.name }] },
                Period: period,
                Stat: 'Sum',
              },
            })),
          }),
        );
        for (const res of r.MetricDataResults ?? ([] as MetricDataResult[])) {
          const s = res.Id ? series.get(res.Id) : undefined;
          if (!s) continue;
          const ts = res.Timestamps ?? [];
          const vs = res.Values ?? [];
          for (let i = 0; i < Math.min(ts.length, vs.length); i++) {
            s.timestamps.push(ts[i]!.getTime());
            s.values.push(vs[i]!);
          }
        }
        token = r.NextToken;
        if (!token) break;
      }
    } catch (err) {
      return { metrics: probeFromError(err, { needs: 'cloudwatch:GetMetricData', optional: true }) };
    }
    const value: MetricSeries[] = METRICS.map((m) => {
      const s = series.get(m.id)!;
      const order = s.timestamps.map((_, i) => i).sort((a, b) => s.timestamps[a]! - s.timestamps[b]!);
      return {
        id: m.id,
        label: `${m.metricName} ${target.name}`,
        namespace: 'AWS/Logs',
        metricName: m.metricName,
        stat: 'Sum',
        periodSeconds: period,
        timestamps: order.map((i) => isoOf(s.timestamps[i]!)),
        values: order.map((i) => s.values[i]!),
      };
    });
    return { metrics: { status: 'ok', value, optional: true } };
  },
});

export const collectors = [step8] as const;
