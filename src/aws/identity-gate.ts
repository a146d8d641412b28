import type { AwsClients } from './clients.js';

/**
 * `work` started alongside the identity check: its result once the identity is confirmed. A refused
 * identity ends the run with its one-line error, and the work still in flight is cancelled (its
 * calls fail at once) rather than left to run on credentials that do not work.
 */
export async function afterIdentity<T>(clients: AwsClients, work: Promise<T>): Promise<T> {
  if (!clients.verified) return work;
  try {
    await clients.verified;
  } catch (e) {
    work.catch(() => undefined);
    clients.cancel?.(e as Error);
    throw e;
  }
  return work;
}
