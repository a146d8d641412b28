import { describe, expect, it } from 'vitest';
import { checkRegion, isKnownRegion, knownRegions, suggestRegions } from './regions.js';

describe('regions from the SDK partition metadata', () => {
  it('knows the regions of every partition', () => {
    const k = knownRegions();
    for (const r of ['us-east-1', 'eu-west-1', 'cn-north-1', 'us-gov-west-1', 'ap-southeast-5', 'eusc-de-east-1']) expect(k).toContain(r);
    expect(isKnownRegion('eu-wset-1')).toBe(false);
  });

  it('a typo gets a "did you mean"', () => {
    expect(suggestRegions('eu-wset-1')).toEqual(['eu-west-1']);
    expect(checkRegion('eu-wset-1')).toEqual({ ok: false, message: '"eu-wset-1" is not an AWS region (did you mean eu-west-1?)' });
    expect(checkRegion('euwest1')).toMatchObject({ ok: false, message: expect.stringMatching(/did you mean eu-west-1/) });
    expect(checkRegion('mars-1')).toMatchObject({ ok: false });
  });

  it('a well-formed region far from every known one passes (newer than this SDK)', () => {
    expect(checkRegion('eu-farnorth-7')).toEqual({ ok: true, known: false });
    expect(checkRegion('eu-west-1')).toEqual({ ok: true, known: true });
  });
});
