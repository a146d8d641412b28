import { PassThrough } from 'node:stream';
import type { CliContext } from '../../src/cli/context.js';

/** A CLI context for running commands in-process: captured output, a fixed clock, and no AWS at all (makeClients refuses). */
export type OfflineContext = CliContext & { out: () => string; err: () => string };

export function offlineContext(opts: { env?: Record<string, string>; columns?: number } = {}): OfflineContext {
  const stdout = Object.assign(new PassThrough(), opts.columns ? { columns: opts.columns } : {});
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (d: Buffer) => (o += d.toString()));
  stderr.on('data', (d: Buffer) => (e += d.toString()));
  return {
    stdout,
    stderr,
    env: opts.env ?? { NO_COLOR: '1' },
    now: () => new Date('2026-11-24T04:00:00Z'),
    makeClients: () => {
      throw new Error('no AWS calls expected');
    },
    exitCode: 0,
    out: () => o,
    err: () => e,
  };
}
