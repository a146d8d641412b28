import { describe, expect, it } from 'vitest';
import { measurePhase, sequentialChain } from './spend.js';
import type { AwsClients } from '../aws/clients.js';

const call = (startedAt: number, durationMs: number) => ({ startedAt, durationMs });

describe('sequentialChain', () => {
  it('counts calls sent one after another, not calls sent side by side', () => {
    expect(sequentialChain([])).toBe(0);
    // GetTrail, then three bucket calls at once, then a listing after the slowest of them
    expect(sequentialChain([call(0, 250), call(250, 250), call(251, 300), call(252, 260), call(560, 250)])).toBe(3);
    // ten concurrent calls are one round trip
    expect(sequentialChain(Array.from({ length: 10 }, (_, i) => call(i, 250)))).toBe(1);
    // a paced series (2 a second) is as deep as it is long
    expect(sequentialChain(Array.from({ length: 6 }, (_, i) => call(i * 500, 250)))).toBe(6);
  });

  it('is the longest chain, whatever the order of the log', () => {
    const calls = [call(1000, 10), call(0, 10), call(20, 10), call(5, 2000), call(40, 10)];
    // 0 → 20 → 40 → 1000
    expect(sequentialChain(calls)).toBe(4);
  });
});

describe('measurePhase', () => {
  it("records the phase's own calls and chain, and falls back to the planned chain without a call log", () => {
    const calls: { startedAt: number; durationMs: number }[] = [call(0, 5)];
    const clients = { calls, callCount: 1 } as unknown as AwsClients & { callCount: number };
    const m = measurePhase(clients);
    calls.push(call(10, 5), call(20, 5));
    (clients as { callCount: number }).callCount = 3;
    expect(m.end(1234)).toMatchObject({ calls: 2, bytesRead: 1234, longestChain: 2 });
    const fake = { calls: [], callCount: 0 } as unknown as AwsClients;
    expect(measurePhase(fake).end(undefined, 3)).toMatchObject({ calls: 0, longestChain: 3 });
    expect(measurePhase(fake).end()).not.toHaveProperty('bytesRead');
  });
});
