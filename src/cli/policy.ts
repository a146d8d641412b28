import type { Command } from 'commander';
import type { CliContext } from './context.js';
import type { Register } from './main.js';

export const register: Register = (program: Command, ctx: CliContext) => {
  program
    .command('policy')
    .description('print the least-privilege IAM policy trail-doctor itself needs (read-only)')
    .action(async () => {
      // The policy is the union of every collector's declared calls: loading them loads the SDK.
      const { toolPolicy } = await import('./tool-policy.js');
      ctx.stdout.write(JSON.stringify(toolPolicy(), null, 2) + '\n');
      ctx.exitCode = 0;
    });
};
