import { describe, expect, it } from 'vitest';
import { WatchMetrics } from '../../src/watch/metrics.js';
import type { LightCheckResult } from '../../src/watch/light-check.js';
import { ACCOUNT, REGION, TRAIL_ARN } from './fake-account.js';

const labels = { account: ACCOUNT, region: REGION, trail_arn: TRAIL_ARN };
const sel = `account="${ACCOUNT}",region="${REGION}",trail_arn="${TRAIL_ARN}"`;

const result = (over: Partial<LightCheckResult> = {}): LightCheckResult => ({
  checkedAt: Date.UTC(2026, 10, 24, 12),
  logging: true,
  ageSeconds: { s3: 240.4, cloudwatch_logs: 95 },
  errors: [],
  calls: [
    { service: 'cloudtrail', operation: 'GetTrailStatus', outcome: 'ok' },
    { service: 's3', operation: 'ListObjectsV2', outcome: 'ok' },
  ],
  complete: true,
  ...over,
});

describe('watch metrics (prom-client exposition)', () => {
  it('renders the contract: names, labels, values, in the Prometheus text format', async () => {
    const m = new WatchMetrics({ processMetrics: false });
    m.recordCheck(labels, result());
    m.recordRootCauses(labels, ['s3-bucket-policy-denies']);
    m.countCall('s3', 'ok');
    m.countCall('s3', 'denied');
    const text = await m.render();
    expect(m.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toContain('# TYPE trail_doctor_trail_logging gauge');
    expect(text).toContain(`trail_doctor_trail_logging{${sel}} 1`);
    expect(text).toContain(`trail_doctor_delivery_age_seconds{${sel},destination="s3"} 240`);
    expect(text).toContain(`trail_doctor_delivery_age_seconds{${sel},destination="cloudwatch_logs"} 95`);
    expect(text).toContain(`trail_doctor_check_success{${sel}} 1`);
    expect(text).toContain(`trail_doctor_last_check_timestamp_seconds{${sel}} ${Date.UTC(2026, 10, 24, 12) / 1000}`);
    expect(text).toContain(`trail_doctor_diagnosis_root_cause{${sel},root_cause="s3-bucket-policy-denies"} 1`);
    expect(text).toContain('# TYPE trail_doctor_api_calls_total counter');
    expect(text).toContain('trail_doctor_api_calls_total{service="s3",outcome="denied"} 1');
  });

  it('delivery errors are exported while reported and removed when gone; an unread status keeps the last ones', async () => {
    const m = new WatchMetrics({ processMetrics: false });
    m.recordCheck(labels, result({ errors: [{ destination: 's3', error: 'AccessDenied' }] }));
    expect(await m.render()).toContain(`trail_doctor_delivery_error{${sel},destination="s3",error="AccessDenied"} 1`);
    m.recordCheck(labels, result({ logging: undefined, calls: [{ service: 'cloudtrail', operation: 'GetTrailStatus', outcome: 'denied' }], complete: false }));
    let text = await m.render();
    expect(text).toContain('error="AccessDenied"} 1');
    expect(text).not.toContain('trail_doctor_trail_logging{');
    expect(text).toContain(`trail_doctor_check_success{${sel}} 0`);
    expect(text).toContain(`trail_doctor_check_failed{${sel},operation="GetTrailStatus",outcome="denied"} 1`);
    m.recordCheck(labels, result());
    text = await m.render();
    expect(text).not.toContain('trail_doctor_delivery_error{');
    expect(text).not.toContain('trail_doctor_check_failed{');
  });

  it('a new diagnosis replaces the root causes of the last one; forget() drops every series of a trail', async () => {
    const m = new WatchMetrics({ processMetrics: false });
    m.recordCheck(labels, result());
    m.recordRootCauses(labels, ['logging-stopped', 's3-bucket-missing']);
    m.recordRootCauses(labels, ['healthy']);
    let text = await m.render();
    expect(text).not.toContain('root_cause="logging-stopped"');
    expect(text).toContain('root_cause="healthy"} 1');
    m.forget(labels);
    text = await m.render();
    expect(text).not.toContain(TRAIL_ARN);
  });

  it('label values stay escaped in the exposition format', async () => {
    const m = new WatchMetrics({ processMetrics: false });
    m.recordCheck(labels, result({ errors: [{ destination: 's3', error: 'Bad "quote"\nnewline\\' }] }));
    expect(await m.render()).toContain('error="Bad \\"quote\\"\\nnewline\\\\"');
  });
});
