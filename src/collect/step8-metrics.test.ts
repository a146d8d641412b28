import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { awsError, fakeAws, runFakePlan, LOG_GROUP } from '../../test/support/aws-fakes.js';
import { periodFor } from './step8-metrics.js';

const fake = fakeAws();
afterAll(() => fake.restore());
beforeEach(() => fake.install());

describe('step 8: CloudWatch metrics', () => {
  it('asks for IncomingLogEvents and IncomingBytes of the log group, hourly over a week', async () => {
    fake.cw
      .on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [{ Id: 'incomingLogEvents', Timestamps: [new Date('2026-11-23T02:00:00Z'), new Date('2026-11-23T01:00:00Z')], Values: [20, 10] }],
        NextToken: 'n',
      })
      .resolvesOnce({ MetricDataResults: [{ Id: 'incomingBytes', Timestamps: [new Date('2026-11-23T01:00:00Z')], Values: [999] }] });
    const { outputs } = await runFakePlan(fake);
    const q = fake.cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    expect((q.MetricDataQueries ?? []).map((m) => [m.MetricStat?.Metric?.MetricName, m.MetricStat?.Period, m.MetricStat?.Metric?.Dimensions])).toEqual([
      ['IncomingLogEvents', 3600, [{ Name: 'LogGroupName', Value: LOG_GROUP }]],
      ['IncomingBytes', 3600, [{ Name: 'LogGroupName', Value: LOG_GROUP }]],
    ]);
    expect(fake.cw.commandCalls(GetMetricDataCommand)[1]!.args[0].input.NextToken).toBe('n');
    const [events, bytes] = outputs.s8.metrics.value!;
    expect(events).toMatchObject({ metricName: 'IncomingLogEvents', namespace: 'AWS/Logs', stat: 'Sum', periodSeconds: 3600, timestamps: ['2026-11-23T01:00:00Z', '2026-11-23T02:00:00Z'], values: [10, 20] });
    expect(bytes).toMatchObject({ metricName: 'IncomingBytes', values: [999] });
  });

  it('no datapoints: ok with empty series, optional', async () => {
    fake.cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s8.metrics.status).toBe('ok');
    expect(outputs.s8.metrics.optional).toBe(true);
    expect(outputs.s8.metrics.value?.map((s) => s.values)).toEqual([[], []]);
  });

  it('five-minute periods for a window of a day or less', () => {
    expect(periodFor({ start: new Date(0), end: new Date(86_400_000) })).toBe(300);
    expect(periodFor({ start: new Date(0), end: new Date(86_400_001) })).toBe(3600);
  });

  it('denied: optional, with needs', async () => {
    fake.cw.on(GetMetricDataCommand).rejects(awsError('AccessDenied', 403));
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s8.metrics).toMatchObject({ status: 'denied', needs: 'cloudwatch:GetMetricData', optional: true });
  });
});
