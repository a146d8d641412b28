import { describe, expect, it } from 'vitest';
import { healthyEvidence } from '../evidence/builder.js';
import { diagnose } from './index.js';
import { needsGapFallback } from './run.js';

describe('the gap fallback decision', () => {
  const healthy = diagnose(healthyEvidence());
  const broken = (() => {
    const e = healthyEvidence();
    e.steps.s2.status = { status: 'ok', value: { ...e.steps.s2.status.value!, isLogging: false } };
    return diagnose(e);
  })();

  it('auto: only when the first pass finds no cause', () => {
    expect(broken.verdict).toBe('problem');
    expect(needsGapFallback('auto', broken)).toBe(false);
    expect(healthy.verdict).not.toBe('problem');
    expect(needsGapFallback('auto', healthy)).toBe(true);
  });

  it('always and never override the first pass', () => {
    expect(needsGapFallback('always', broken)).toBe(true);
    expect(needsGapFallback('never', healthy)).toBe(false);
  });
});
