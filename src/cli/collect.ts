import type { Command } from 'commander';
import { UsageError } from './args.js';
import { emit, recordedEndpoint, type CliContext } from './context.js';
import type { Register } from './main.js';
import { addTargetOptions, liveRequest, startProgress } from './diagnose.js';
import { serializeEvidence } from '../evidence/file.js';
import { afterIdentity } from '../aws/identity-gate.js';

interface CollectFlags {
  trail?: string;
  since?: string;
  start?: string;
  end?: string;
  out?: string;
  region?: string;
  profile?: string;
  endpointUrl?: string;
  timeout?: string;
  color?: boolean;
  integrity?: boolean;
}

export const register: Register = (program: Command, ctx: CliContext) => {
  const cmd = program
    .command('collect')
    .description('gather the evidence of the nine playbook steps into a JSON file, to replay with `diagnose --evidence` or attach to a ticket');
  addTargetOptions(cmd)
    .option('--out <file>', 'write the evidence here (default: stdout)')
    .option('--no-color', 'no colour in the progress display')
    .option('--no-integrity', 'skip digest-chain validation')
    .action(async (flags: CollectFlags) => {
      if (!flags.out && ctx.stdout.isTTY) {
        throw new UsageError('collect writes JSON evidence: pass --out FILE (or pipe stdout)');
      }
      const { trail, window, now, options } = liveRequest(flags, ctx);
      // The diagnosis modules load while the credentials resolve; the identity check then shares
      // its round trip with the plan's first reads.
      const [clients, { gather }] = await Promise.all([ctx.makeClients(options, { identityInBackground: true }), import('./pipeline.js')]);
      const progress = startProgress(ctx, flags);
      let text: string;
      try {
        // The same gathering as diagnose (gaps included when the first pass finds no cause),
        // so a replay reaches the same verdict.
        const run = gather(
          clients,
          { trail: trail.id, region: options.region, window, now, profile: options.profile, endpointUrl: recordedEndpoint(options), onProgress: progress.listener },
          { integrity: flags.integrity !== false, gaps: 'auto', onPhase: progress.phase },
        );
        const { evidence } = await afterIdentity(clients, run);
        // The call log of the run, the same records --debug prints.
        text = serializeEvidence({ ...evidence, calls: [...clients.calls] });
      } finally {
        progress.stop();
      }
      await emit(ctx, text, flags.out);
      if (flags.out) ctx.stderr.write(`evidence written to ${flags.out}\n`);
      ctx.exitCode = 0;
    });
};
