import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BINARIES, skipWithout } from '../support/monitoring.js';

/** The shipped rules and Alertmanager configuration, checked by the tools that load them. */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RULES = join(ROOT, 'deploy/prometheus/trail-doctor-rules.yml');
const AM = join(ROOT, 'deploy/alertmanager/alertmanager.yml');
const skip = skipWithout('watch deploy files (promtool, amtool)', [BINARIES.promtool, BINARIES.amtool]);

const run = (bin: string, args: string[], cwd = ROOT) => spawnSync(bin, args, { cwd, encoding: 'utf8' });

const ARN = 'arn:aws:cloudtrail:eu-west-1:123456789012:trail/main';
const series = (name: string, extra: string, values: string) => ({ series: `${name}{account="123456789012",region="eu-west-1",trail_arn="${ARN}"${extra}}`, values });

describe.skipIf(skip)('shipped Prometheus rules and Alertmanager config', () => {
  it('promtool check rules accepts the rules', () => {
    const r = run(BINARIES.promtool, ['check', 'rules', RULES]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('amtool check-config accepts the Alertmanager config, which routes to the trail-doctor webhook', () => {
    const r = run(BINARIES.amtool, ['check-config', AM]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(AM, 'utf8')).toMatch(/url: http:\/\/127\.0\.0\.1:9464\/alertmanager/);
  });

  it('the rules fire as documented (promtool test rules): S3 age > 15 min for 5 min, logging 0, a delivery error; not a slow CloudWatch Logs stream', () => {
    const dir = mkdtempSync(join(tmpdir(), 'td-rules-'));
    // The logic under test is expressions, `for` and labels: a copy without the annotations (each
    // rule's last key), which promtool would otherwise compare word for word.
    const lines = readFileSync(RULES, 'utf8').split('\n');
    const kept: string[] = [];
    let inAnnotations = false;
    for (const l of lines) {
      if (/^ {8}annotations:/.test(l)) inAnnotations = true;
      else if (/^ {0,6}\S/.test(l)) inAnnotations = false;
      if (!inAnnotations) kept.push(l);
    }
    const rules = join(dir, 'rules.yml');
    writeFileSync(rules, kept.join('\n'));
    expect(kept.length).toBeLessThan(lines.length);
    const tests = {
      rule_files: [rules],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            // S3 age climbs a minute a minute from 10 min: above 900 s from minute 6, firing from minute 11.
            series('trail_doctor_delivery_age_seconds', ',destination="s3"', '600+60x30'),
            // CloudWatch Logs lags (AWS updates stream times eventually): 30 min is not an alert.
            series('trail_doctor_delivery_age_seconds', ',destination="cloudwatch_logs"', '1800x30'),
            series('trail_doctor_trail_logging', '', '1 1 1 0 0 0 0 0 0 1x20'),
            series('trail_doctor_delivery_error', ',destination="s3",error="AccessDenied"', '1x20'),
            // watch --scan: one discovery refused (an hour of 0), then two in a row
            { series: 'trail_doctor_account_reachable{account="111122223333"}', values: '1 0x60 1x10 0x100' },
          ],
          alert_rule_test: [
            { eval_time: '8m', alertname: 'CloudTrailEventsMissing', exp_alerts: [{ exp_labels: { severity: 'critical', reason: 'logging_stopped', account: '123456789012', region: 'eu-west-1', trail_arn: ARN } }] },
            {
              eval_time: '12m',
              alertname: 'CloudTrailEventsMissing',
              exp_alerts: [
                { exp_labels: { severity: 'critical', reason: 'delivery_age', destination: 's3', account: '123456789012', region: 'eu-west-1', trail_arn: ARN } },
              ],
            },
            { eval_time: '70m', alertname: 'TrailDoctorAccountUnreachable', exp_alerts: [] },
            { eval_time: '160m', alertname: 'TrailDoctorAccountUnreachable', exp_alerts: [] },
            { eval_time: '175m', alertname: 'TrailDoctorAccountUnreachable', exp_alerts: [{ exp_labels: { severity: 'warning', account: '111122223333' } }] },
            { eval_time: '4m', alertname: 'CloudTrailDeliveryError', exp_alerts: [] },
            { eval_time: '6m', alertname: 'CloudTrailDeliveryError', exp_alerts: [{ exp_labels: { severity: 'warning', destination: 's3', error: 'AccessDenied', account: '123456789012', region: 'eu-west-1', trail_arn: ARN } }] },
          ],
        },
      ],
    };
    const file = join(dir, 'rules.test.yml');
    // JSON is YAML: promtool reads it as is.
    writeFileSync(file, JSON.stringify(tests, null, 2));
    const r = run(BINARIES.promtool, ['test', 'rules', file], dir);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});
