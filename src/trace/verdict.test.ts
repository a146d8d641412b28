import { describe, expect, it } from 'vitest';
import type { TrailConfig } from '../evidence/schema.js';
import { expiredBy, judge, loggingOffAt, type TraceFacts } from './verdict.js';
import { recordedByTrail } from './recorded.js';
import type { TracedEvent } from './model.js';
import type { S3Answer } from './s3.js';

const T = Date.parse('2026-11-23T10:42:00Z');
const MIN = 60_000;
const trail: TrailConfig = {
  name: 'main',
  arn: 'arn:aws:cloudtrail:eu-west-1:123456789012:trail/main',
  homeRegion: 'eu-west-1',
  s3BucketName: 'logs',
  includeGlobalServiceEvents: true,
  isMultiRegionTrail: true,
  isOrganizationTrail: false,
  logFileValidationEnabled: false,
  cloudWatchLogsLogGroupArn: 'arn:aws:logs:eu-west-1:123456789012:log-group:ct:*',
};
const event: TracedEvent = { eventID: 'e1', eventTime: '2026-11-23T10:42:00Z', eventName: 'CreateUser', eventSource: 'ec2.amazonaws.com', awsRegion: 'eu-west-1', eventCategory: 'Management', readOnly: false, resources: [], source: 'event-history', sizeBytes: 1200 };
const answer = (over: Partial<S3Answer> = {}): S3Answer => ({ folder: 'AWSLogs/123456789012/CloudTrail/eu-west-1/', filesInRange: 3, filesRead: 3, deliveries: [T + 5 * MIN], firstAfter: T + 5 * MIN, truncated: false, unreadable: [], ...over });
const facts = (over: Partial<TraceFacts> = {}): TraceFacts => ({
  now: T + 3 * 3_600_000,
  event,
  trail,
  status: { isLogging: true },
  recorded: recordedByTrail(trail, undefined, event),
  deliveryDelayMs: 15 * MIN,
  lateMs: 60 * MIN,
  s3: { bucket: 'logs', range: { from: T - MIN, to: T + 60 * MIN }, answer: answer() },
  cwl: { logGroupName: 'ct', group: 'ok', answer: { found: true, scanned: 1, truncated: false, logStream: '123456789012_CloudTrail_eu-west-1' } },
  ...over,
});

