import type { Evidence } from '../evidence/schema.js';
import { PROBE_STATUSES, type Probe } from '../evidence/probe.js';
import type { StepNumber, Unverified } from '../model/index.js';
import { inertLine } from '../util/text.js';

/** Readable names of the evidence probes, as `unverified[].what` shows them. */
export const PROBE_NAMES: Record<string, string> = {
  's1.caller': 'caller identity',
  's1.trail': 'trail configuration',
  's1.trailsInRegion': 'trails in the region',
  's1.health': 'AWS Health events for CloudTrail',
  's2.status': 'trail status',
  's2.selectors': 'event selectors',
  's3.streams': 'log streams of the log group',
  's3.eventCounts': 'event counts in the log group',
  's3.deliveryFailures': 'delivery failure events in the log group',
  's4.head': 'bucket existence',
  's4.location': 'bucket region',
  's4.policy': 'bucket policy',
  's4.encryption': 'bucket default encryption',
  's4.kmsKey': 'KMS key',
  's4.kmsKeyPolicy': 'KMS key policy',
  's4.ownership': 'bucket ownership controls',
  's4.objectLock': 'bucket object lock',
  's4.lifecycle': 'bucket lifecycle rules',
  's4.requestPayment': 'bucket request payment',
  's5.role': 'CloudWatch Logs role and trust policy',
  's5.inlinePolicies': 'role inline policies',
  's5.attachedPolicies': 'role attached policies',
  's6.listing': 'log files in S3',
  's6.organizationId': 'organization id',
  's7.logGroup': 'log group configuration',
  's8.metrics': 'CloudWatch metrics',
  's9.fromLogGroup': 'configuration changes in the log group',
  's9.fromEventHistory': 'configuration changes in event history',
  's9.fromEventHistoryGlobal': 'global-service configuration changes in event history (us-east-1)',
};

export interface ProbeEntry {
  step: StepNumber;
  /** e.g. `s4.policy` */
  path: string;
  probe: Probe<unknown>;
}

export function isProbe(v: unknown): v is Probe<unknown> {
  return !!v && typeof v === 'object' && typeof (v as { status?: unknown }).status === 'string' && (PROBE_STATUSES as readonly string[]).includes((v as { status: string }).status);
}

/** Every probe of steps s1..s9, in step order. */
export function walkProbes(evidence: Evidence): ProbeEntry[] {
  const out: ProbeEntry[] = [];
  for (let n = 1; n <= 9; n++) {
    const step = (evidence.steps as Record<string, unknown>)[`s${n}`];
    if (!step || typeof step !== 'object') continue;
    for (const [k, v] of Object.entries(step as Record<string, unknown>)) {
      if (isProbe(v)) out.push({ step: n as StepNumber, path: `s${n}.${k}`, probe: v });
    }
  }
  return out;
}

/**
 * A denied/error probe that must not make the verdict inconclusive: marked optional by its collector,
 * or event history when the trail's log group already answered step 9.
 */
export function isOptionalProbe(evidence: Evidence, e: ProbeEntry): boolean {
  if (e.probe.optional) return true;
  if ((e.path === 's9.fromEventHistory' || e.path === 's9.fromEventHistoryGlobal') && evidence.steps.s9.fromLogGroup.status === 'ok') return true;
  return false;
}

/** What could not be observed: denied/error probes; optional sources are marked so, never dropped. */
export function unverifiedFromProbes(evidence: Evidence): Unverified[] {
  const out: Unverified[] = [];
  for (const e of walkProbes(evidence)) {
    const sub = e.probe.substitute;
    if (e.probe.status === 'ok' && sub) {
      out.push({
        step: e.step,
        what: `${PROBE_NAMES[e.path] ?? e.path} (answered by ${inertLine(sub.answeredBy, 120)} instead)`,
        needs: inertLine(sub.failed, 120),
        reason: inertLine(sub.reason, 500),
        optional: true,
      });
      continue;
    }
    if (e.probe.status !== 'denied' && e.probe.status !== 'error') continue;
    const u: Unverified = {
      step: e.step,
      what: PROBE_NAMES[e.path] ?? e.path,
      needs: inertLine(e.probe.needs ?? (e.probe.status === 'denied' ? 'a permission not named by the service' : 'a successful call (the service answered with an error)'), 300),
    };
    const reason = [e.probe.errorCode, e.probe.reason].filter(Boolean).join(': ');
    if (reason) u.reason = inertLine(reason, 500);
    if (e.probe.call && e.probe.call !== u.needs) u.call = inertLine(e.probe.call, 120);
    if (isOptionalProbe(evidence, e)) u.optional = true;
    out.push(u);
  }
  return out;
}

/**
 * Checks' entries first, then the probes'; an entry is dropped when one with the same step and
 * `what`, or the same step and `needs` from a check, is already listed.
 */
export function mergeUnverified(fromChecks: readonly Unverified[], fromProbes: readonly Unverified[]): Unverified[] {
  const out: Unverified[] = [];
  // step + what, and step + needs, of the entries kept: a probe entry naming either is a duplicate
  const byWhat = new Map<string, Unverified>();
  const byNeeds = new Map<string, Unverified>();
  const key = (u: Unverified, s: string) => `${u.step}\u0000${s.trim().toLowerCase()}`;
  for (const u of fromChecks) {
    const k = key(u, u.what) + '\u0000' + u.needs.trim().toLowerCase();
    if (byWhat.has(k)) continue;
    const kept = { ...u };
    byWhat.set(k, kept);
    byWhat.set(key(u, u.what), kept);
    if (u.needs) byNeeds.set(key(u, u.needs), kept);
    out.push(kept);
  }
  for (const u of fromProbes) {
    const same = byWhat.get(key(u, u.what)) ?? byNeeds.get(key(u, u.needs));
    if (same) {
      // The check said it in its own words; the probe still knows which call failed.
      if (u.call && !same.call && same.needs !== u.call) same.call = u.call;
      continue;
    }
    byWhat.set(key(u, u.what), u);
    out.push(u);
  }
  return out.sort((a, b) => a.step - b.step);
}
