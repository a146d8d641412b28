import { describe, expect, it } from 'vitest';
import { intake, parseWebhook, PayloadError } from '../../src/watch/alerts.js';
import { TRAIL_ARN } from './fake-account.js';
import { webhook } from './payloads.js';

const other = 'arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail';

describe('Alertmanager webhook intake', () => {
  it('one diagnosis request per distinct trail and region among firing alerts; resolved ones are only counted', () => {
    const p = parseWebhook(
      webhook([
        { status: 'firing', labels: { alertname: 'CloudTrailEventsMissing', trail_arn: TRAIL_ARN, region: 'eu-west-1', destination: 's3' } },
        { status: 'firing', labels: { alertname: 'CloudTrailEventsMissing', trail_arn: TRAIL_ARN, region: 'eu-west-1', destination: 'cloudwatch_logs' } },
        { status: 'firing', labels: { alertname: 'CloudTrailEventsMissing', trail_arn: other, region: 'eu-central-1' } },
        { status: 'resolved', labels: { alertname: 'CloudTrailDeliveryError', trail_arn: other, region: 'us-east-1' } },
        { status: 'firing', labels: { alertname: 'NodeDown', instance: 'x' } },
      ]),
    );
    const i = intake(p);
    expect(i.firing).toBe(4);
    expect(i.resolved).toBe(1);
    expect(i.ignored).toBe(1);
    expect(i.requests.map((r) => [r.trailArn, r.region, r.account])).toEqual([
      [TRAIL_ARN, 'eu-west-1', '123456789012'],
      [other, 'eu-central-1', '123456789012'],
    ]);
    expect(i.requests[0]!.labels.destination).toBe('s3');
  });

  it('a group of resolved alerts asks for nothing', () => {
    const i = intake(parseWebhook(webhook([{ status: 'resolved', labels: { trail_arn: TRAIL_ARN, region: 'eu-west-1' } }], 'resolved')));
    expect(i.requests).toEqual([]);
    expect(i.resolved).toBe(1);
  });

  it('the region defaults to the ARN home region; a malformed ARN or region label is not trusted', () => {
    const i = intake(
      parseWebhook(
        webhook([
          { status: 'firing', labels: { trail_arn: TRAIL_ARN, region: 'mars-1' } },
          { status: 'firing', labels: { trail_arn: 'arn:aws:s3:::bucket', region: 'eu-west-1' } },
        ]),
      ),
    );
    expect(i.requests.map((r) => r.region)).toEqual(['eu-west-1']);
    expect(i.ignored).toBe(1);
  });

  it('rejects what is not a version 4 payload with one clear message', () => {
    expect(() => parseWebhook({ ...webhook([]), version: '3' })).toThrow(/version "3"/);
    expect(() => parseWebhook({ hello: 'world' })).toThrow(PayloadError);
    expect(() => parseWebhook({ ...webhook([]), alerts: [{ status: 'burning', labels: {} }] })).toThrow(/alerts\.0\.status/);
  });
});