describe('why the event is missing', () => {
  it('delivered to both: status delivered, the file and the stream named', () => {
    const j = judge(facts({ s3: { bucket: 'logs', range: { from: T, to: T }, answer: answer({ found: { key: 'k.json.gz', record: {}, size: 1200 } }) } }));
    expect(j.status).toBe('delivered');
    expect(j.destinations.map((d) => d.found)).toEqual(['yes', 'yes']);
    expect(j.destinations[0]!.key).toBe('k.json.gz');
    expect(j.causes).toEqual([]);
  });

  it('in S3 but over 256 KB: cloudwatch-event-size-limit, for CloudWatch Logs only', () => {
    const j = judge(facts({ s3: { bucket: 'logs', range: { from: T, to: T }, answer: answer({ found: { key: 'k', record: {}, size: 300_000 } }) }, cwl: { logGroupName: 'ct', group: 'ok', answer: { found: false, scanned: 10, truncated: false } } }));
    expect(j.status).toBe('missing');
    expect(j.causes.map((c) => [c.id, c.destination])).toEqual([['cloudwatch-event-size-limit', 'cloudwatch-logs']]);
    expect(j.causes[0]!.fix).not.toBe('');
  });

  it('younger than the delivery delay: pending (delivery-delayed), not a failure', () => {
    const none = { found: false, scanned: 0, truncated: false };
    const j = judge(facts({ now: T + 4 * MIN, s3: { bucket: 'logs', range: { from: T, to: T }, answer: answer({ filesInRange: 0, filesRead: 0, firstAfter: undefined }) }, cwl: { logGroupName: 'ct', group: 'ok', answer: none } }));
    expect(j.status).toBe('pending');
    expect(j.causes.map((c) => c.id)).toEqual(['delivery-delayed']);
  });

  it('no file delivered around it, files again later: delivery-gaps with the window, plus the delivery error', () => {
    const a = answer({ filesInRange: 0, filesRead: 0, lastBefore: T - 10 * MIN, firstAfter: T + 95 * MIN });
    const j = judge(facts({ status: { isLogging: true, latestDeliveryError: 'AccessDenied', latestDeliveryTime: '2026-11-23T12:17:00Z' }, s3: { bucket: 'logs', range: { from: T, to: T + 60 * MIN }, answer: a } }));
    expect(j.status).toBe('missing');
    const ids = j.causes.map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['delivery-gaps', 's3-bucket-policy-denies']));
    expect(j.causes.find((c) => c.id === 'delivery-gaps')!.evidence[0]).toContain('between 2026-11-23T10:32:00Z and 2026-11-23T12:17:00Z');
  });

  it('files were delivered but none holds it: missing with no invented cause', () => {
    const j = judge(facts({ cwl: { logGroupName: 'ct', group: 'ok', answer: { found: true, scanned: 1, truncated: false } } }));
    expect(j.status).toBe('missing');
    expect(j.causes).toEqual([]);
    expect(j.evidence.join('\n')).toContain('not in the 3 log file(s)');
  });

  it('not recorded: the selector cause, nothing looked for', () => {
    const sel = { eventSelectors: [{ readWriteType: 'ReadOnly' as const }] };
    const j = judge(facts({ recorded: recordedByTrail(trail, sel, event), s3: { bucket: 'logs', range: { from: T, to: T }, skipped: 'not looked for' }, cwl: { logGroupName: 'ct', group: 'ok', skipped: 'not looked for' } }));
    expect(j.status).toBe('not-recorded');
    expect(j.causes.map((c) => c.id)).toEqual(['event-selectors-exclude-events']);
    expect(j.destinations.every((d) => !d.expected)).toBe(true);
  });

  it('an unreadable destination is never a cause: could not check', () => {
    const j = judge(facts({ s3: { bucket: 'logs', range: { from: T, to: T }, answer: answer({ filesRead: 0, error: { code: 'AccessDenied', message: 'no', needs: 's3:ListBucket' } }) } }));
    expect(j.status).toBe('could-not-check');
    expect(j.destinations[0]).toMatchObject({ found: 'unknown', needs: 's3:ListBucket' });
    expect(j.causes).toEqual([]);
  });

  it('retention and missing log group', () => {
    const old = facts({ now: T + 40 * 86_400_000, cwl: { logGroupName: 'ct', group: 'ok', retentionInDays: 30, answer: { found: false, scanned: 0, truncated: false } } });
    expect(judge(old).causes.map((c) => c.id)).toContain('logs-expired-by-retention');
    expect(judge(facts({ cwl: { logGroupName: 'ct', group: 'absent', answer: { found: false, scanned: 0, truncated: false } } })).causes.map((c) => c.id)).toContain('cloudwatch-log-group-missing');
  });

  it('logging stopped before the event, and lifecycle expiry', () => {
    expect(loggingOffAt({ isLogging: false, stopLoggingTime: '2026-11-23T10:00:00Z' }, T)).toContain('stopped at 2026-11-23T10:00:00Z');
    expect(loggingOffAt({ isLogging: true, stopLoggingTime: '2026-11-23T10:00:00Z', startLoggingTime: '2026-11-23T11:00:00Z' }, T)).toContain('started again only at 2026-11-23T11:00:00Z');
    expect(loggingOffAt({ isLogging: true, stopLoggingTime: '2026-11-23T10:00:00Z', startLoggingTime: '2026-11-23T10:30:00Z' }, T)).toBeUndefined();
    const rules = [{ id: 'expire', status: 'Enabled', prefix: 'AWSLogs/', expirationDays: 7 }];
    expect(expiredBy(rules, 'AWSLogs/1/CloudTrail/eu-west-1/', T, T + 8 * 86_400_000)).toContain('after 7 days');
    expect(expiredBy(rules, 'AWSLogs/1/CloudTrail/eu-west-1/', T, T + 6 * 86_400_000)).toBeUndefined();
    expect(expiredBy([{ ...rules[0]!, prefix: 'other/' }], 'AWSLogs/x/', T, T + 8 * 86_400_000)).toBeUndefined();
  });
});
