import { expect } from 'vitest';
import { check } from './access-logs-feed-themselves.js';
import { BUCKET } from '../evidence/builder.js';
import type { Evidence } from '../evidence/schema.js';
import type { AccessLoggingConfig } from '../evidence/access-logs.js';
import { testCheck } from '../../test/support/check-tester.js';

const logging = (config: AccessLoggingConfig) => (e: Evidence) => {
  e.steps.s4.accessLogs = { status: 'ok', value: { config }, optional: true };
};

testCheck(check, {
  valid: [
    { name: 'access logging off is advice elsewhere, not this cause', evidence: logging({ enabled: false, selfTargeting: false }) },
    { name: 'access logs delivered to another bucket', evidence: logging({ enabled: true, targetBucket: 'acme-access-logs', targetPrefix: `${BUCKET}/`, selfTargeting: false }) },
    { name: 'the access-log read was refused: nothing to judge', evidence: (e) => (e.steps.s4.accessLogs = { status: 'denied', needs: 's3:GetBucketLogging', reason: 'AccessDenied', optional: true }) },
  ],
  invalid: [
    {
      name: 'access logs into the bucket itself, inside the trail prefix: possible, never a problem verdict, with the fix',
      evidence: logging({ enabled: true, targetBucket: BUCKET, targetPrefix: 'AWSLogs/', selfTargeting: true, insideTrailPrefix: true }),
      findings: [{ confidence: 'possible', summary: /written into .* itself, inside the trail's own key prefix/, evidence: [/TargetBucket = .*TargetPrefix = AWSLogs\//] }],
      assert: ({ findings: [f] }) => {
        expect(f!.remediation.commands[0]).toContain('put-bucket-logging');
        expect(f!.data).toMatchObject({ insideTrailPrefix: true });
      },
    },
  ],
});
