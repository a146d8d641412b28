import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { offlineContext } from '../support/cli-context.js';
import { SCENARIOS } from '../../src/demo/scenarios.js';

const ctx = (columns?: number) => offlineContext(columns ? { columns } : {});

describe('demo scenario table', () => {
  it.each([[undefined], [80], [60], [120]])('fits %s columns (80 when not a terminal), every scenario and trigger still there', async (columns) => {
    const c = ctx(columns);
    expect(await run(['demo'], c)).toBe(0);
    const table = c.out().slice(c.out().indexOf('── Every scenario ──'));
    const lines = table.split('\n');
    const width = columns ?? 80;
    expect(lines.filter((l) => l.length > width)).toEqual([]);
    for (const s of SCENARIOS) expect(table).toMatch(new RegExp(`^${s.id}\\s+(healthy|problem|inconclusive)\\b`, 'm'));
    expect(table).toMatch(/DeleteTrail by user\/bob/);
    expect(table).toMatch(/2026-11-23T10:03Z/);
  });
});
