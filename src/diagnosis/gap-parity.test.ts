import { describe, expect, it } from 'vitest';
import { SCENARIOS } from '../demo/scenarios.js';
import { diagnose } from './index.js';

/** Step 6 and the timeline read their gaps from one place: they never disagree about S3. */
describe('one source of truth for a gap', () => {
  it.each(SCENARIOS.map((s) => [s.id, s] as const))('%s: step 6 says "no gap" exactly when the timeline draws no S3 gap', (_id, s) => {
    const r = diagnose(s.evidence());
    const step6 = r.steps.find((x) => x.step === 6)!;
    const s3Gaps = (r.timeline?.gaps ?? []).filter((g) => g.destination === 's3');
    if (/no gap/.test(step6.summary)) expect(s3Gaps).toEqual([]);
    if (s3Gaps.length) expect(step6.summary).toMatch(s3Gaps.length === 1 ? /\b1 gap of / : new RegExp(`\\b${s3Gaps.length} gaps, longest `));
  });
});
