import { describe, expect, it } from 'vitest';
import { SCENARIOS, scenarioById } from './scenarios.js';
import { diagnose } from '../diagnosis/index.js';
import { evidenceSchema } from '../evidence/schema.js';
import { exitCodeFor } from '../report/model.js';
import { CHECKS } from '../checks/index.js';

/** Every registered cause that does not declare why it has no demo (noDemo), plus healthy. */
const REQUIRED = [...CHECKS.filter((c) => !c.noDemo).map((c) => c.id), 'healthy'];

describe('demo scenarios: catalogue', () => {
  it('one scenario per required root cause, named after it, ids unique', () => {
    const ids = SCENARIOS.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...REQUIRED].sort());
    for (const s of SCENARIOS) expect(s.expect.rootCause).toBe(s.id);
    expect(scenarioById('s3-bucket-policy-denies')?.id).toBe('s3-bucket-policy-denies');
    expect(scenarioById('nope')).toBeUndefined();
  });

  for (const s of SCENARIOS) {
    it(`${s.id}: evidence is valid, deterministic, on the fixed clock, and a fresh copy each call`, () => {
      const a = s.evidence();
      expect(evidenceSchema.safeParse(a).success).toBe(true);
      expect(a.collectedAt).toBe('2026-11-24T04:00:00Z');
      const b = s.evidence();
      expect(b).toEqual(a);
      expect(b).not.toBe(a);
      // step 9's merged list is de-duplicated and oldest first
      const times = a.steps.s9.changes.map((c) => Date.parse(c.eventTime));
      expect([...times].sort((x, y) => x - y)).toEqual(times);
      expect(new Set(a.steps.s9.changes.map((c) => c.eventId)).size).toBe(a.steps.s9.changes.length);
      // S3 listing aggregates agree with each other
      const l = a.steps.s6.listing.value;
      if (l) {
        expect(l.fileCount).toBe(l.hourly.reduce((n, h) => n + h.count, 0));
        expect(l.newest?.deliveryTime).toBe(l.recent[0]?.deliveryTime);
      }
      const c = a.steps.s3.eventCounts.value;
      if (c) expect(c.total).toBe(c.hourly.reduce((n, h) => n + h.count, 0));
      // GetTrailStatus agrees with what arrived
      const st = a.steps.s2.status.value;
      if (st && l?.newest) expect(st.latestDeliveryTime).toBe(l.newest.deliveryTime);
      if (st?.latestCloudWatchLogsDeliveryTime && a.steps.s3.newestEventTime) expect(Date.parse(st.latestCloudWatchLogsDeliveryTime)).toBeGreaterThanOrEqual(Date.parse(a.steps.s3.newestEventTime));
      // every change lies in the window, and a change after CloudWatch Logs went silent is not in the log group
      for (const ch of a.steps.s9.changes) {
        expect(ch.eventTime >= a.window.start && ch.eventTime <= a.window.end).toBe(true);
        if (ch.sources.includes('log-group')) expect(Date.parse(ch.eventTime)).toBeLessThanOrEqual(Date.parse(a.steps.s3.newestEventTime ?? a.window.end));
      }
    });
  }
});

describe('demo scenarios through the real checks', () => {
  for (const s of SCENARIOS) {
    it(`${s.id}: verdict ${s.expect.verdict}, root cause ${s.expect.rootCause}${s.expect.trigger ? `, trigger ${s.expect.trigger}` : ''}, exit ${s.expect.exitCode}`, () => {
      const r = diagnose(s.evidence());
      const ids = r.rootCauses.map((c) => `${c.id}(${c.confidence})`).join(', ');
      expect(r.verdict, `root causes: ${ids}; unverified: ${JSON.stringify(r.unverified)}`).toBe(s.expect.verdict);
      expect(exitCodeFor(r.verdict)).toBe(s.expect.exitCode);
      const strong = r.rootCauses.filter((c) => c.confidence === 'confirmed' || c.confidence === 'likely');
      let cause;
      if (s.expect.verdict === 'healthy') {
        expect(r.rootCauses[0]!.id).toBe('healthy');
        cause = r.rootCauses.find((c) => c.id === s.expect.rootCause);
        expect(cause, `root causes: ${ids}`).toBeDefined();
        if (s.id !== 'healthy') expect(cause!.confidence).toBe('possible');
      } else {
        cause = strong[0];
        expect(cause?.id, `root causes: ${ids}`).toBe(s.expect.rootCause);
      }
      expect(cause?.trigger?.eventName, `trigger of ${cause?.id}`).toBe(s.expect.trigger);
      // a timeline marker for the trigger
      if (s.expect.trigger) expect(r.timeline!.changes.some((c) => c.isTrigger && c.eventName === s.expect.trigger)).toBe(true);
      // nothing was left unverified in these fully readable accounts
      expect(r.unverified).toEqual([]);
      // the unrelated background changes are never blamed
      for (const rc of r.rootCauses) expect(['PutBucketTagging'].includes(rc.trigger?.eventName ?? '')).toBe(false);
      for (const rc of r.rootCauses) if (rc.trigger?.eventName === 'PutBucketPolicy') expect(JSON.stringify(rc.trigger.requestParameters)).toContain('acme-trail-logs');
    });
  }
});
