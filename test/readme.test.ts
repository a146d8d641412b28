import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { toolPolicy } from '../src/cli/tool-policy.js';
import { COMMANDS } from '../src/cli/commands.js';
import { buildProgram } from '../src/cli/main.js';
import { defaultContext } from '../src/cli/context.js';

/** The README is part of the product: it must show the policy the tool prints and every command. */
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README stays true', () => {
  it('starts with the two commands of a fresh machine', () => {
    const head = readme.slice(0, 1500);
    expect(head).toContain('npm ci && npm run demo');
    expect(head).toContain('npm test');
  });

  it('shows exactly the IAM policy `trail-doctor policy` prints (node scripts/readme-policy.mjs after a build)', () => {
    const m = /<!-- policy:start -->\n```json\n([\s\S]*?)\n```\n<!-- policy:end -->/.exec(readme);
    expect(m, 'policy block missing in README').toBeTruthy();
    expect(JSON.parse(m![1]!)).toEqual(toolPolicy());
  });

  it('documents every command and every option', () => {
    const program = buildProgram(defaultContext(), COMMANDS);
    for (const cmd of program.commands) {
      expect(readme, `command ${cmd.name()}`).toContain(`\`${cmd.name()}\``);
      for (const opt of cmd.options) {
        if (opt.long === '--help') continue;
        expect(readme, `${cmd.name()} ${opt.long}`).toContain(opt.long!);
      }
    }
  });

  it('documents the exit codes', () => {
    for (const code of ['| 0 |', '| 1 |', '| 2 |', '| 3 |']) expect(readme).toContain(code);
  });
});
