import { describe, expect, it } from 'vitest';
import { renderTraceMarkdown, renderTraceText } from './trace.js';
import type { TraceReport } from '../trace/model.js';

const report: TraceReport = {
  status: 'missing',
  trail: { name: 'main', region: 'eu-west-1' },
  query: { eventId: 'e1' },
  eventHistory: { found: true },
  event: { eventID: 'e1', eventTime: '2026-11-23T10:42:00Z', eventName: 'Put\u001b[31mBucket|Policy', eventSource: 's3.amazonaws.com', awsRegion: 'eu-west-1', eventCategory: 'Management', resources: [], source: 'event-history' },
  recorded: { verdict: 'yes', chain: ['event selector 1 records All management events'] },
  destinations: [
    { destination: 's3', expected: true, found: 'yes', bucket: 'b', folder: 'AWSLogs/1/CloudTrail/eu-west-1/', key: 'AWSLogs/1/CloudTrail/eu-west-1/2026/11/23/f.json.gz', filesRead: 2, fileTimeRange: { from: '2026-11-23T10:42:00Z', to: '2026-11-23T11:42:00Z' } },
    { destination: 'cloudwatch-logs', expected: true, found: 'no', logGroup: 'ct' },
  ],
  causes: [{ id: 'cloudwatch-event-size-limit', destination: 'cloudwatch-logs', evidence: ['the record is 300000 bytes'], fix: 'Read large events from S3.' }],
  evidence: ['S3: found'],
  summary: 'PutBucketPolicy e1 is missing from CloudWatch Logs: cloudwatch-event-size-limit',
};

describe('trace renderers', () => {
  it('text: the verdict, the file, the cause with its fix; control characters made inert', () => {
    const t = renderTraceText(report);
    expect(t).toContain('MISSING: ');
    expect(t).toContain('file     AWSLogs/1/CloudTrail/eu-west-1/2026/11/23/f.json.gz');
    expect(t).toContain('CloudWatch Logs: missing');
    expect(t).toContain('cloudwatch-event-size-limit (CloudWatch Logs)');
    expect(t).toContain('fix: Read large events from S3.');
    expect(t).not.toContain('\u001b');
  });

  it('markdown: a destinations table whose cells cannot be broken by a pipe', () => {
    const m = renderTraceMarkdown(report);
    expect(m).toMatch(/^# trail-doctor trace: missing/);
    expect(m).toContain('| CloudWatch Logs | missing | ct |');
    expect(m).toContain('### `cloudwatch-event-size-limit`');
    expect(m).not.toContain('\u001b');
    expect(m).not.toMatch(/Bucket\|Policy/);
  });
});
