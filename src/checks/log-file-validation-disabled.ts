import type { CauseDefinition } from './types.js';
import { homeRegion, result, safe, trailOf, trailRef } from './util.js';

/** Runbook step 2: log file integrity validation is off, so tampering cannot be detected. */
export const check: CauseDefinition = {
  id: 'log-file-validation-disabled',
  title: 'Log file integrity validation is disabled',
  step: 2,
  severity: 'low',
  precedence: { tier: 'fallback', rank: 90 },
  triggerEvents: ['UpdateTrail', 'CreateTrail'],
  state: true,
  reads: ['s1.trail'],
  meaning: 'integrity validation is off, so tampering cannot be detected',
  fix: 'Turn log file validation on (update-trail --enable-log-file-validation).',
  run({ evidence: e }) {
    const trail = trailOf(e);
    if (!trail || trail.logFileValidationEnabled) return result();
    return result([
      {
        id: 'log-file-validation-disabled',
        confidence: 'possible',
        summary: `Trail ${safe(trail.name)} has log file validation disabled: deleted or modified log files cannot be detected.`,
        evidence: ['step 2: GetTrail LogFileValidationEnabled = false'],
        remediation: {
          summary: 'Enable log file validation; CloudTrail delivers the first digest file about an hour later.',
          commands: [`aws cloudtrail update-trail --name ${trailRef(e)} --region ${homeRegion(e)} --enable-log-file-validation`],
        },
        resources: [trail.name, trail.arn],
        data: { logFileValidationEnabled: false },
      },
    ]);
  },
};
