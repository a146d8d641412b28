import type { Scenario } from '../scenarios.js';
import { ok } from '../../evidence/probe.js';
import { addBackgroundChanges, at, base, keepS3From } from './helpers.js';

const EXPIRE_DAYS = 3;

/** A lifecycle rule expires AWSLogs/ after 3 days: a 7-day search in S3 finds only the last 3. */
export const scenario: Scenario = {
  id: 'logs-expired-by-lifecycle',
  title: 'An S3 lifecycle rule deletes the log files',
  description:
    'Bucket acme-trail-logs has a lifecycle rule "expire-old-logs" (prefix AWSLogs/) that deletes objects after 3 days. Log files older than 2026-11-21 04:00 UTC are gone; the remaining ones arrive on schedule. CloudWatch Logs (365-day retention) still has the older events.',
  evidence: () => {
    const e = base();
    addBackgroundChanges(e);
    e.steps.s4.lifecycle = ok([{ id: 'expire-old-logs', status: 'Enabled', prefix: 'AWSLogs/', expirationDays: EXPIRE_DAYS }]);
    keepS3From(e, at(e.collectedAt) - EXPIRE_DAYS * 86_400_000);
    return e;
  },
  expect: { verdict: 'problem', rootCause: 'logs-expired-by-lifecycle', exitCode: 1 },
};
