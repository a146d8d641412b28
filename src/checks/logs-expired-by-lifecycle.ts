import type { LifecycleRule } from '../evidence/schema.js';
import type { CauseDefinition, Finding } from './types.js';
import { bucketOf, DAY, isoOf, keyPath, ms, result, safe, shellArg, trailOf, unverifiedOf, valueOf } from './util.js';

/** Storage classes whose objects cannot be read without a restore. */
const ARCHIVE_CLASSES = new Set(['GLACIER', 'DEEP_ARCHIVE']);

/**
 * Runbook step 4 (fallback): an enabled S3 lifecycle rule whose prefix covers the trail's key path
 * expires the log files or moves them to an archive class (unreadable until restored).
 */
export const check: CauseDefinition = {
  id: 'logs-expired-by-lifecycle',
  title: 'S3 lifecycle rule expires or archives log files',
  step: 4,
  severity: 'medium',
  precedence: { tier: 'fallback', rank: 20 },
  triggerEvents: ['PutBucketLifecycle', 'PutBucketLifecycleConfiguration'],
  state: true,
  reads: ['s1.trail', 's4.bucket', 's4.head', 's4.lifecycle'],
  meaning: 'an S3 lifecycle rule expires or archives the log objects',
  fix: 'Remove or lengthen the lifecycle rule that expires or archives AWSLogs/ objects; restore archived objects before reading them.',
  run({ evidence: e, now }) {
    const trail = trailOf(e);
    const bucket = bucketOf(e);
    if (!trail || !bucket) return result();
    const probe = e.steps.s4.lifecycle;
    const rules = valueOf(probe);
    if (!rules) {
      if (e.steps.s4.head.status === 'absent') return result();
      return result([], [unverifiedOf(probe, 4, `lifecycle rules of bucket ${safe(bucket)}`, 's3:GetLifecycleConfiguration')]);
    }
    const path = keyPath(e);
    const base = path.slice(0, path.indexOf('AWSLogs/') + 'AWSLogs/'.length);
    const windowStart = ms(e.window.start) ?? now.getTime();
    const nowMs = now.getTime();

    const findings: Finding[] = [];
    for (const rule of rules) {
      if (rule.status.toLowerCase() !== 'enabled') continue;
      const tagOrSizeOnly = rule.prefix === undefined;
      // CloudTrail never tags its objects: a tag-only filter cannot match them
      if (tagOrSizeOnly && /tag/i.test(rule.filterDescription ?? '') && !/size/i.test(rule.filterDescription ?? '')) continue;
      const covers = tagOrSizeOnly || base.startsWith(rule.prefix!) || rule.prefix!.startsWith(base);
      if (!covers) continue;
      const effects = effectsOf(rule, nowMs);
      // only what removes or hides files inside the window matters
      const hits = effects.filter((x) => x.cutoff > windowStart);
      if (!hits.length) continue;
      const worst = hits.sort((a, b) => b.cutoff - a.cutoff)[0]!;
      const ruleName = rule.id ? `"${safe(rule.id, 200)}"` : '(unnamed)';
      const b = shellArg(bucket);
      const cutoffIso = isoOf(Math.min(worst.cutoff, nowMs));
      findings.push({
        id: 'logs-expired-by-lifecycle',
        confidence: tagOrSizeOnly ? 'possible' : 'likely',
        summary: `Lifecycle rule ${ruleName} of bucket ${safe(bucket)} ${worst.kind === 'expire' ? 'deletes' : `moves to ${worst.storageClass}`} log files of trail ${safe(trail.name)} older than ${worst.text}: files before ${cutoffIso} are ${worst.kind === 'expire' ? 'gone' : 'unreadable until restored'}.`,
        evidence: [
          `step 4: lifecycle rule ${ruleName} is Enabled with ${tagOrSizeOnly ? `filter ${safe(rule.filterDescription ?? 'by tag or size', 200)} (may match log files)` : `prefix "${safe(rule.prefix, 200)}", which covers ${safe(path, 300)}`}`,
          ...hits.map((h) => `step 4: ${h.kind === 'expire' ? 'expiration' : `transition to ${h.storageClass}`} after ${h.text}: cut-off ${isoOf(Math.min(h.cutoff, nowMs))}`),
        ],
        remediation: {
          summary:
            worst.kind === 'expire'
              ? `Expired log files cannot be recovered (management events of the last 90 days are in event history). Change or remove rule ${ruleName} so it keeps log files as long as you need them.`
              : `Restore archived log files before reading them, and change rule ${ruleName} if they should stay readable.`,
          commands: [
            `aws s3api get-bucket-lifecycle-configuration --bucket ${b}`,
            `aws s3api put-bucket-lifecycle-configuration --bucket ${b} --lifecycle-configuration file://lifecycle-without-rule.json`,
            ...(worst.kind === 'archive'
              ? [`aws s3api restore-object --bucket ${b} --key ${shellArg(`${path}CloudTrail/<region>/<yyyy>/<mm>/<dd>/<file>.json.gz`)} --restore-request 'Days=7,GlacierJobParameters={Tier=Standard}'`]
              : []),
          ],
        },
        resources: [bucket],
        since: cutoffIso,
        data: { bucket, rule: rule.id ?? null, prefix: rule.prefix ?? null, keyPath: path, effects: hits.map((h) => ({ kind: h.kind, storageClass: h.storageClass ?? null, after: h.text, cutoff: isoOf(Math.min(h.cutoff, nowMs)) })) },
      });
    }
    return result(findings);
  },
};

interface Effect {
  kind: 'expire' | 'archive';
  storageClass?: string;
  /** Files delivered before this time are affected. */
  cutoff: number;
  text: string;
}

function effectsOf(rule: LifecycleRule, now: number): Effect[] {
  const out: Effect[] = [];
  if (rule.expirationDays !== undefined) out.push({ kind: 'expire', cutoff: now - rule.expirationDays * DAY, text: `${rule.expirationDays} days` });
  const expDate = ms(rule.expirationDate);
  // a date rule expires every matching object once the date has passed
  if (expDate !== undefined && expDate <= now) out.push({ kind: 'expire', cutoff: now, text: `the date ${isoOf(expDate)} (every matching object)` });
  for (const tr of rule.transitions ?? []) {
    const cls = (tr.storageClass ?? '').toUpperCase();
    if (!ARCHIVE_CLASSES.has(cls)) continue;
    if (tr.days !== undefined) out.push({ kind: 'archive', storageClass: cls, cutoff: now - tr.days * DAY, text: `${tr.days} days` });
    const d = ms(tr.date);
    if (d !== undefined && d <= now) out.push({ kind: 'archive', storageClass: cls, cutoff: now, text: `the date ${isoOf(d)} (every matching object)` });
  }
  return out;
}
