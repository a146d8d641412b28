import { createRequire } from 'node:module';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { memoize } from '@smithy/core/config';
import { configuredEndpoint, credentialsFilePath, configFilePath, type SharedConfig } from './config.js';
// A cycle (clients.ts imports this module), harmless: the function is only called at run time.
import { callRecorderPlugin, type ApiCallRecord } from '../clients.js';

/**
 * ONE credential provider per run, shared by every SDK client (a credential_process, SSO or
 * assume-role profile resolves once, then again only when its credentials are about to expire).
 *
 * Precedence is the AWS CLI's: `--profile` names the profile whose credentials are used, even when
 * AWS_ACCESS_KEY_ID is set; without it, environment keys win over AWS_PROFILE; then the profile in
 * force (AWS_PROFILE or `default`), then container and instance roles. The SDK's default chain is
 * only given a profile when no environment keys are set, so it never prints its "multiple
 * credential sources" warning.
 */
export type CredentialProvider = AwsCredentialIdentityProvider;

export interface ProviderOptions {
  env: Record<string, string | undefined>;
  /** The value of --profile, when given. */
  profileFlag?: string;
  /** The loaded shared config (for the STS and SSO endpoints of the profile). */
  config?: SharedConfig;
  /** The region of the run: where assume-role calls STS. */
  region: string;
  /** --endpoint-url: STS (for assume-role) goes there too. */
  endpointUrl?: string;
  /** Told of the provider's own STS calls (AssumeRole...), for --debug and the call log. */
  onCall?: (call: ApiCallRecord) => void;
}

/** Refresh five minutes before expiry, as the SDK's own clients do. */
const REFRESH_BEFORE_MS = 5 * 60_000;

/** Wraps any provider so that concurrent and later callers share one resolution until it expires. */
export function sharedProvider(provider: CredentialProvider): CredentialProvider {
  return memoize(
    provider,
    (c: AwsCredentialIdentity) => c.expiration !== undefined && c.expiration.getTime() - Date.now() < REFRESH_BEFORE_MS,
    (c: AwsCredentialIdentity) => c.expiration !== undefined,
  );
}

const load = createRequire(import.meta.url);


export function createCredentialProvider(o: ProviderOptions): CredentialProvider {
  const stsEndpoint = o.endpointUrl ?? configuredEndpoint('sts', o.env, o.config);
  const ssoEndpoint = o.endpointUrl ?? configuredEndpoint('sso', o.env, o.config);
  const { getDefaultRoleAssumer, getDefaultRoleAssumerWithWebIdentity } = load('@aws-sdk/client-sts') as typeof import('@aws-sdk/client-sts');
  // The nested STS client of assume-role profiles: in the run's region, at the profile's endpoint
  // (the SDK's own would read endpoint_url only from AWS_PROFILE's profile).
  const sts = { region: o.region, ...(stsEndpoint ? { endpoint: stsEndpoint } : {}) };
  const plugins = o.onCall ? [callRecorderPlugin('sts', o.region, o.onCall)] : [];
  const files = { filepath: credentialsFilePath(o.env), configFilepath: configFilePath(o.env) };
  const common = {
    ...files,
    roleAssumer: getDefaultRoleAssumer(sts, plugins as never),
    roleAssumerWithWebIdentity: getDefaultRoleAssumerWithWebIdentity(sts, plugins as never),
    // Only an endpoint: a region here would override the profile's sso_region.
    ...(ssoEndpoint ? { clientConfig: { endpoint: ssoEndpoint } } : {}),
  };
  let provider: CredentialProvider;
  if (o.profileFlag) {
    const { fromIni } = load('@aws-sdk/credential-provider-ini') as typeof import('@aws-sdk/credential-provider-ini');
    provider = fromIni({ ...common, profile: o.profileFlag });
  } else if (o.env.AWS_ACCESS_KEY_ID && o.env.AWS_SECRET_ACCESS_KEY) {
    const { fromEnv } = load('@aws-sdk/credential-provider-env') as typeof import('@aws-sdk/credential-provider-env');
    provider = fromEnv();
  } else {
    const { defaultProvider } = load('@aws-sdk/credential-provider-node') as typeof import('@aws-sdk/credential-provider-node');
    provider = defaultProvider({ ...common, ...(o.env.AWS_PROFILE ? { profile: o.env.AWS_PROFILE } : {}) });
  }
  return sharedProvider(provider);
}
