import { expect } from 'vitest';
import { check } from './delivery-stopped.js';
import { denied } from '../evidence/probe.js';
import type { Evidence } from '../evidence/schema.js';
import { testCheck } from '../../test/support/check-tester.js';

/** now = 2026-11-24T04:00:00Z */
const s3Newest = (iso: string, lastModified?: string) => (e: Evidence) => {
  const l = e.steps.s6.listing.value!;
  l.newest = { ...l.newest!, deliveryTime: iso, ...(lastModified ? { lastModified } : {}) };
};
const lastDelivery = (iso: string) => (e: Evidence) => (e.steps.s2.status.value!.latestDeliveryTime = iso);
const cwlNewest = (iso: string) => (e: Evidence) => {
  e.steps.s3.newestEventTime = iso;
  e.steps.s3.streams.value!.streams[0]!.lastEventTimestamp = iso;
};
const all = (...fs: ((e: Evidence) => void)[]) => (e: Evidence) => fs.forEach((f) => f(e));

testCheck(check, {
  valid: [
    { name: '20 minutes of silence is not "stopped" (delivery-delayed covers it)', evidence: all(s3Newest('2026-11-24T03:40:00Z'), lastDelivery('2026-11-24T03:40:00Z')) },
    { name: 'a trail that is not logging is left to logging-stopped', evidence: all(s3Newest('2026-11-24T00:00:00Z'), (e) => (e.steps.s2.status.value!.isLogging = false)) },
    { name: 'silence counts from a recent restart', evidence: all(s3Newest('2026-11-23T00:00:00Z'), (e) => (e.steps.s2.status.value!.startLoggingTime = '2026-11-24T03:50:00Z')) },
  ],
  invalid: [
    {
      name: 'logging, newest file 2 h old, LatestDeliveryTime and CloudWatch Logs silent too: likely',
      evidence: all(s3Newest('2026-11-24T02:00:00Z'), lastDelivery('2026-11-24T02:00:00Z'), cwlNewest('2026-11-24T02:00:00Z')),
      findings: [{ confidence: 'likely', since: '2026-11-24T02:00:00Z', evidence: [/CloudTrail confirms no recent delivery/, /log group's newest event is 2 h old too/], match: { data: { destination: 's3', silenceMinutes: 120 } } }],
    },
    {
      name: 'uses the key-name delivery time, not LastModified (copied/restored objects)',
      evidence: all(s3Newest('2026-11-24T01:00:00Z', '2026-11-24T03:59:00Z'), lastDelivery('2026-11-24T01:00:00Z')),
      findings: [{ confidence: 'likely', since: '2026-11-24T01:00:00Z' }],
    },
    {
      name: 'a recent LatestDeliveryTime (another region delivers) makes a quiet region only possible',
      evidence: all(s3Newest('2026-11-24T02:00:00Z'), cwlNewest('2026-11-24T02:00:00Z')),
      findings: [{ confidence: 'possible' }],
    },
    {
      name: 'events still reaching CloudWatch Logs prove activity: S3-only stop is likely',
      evidence: s3Newest('2026-11-24T02:00:00Z'),
      findings: [{ confidence: 'likely', evidence: [/only S3 delivery stopped/] }],
    },
    {
      name: 'no log file in the whole window',
      evidence: all((e) => {
        const l = e.steps.s6.listing.value!;
        delete l.newest;
        l.fileCount = 0;
      }, lastDelivery('2026-11-10T00:00:00Z')),
      findings: [{ confidence: 'likely', since: '2026-11-17T04:00:00Z' }],
      assert: ({ findings: [f] }) => expect(f!.evidence[0]).toContain('no log file in eu-west-1 in the whole window'),
    },
    {
      name: 'CloudWatch Logs silent while S3 still delivers: a cloudwatch-logs delivery stop',
      evidence: cwlNewest('2026-11-24T01:00:00Z'),
      findings: [{ confidence: 'likely', since: '2026-11-24T01:00:00Z', match: { data: { destination: 'cloudwatch-logs' } } }],
    },
  ],
  unverified: [{ name: 'ListObjectsV2 denied is unverified', evidence: (e) => (e.steps.s6.listing = denied('s3:ListBucket', 'Access Denied')), unverified: [{ step: 6, needs: 's3:ListBucket' }] }],
});
