import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { offlineContext } from '../support/cli-context.js';
import { SCENARIOS } from '../../src/demo/scenarios.js';
import { toolPolicy } from '../../src/cli/tool-policy.js';

/** Commands in-process, with captured output and no AWS at all. */
const ctx = () => offlineContext();

describe('demo, policy', () => {
  it('demo without a name shows the flagship report and a line per scenario, exit 0 when all are as expected', async () => {
    const c = ctx();
    expect(await run(['demo'], c)).toBe(0);
    expect(c.out()).toContain('Full report of scenario "s3-bucket-policy-denies"');
    for (const s of SCENARIOS) expect(c.out()).toMatch(new RegExp(`^${s.id}\\s`, 'm'));
    expect(c.out()).not.toContain('unexpected');
  });

  it('demo --list lists every scenario', async () => {
    const c = ctx();
    expect(await run(['demo', '--list'], c)).toBe(0);
    expect(c.out().trim().split('\n')).toHaveLength(SCENARIOS.length);
  });

  it('demo <scenario> --format json exits with the scenario verdict code and carries its cause and trigger', async () => {
    const c = ctx();
    expect(await run(['demo', 's3-bucket-policy-denies', '--format', 'json'], c)).toBe(1);
    const r = JSON.parse(c.out()) as { verdict: string; rootCauses: { id: string; trigger?: { eventName: string } }[] };
    expect(r.verdict).toBe('problem');
    expect(r.rootCauses[0]?.id).toBe('s3-bucket-policy-denies');
    expect(r.rootCauses[0]?.trigger?.eventName).toBe('PutBucketPolicy');
  });

  it('demo healthy exits 0', async () => {
    const c = ctx();
    expect(await run(['demo', 'healthy', '--format', 'markdown'], c)).toBe(0);
    expect(c.out()).toMatch(/healthy/i);
  });

  it('policy prints the read-only least-privilege policy, including validate and gaps needs', async () => {
    const c = ctx();
    expect(await run(['policy'], c)).toBe(0);
    const p = JSON.parse(c.out()) as { Statement: { Action: string[]; Effect: string }[] };
    expect(p).toEqual(toolPolicy());
    const actions = p.Statement.flatMap((s) => s.Action);
    for (const a of ['cloudtrail:GetTrailStatus', 'cloudtrail:LookupEvents', 'cloudtrail:ListPublicKeys', 's3:GetBucketPolicy', 's3:GetObject']) expect(actions).toContain(a);
    expect(actions.every((a) => /:(Get|List|Describe|Lookup|Filter|StartQuery|Head)/.test(a))).toBe(true);
  });

  it('diagnose --evidence refuses --trail (a replay is of the recorded run)', async () => {
    const c = ctx();
    expect(await run(['diagnose', '--evidence', 'x.json', '--trail', 'main'], c)).toBe(2);
    expect(c.err()).toContain('--evidence replays a recorded run');
  });
});
