import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { run, type Register } from '../../src/cli/main.js';
import { UsageError } from '../../src/cli/args.js';
import { offlineContext } from '../support/cli-context.js';
import { EXIT_CODES, exitCodeFor } from '../../src/model/index.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

const ctx = (env: Record<string, string> = {}) => offlineContext({ env });

/** A command `boom` that fails with `error`. */
const failing =
  (error: Error): Register =>
  (program) => {
    program.command('boom').action(() => {
      throw error;
    });
  };

describe('exit codes', () => {
  it('README documents every exit code', () => {
    for (const code of Object.values(EXIT_CODES)) expect(readme, `exit code ${code}`).toContain(`\n| ${code} |`);
  });

  it("diagnose's verdicts map to 0, 1, 3", () => {
    expect([exitCodeFor('healthy'), exitCodeFor('problem'), exitCodeFor('inconclusive')]).toEqual([0, 1, 3]);
  });

  it('bad input is one line and the usage code', async () => {
    const c = ctx();
    expect(await run(['boom'], c, [failing(new UsageError('no such trail'))])).toBe(EXIT_CODES.usage);
    expect(c.err()).toBe('trail-doctor: no such trail\n');
  });

  it('an error trail-doctor did not anticipate is one line and the internal-error code, the stack only on request', async () => {
    const c = ctx();
    expect(await run(['boom'], c, [failing(new TypeError("Cannot read properties of undefined (reading 'x')"))])).toBe(EXIT_CODES.internalError);
    expect(c.err()).toBe("trail-doctor: unexpected error: Cannot read properties of undefined (reading 'x')\n");
    expect(c.out()).toBe('');
    const d = ctx({ TRAIL_DOCTOR_DEBUG: '1' });
    expect(await run(['boom'], d, [failing(new TypeError('boom'))])).toBe(4);
    expect(d.err()).toMatch(/^trail-doctor: unexpected error: boom\nTypeError: boom\n\s+at /);
  });
});
