import type { CauseDefinition } from './types.js';
import { result, safe, targetRegion, trailOf } from './util.js';

/**
 * Runbook steps 3 and 6: events larger than 256 KB reach S3 but are never sent to CloudWatch Logs.
 * Proven by the gaps engine (evidence.gaps): each such event is in event history and in the S3 log
 * files, absent from the log group, and its delivered record is over the limit. Not a delivery
 * fault: the events exist in S3.
 */
export const check: CauseDefinition = {
  id: 'cloudwatch-event-size-limit',
  title: 'Events over 256 KB never reach CloudWatch Logs',
  step: 3,
  severity: 'low',
  precedence: { tier: 'delivery', rank: 30 },
  triggerEvents: [],
  reads: ['s1.trail', 'gaps'],
  meaning: 'events over 256 KB reach S3 but never CloudWatch Logs',
  fix: 'Read events over 256 KB from the S3 log files; CloudWatch Logs cannot hold them.',
  noDemo: 'proving it needs the gap measurement of a real oversized event (evidence.gaps); the check table covers it.',
  run({ evidence: e }) {
    const big = e.gaps?.tooLargeForCloudWatch ?? [];
    if (!big.length) return result();
    const trail = trailOf(e);
    const bucket = trail?.s3BucketName;
    const examples = big.slice(0, 5);
    const largest = Math.max(...big.map((b) => b.sizeBytes));
    return result([
      {
        id: 'cloudwatch-event-size-limit',
        confidence: 'confirmed',
        summary: `${big.length} event${big.length === 1 ? '' : 's'} larger than 256 KB (largest ${Math.round(largest / 1024)} KB) ${big.length === 1 ? 'is' : 'are'} in the S3 log files of trail ${safe(trail?.name ?? e.target.trail)} but never reached its CloudWatch Logs log group: CloudWatch Logs does not accept events over 256 KB. Not a delivery fault.`,
        evidence: [
          ...examples.map((b) => `step 3/6: ${safe(b.eventName, 100)} at ${safe(b.eventTime, 40)} (${Math.round(b.sizeBytes / 1024)} KB, eventID ${safe(b.eventId, 100)}) is in S3 and in event history, absent from the log group`),
          ...(big.length > examples.length ? [`… and ${big.length - examples.length} more`] : []),
        ],
        remediation: {
          summary: `Read these events from the S3 log files (or event history) instead of CloudWatch Logs; alerting that needs them can use an EventBridge rule on the CloudTrail events or query the S3 logs with Athena.`,
          commands: bucket
            ? [`aws cloudtrail lookup-events --region ${targetRegion(e)} --lookup-attributes AttributeKey=EventId,AttributeValue=${safe(examples[0]!.eventId, 100)}`]
            : [],
        },
        data: { events: big, notAFault: true },
      },
    ]);
  },
};
