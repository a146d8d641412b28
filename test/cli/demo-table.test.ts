import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { run } from '../../src/cli/main.js';
import type { CliContext } from '../../src/cli/context.js';
import { SCENARIOS } from '../../src/demo/scenarios.js';

function ctx(columns?: number): CliContext & { out: () => string } {
  const stdout = Object.assign(new PassThrough(), columns ? { columns } : {});
  let o = '';
  stdout.on('data', (d: Buffer) => (o += d.toString()));
  return { stdout, stderr: new PassThrough(), env: { NO_COLOR: '1' }, now: () => new Date('2026-11-24T04:00:00Z'), makeClients: () => { throw new Error('no AWS'); }, exitCode: 0, out: () => o };
}

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
