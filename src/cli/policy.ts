import type { Command } from 'commander';
import type { CliContext } from './context.js';
import type { Register } from './main.js';

export const register: Register = (program: Command, ctx: CliContext) => {
  program
    .command('policy')
    .description('print the least-privilege IAM policy trail-doctor itself needs (read-only)')
    .option('--scan', 'print the policies `scan` needs: in the management account and in the role entered in member accounts')
    .option('--role-name <name>', 'with --scan: the member role entered by AssumeRole', 'OrganizationAccountAccessRole')
    .action(async (flags: { scan?: boolean; roleName: string }) => {
      if (flags.scan) {
        const [{ scanPolicies }, { VALIDATE_ACTIONS, GAPS_ACTIONS }] = await Promise.all([import('../scan/policy.js'), import('./tool-policy.js')]);
        ctx.stdout.write(JSON.stringify(scanPolicies({ roleName: flags.roleName, deepActions: [...VALIDATE_ACTIONS, ...GAPS_ACTIONS] }), null, 2) + '\n');
        ctx.exitCode = 0;
        return;
      }
      // The policy is the union of every collector's declared calls: loading them loads the SDK.
      const { toolPolicy } = await import('./tool-policy.js');
      ctx.stdout.write(JSON.stringify(toolPolicy(), null, 2) + '\n');
      ctx.exitCode = 0;
    });
};
