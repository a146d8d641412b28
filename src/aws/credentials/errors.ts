import { inertLine } from '../../util/text.js';
import { filesRead, type SharedConfig } from './config.js';
import { isOptInRegion } from '../regions.js';

/**
 * One line for a credential or identity failure: what is wrong and what to do, naming the
 * profile and the files read, as the AWS CLI would.
 */
type Env = Record<string, string | undefined>;

const isSsoProfile = (cfg: SharedConfig | undefined) => Boolean(cfg && (cfg.settings.sso_session || cfg.settings.sso_start_url));
const msgOf = (e: unknown) => inertLine(String((e as Error)?.message ?? e), 400);
const codeOf = (e: unknown) => {
  const x = e as { name?: string; Code?: string; code?: string };
  return String(x?.Code ?? (x?.name && x.name !== 'Error' ? x.name : undefined) ?? x?.code ?? 'Error');
};

function who(cfg: SharedConfig | undefined, env: Env): string {
  if (!cfg) return 'the credentials';
  if (cfg.profileSource === 'default' && env.AWS_ACCESS_KEY_ID) return 'the credentials from AWS_ACCESS_KEY_ID';
  return `the credentials of profile ${cfg.profile}`;
}

/** The provider failed before any AWS call was made. */
export function credentialFailure(err: unknown, cfg: SharedConfig | undefined, env: Env): string {
  const m = msgOf(err);
  const profile = cfg?.profile ?? 'default';
  const files = cfg ? filesRead(cfg, env) : '~/.aws/config and ~/.aws/credentials';
  if (/sso/i.test(m) && /expired|invalid|sso login/i.test(m)) {
    return `the SSO session of profile ${profile} has expired or is not signed in: run \`aws sso login --profile ${profile}\``;
  }
  if (/returned expired credentials/i.test(m)) {
    return `the credential_process of profile ${profile} returned expired credentials: fix the helper (or sign in to it again) and retry`;
  }
  if (/Could not load credentials from any providers/i.test(m)) {
    return `no AWS credentials found: none in the environment (AWS_ACCESS_KEY_ID), none for profile ${profile} in ${files}, and no container or instance role; run \`aws configure\` or \`aws sso login\`, or pass --profile`;
  }
  if (/Could not resolve credentials using profile/i.test(m)) {
    return `profile ${profile} has no credentials in ${files} (no access keys, role_arn, credential_process or SSO settings)`;
  }
  if (/could not be found/i.test(m)) return `the config profile (${profile}) could not be found in ${files}`;
  return `could not get AWS credentials for profile ${profile}: ${m}`;
}

const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired']);
const REJECTED = new Set(['InvalidClientTokenId', 'UnrecognizedClientException', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'IncompleteSignature', 'AuthFailure']);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ETIMEDOUT', 'TimeoutError', 'NetworkingError']);

/** sts:GetCallerIdentity, the first call of every run, failed. */
export function identityFailure(err: unknown, cfg: SharedConfig | undefined, env: Env, region: string, endpoint?: string): string {
  const code = codeOf(err);
  const m = msgOf(err);
  const subject = who(cfg, env);
  const profile = cfg?.profile ?? 'default';
  if (EXPIRED.has(code)) {
    const fix = isSsoProfile(cfg) ? `run \`aws sso login --profile ${profile}\`` : 'refresh them (new session credentials, or `aws sso login`) and retry';
    return `${subject} have expired (${code}): ${fix}`;
  }
  if (REJECTED.has(code)) {
    const optIn = isOptInRegion(region) ? `; ${region} is an opt-in region: check that it is enabled for the account (\`aws account list-regions\`)` : '';
    return `AWS rejected ${subject} (${code}: ${m})${optIn}`;
  }
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  if (UNREACHABLE.has(code) || (err as { code?: string })?.code === 'ENOTFOUND') {
    const where = endpoint ?? `sts.${region}.amazonaws.com`;
    return `could not reach AWS STS at ${where} (${code}): check --region, the network or proxy, or --endpoint-url`;
  }
  return `the first call, sts:GetCallerIdentity with ${subject} in ${region}, failed: ${code}${status ? ` (HTTP ${status})` : ''}: ${m}`;
}
