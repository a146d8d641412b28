import type { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { createClients, type ApiCallRecord, type AwsClients, type ClientOptions } from './clients.js';
import { createCredentialProvider } from './credentials/provider.js';
import { AwsConfigError, AwsUnavailableError, type SharedConfig } from './credentials/config.js';
import { classifyError } from './call.js';
import { credentialFailure, identityFailure } from './credentials/errors.js';

/**
 * A live run's clients, ready to use: credentials resolved once (the provider every client then
 * shares) and the caller's identity read. Either failure is an AwsConfigError, which ends the run
 * before any diagnosis with one line; step 1 reuses the identity (clients.ts asks it once).
 */
export interface ConnectOptions {
  env: Record<string, string | undefined>;
  /** The shared config the CLI loaded for the profile in force. */
  config?: SharedConfig;
  /**
   * Return as soon as the credentials are resolved, the identity check still on the wire: its
   * outcome is `clients.verified`. A diagnosis then starts its first reads in the same round trip
   * (see `afterIdentity`).
   */
  identityInBackground?: boolean;
}

export async function connect(opts: ClientOptions, c: ConnectOptions): Promise<AwsClients> {
  // Calls the provider itself makes (AssumeRole of a role profile) join the run's call log.
  const earlierCalls: ApiCallRecord[] = [];
  const onCall = (call: ApiCallRecord) => {
    earlierCalls.push(call);
    opts.onCall?.(call);
  };
  const credentials =
    opts.credentials ??
    createCredentialProvider({ env: c.env, profileFlag: opts.profile, config: c.config, region: opts.region, endpointUrl: opts.endpointUrl ?? opts.endpoints?.sts, onCall });
  try {
    await credentials();
  } catch (e) {
    throw new AwsConfigError(credentialFailure(e, c.config, c.env));
  }
  const clients = createClients({ ...opts, credentials, earlierCalls });
  // Loaded before anything else is sent, so that the identity check is the run's first call.
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  const verified = verifyIdentity(clients, new GetCallerIdentityCommand({}), opts, c);
  if (!c.identityInBackground) {
    await verified;
    return clients;
  }
  // Observed here so that a refusal nobody has awaited yet is not an unhandled rejection.
  verified.catch(() => undefined);
  return Object.assign(clients, { verified });
}

async function verifyIdentity(clients: AwsClients, command: GetCallerIdentityCommand, opts: ClientOptions, c: ConnectOptions): Promise<void> {
  try {
    await clients.sts().send(command);
  } catch (e) {
    const message = identityFailure(e, c.config, c.env, opts.region, opts.endpointUrl ?? opts.endpoints?.sts);
    // A refusal or an unreachable endpoint is the configuration's; a busy or failing STS is not.
    const kind = classifyError(e).kind;
    const cutOff = kind === 'network' && /reset|cut off|hang up/i.test(String((e as Error)?.message ?? ''));
    if (kind === 'throttled' || kind === 'server' || kind === 'timeout' || cutOff) throw new AwsUnavailableError(`${message} — nothing could be checked; try again`);
    throw new AwsConfigError(message);
  }
}
