import { describe, expect, it } from 'vitest';
import { credentialFailure, identityFailure } from './errors.js';
import type { SharedConfig } from './config.js';

const env = { HOME: '/home/u' };
const cfg = (settings: Record<string, string> = {}, profile = 'dev'): SharedConfig => ({
  profile,
  profileSource: '--profile',
  profileFound: true,
  settings,
  configFile: '/home/u/.aws/config',
  credentialsFile: '/home/u/.aws/credentials',
  services: {},
});
const sdkError = (name: string, message: string, status?: number) => Object.assign(new Error(message), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}) });

describe('one line for a credential failure', () => {
  it('an expired SSO session says which `aws sso login` to run', () => {
    const e = sdkError('CredentialsProviderError', 'The SSO session associated with this profile has expired. To refresh this SSO session run aws sso login with the corresponding profile.');
    expect(credentialFailure(e, cfg({ sso_session: 'corp' }), env)).toBe('the SSO session of profile dev has expired or is not signed in: run `aws sso login --profile dev`');
  });

  it('no credentials names the profile and the files read', () => {
    const e = sdkError('CredentialsProviderError', 'Could not load credentials from any providers');
    expect(credentialFailure(e, cfg({}, 'default'), env)).toMatch(/^no AWS credentials found: .* profile default in ~\/.aws\/config and ~\/.aws\/credentials/);
  });

  it('expired session credentials rejected by STS; SSO profiles are told to log in again', () => {
    expect(identityFailure(sdkError('ExpiredToken', 'The security token included in the request is expired', 400), cfg(), env, 'eu-west-1')).toMatch(/^the credentials of profile dev have expired \(ExpiredToken\)/);
    expect(identityFailure(sdkError('ExpiredTokenException', 'expired', 400), cfg({ sso_start_url: 'https://x.awsapps.com/start' }), env, 'eu-west-1')).toMatch(/run `aws sso login --profile dev`$/);
  });

  it('rejected credentials in an opt-in region say the region may not be enabled', () => {
    const m = identityFailure(sdkError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403), cfg(), env, 'ap-southeast-5');
    expect(m).toMatch(/^AWS rejected the credentials of profile dev \(InvalidClientTokenId: /);
    expect(m).toMatch(/ap-southeast-5 is an opt-in region: check that it is enabled for the account/);
    expect(identityFailure(sdkError('InvalidClientTokenId', 'invalid', 403), cfg(), env, 'eu-west-1')).not.toMatch(/opt-in/);
  });

  it('an unreachable STS names the endpoint', () => {
    const e = Object.assign(new Error('getaddrinfo ENOTFOUND sts.eu-foo-1.amazonaws.com'), { code: 'ENOTFOUND' });
    expect(identityFailure(e, cfg(), env, 'eu-foo-1')).toBe('could not reach AWS STS at sts.eu-foo-1.amazonaws.com (ENOTFOUND): check --region, the network or proxy, or --endpoint-url');
  });
});
