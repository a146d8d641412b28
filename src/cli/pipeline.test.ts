import { describe, expect, it, vi } from 'vitest';
import { healthyEvidence } from '../evidence/builder.js';
import type { AwsClients } from '../aws/clients.js';

// The pipeline's own decisions, with the collectors and engines replaced: when each extra pass runs,
// and that a failing pass becomes evidence instead of vanishing.
const calls: string[] = [];
vi.mock('../collect/index.js', () => ({ collect: vi.fn(async () => healthyEvidence()) }));
vi.mock('../integrity/index.js', () => ({
  collectIntegrity: vi.fn(async () => {
    calls.push('integrity');
    throw new Error('socket hang up');
  }),
}));
vi.mock('../gaps/index.js', async (orig) => ({
  ...(await orig<typeof import('../gaps/index.js')>()),
  collectGaps: vi.fn(async () => {
    calls.push('gaps');
    throw new Error('\u001b[31mboom');
  }),
}));

const { gather } = await import('./pipeline.js');
const clients = { calls: [], callCount: 0 } as unknown as AwsClients;
const req = { trail: 'main', region: 'eu-west-1', window: { start: new Date('2026-11-17T04:00:00Z'), end: new Date('2026-11-24T04:00:00Z') } };

describe('gather', () => {
  it('a failing digest validation is unverified evidence naming the permissions, never a silent healthy', async () => {
    calls.length = 0;
    const phases: (string | undefined)[] = [];
    const { evidence, report } = await gather(clients, req, { integrity: true, gaps: 'auto', onPhase: (p) => phases.push(p) });
    expect(calls).toEqual(['integrity', 'gaps']);
    expect((evidence.integrity as { status: string }).status).toBe('unverified');
    expect(report.verdict).not.toBe('healthy');
    expect(JSON.stringify(report.unverified)).toContain('socket hang up');
    // the gap fallback failed too: recorded as could-not-check, escape sequences gone
    const gaps = evidence.gaps as { status: string; reason: string };
    expect(gaps.status).toBe('could-not-check');
    expect(gaps.reason).toContain('boom');
    expect(gaps.reason).not.toContain('\u001b');
    // the nine steps' own verdict is on the display before validation is waited for and before the gap fallback works
    expect(phases[0]).toMatch(/^First pass: no cause found · Validating log file integrity/);
    expect(phases[1]).toMatch(/^First pass: no cause found · Measuring the audit gap/);
    expect(phases.at(-1)).toBeUndefined();
  });

  it('runs neither extra pass when asked not to', async () => {
    calls.length = 0;
    const { report } = await gather(clients, req, { integrity: false, gaps: 'never' });
    expect(calls).toEqual([]);
    expect(report.verdict).toBe('healthy');
  });
});
