import { homedir } from 'node:os';
import { join } from 'node:path';
import type { loadSharedConfigFiles } from '@smithy/core/config';

/**
 * The AWS CLI's view of the shared configuration: which profile is in force, where its region and
 * endpoints come from, and which files were read. The files are read and parsed by the SDK's own
 * loader (@smithy/core/config, formerly @smithy/shared-ini-file-loader); this module only applies
 * the AWS CLI v2 precedence rules to what it returns, the same way for `--profile` as for
 * AWS_PROFILE (the SDK's clients read a profile's endpoint_url only through AWS_PROFILE).
 */

/** Raised for an unusable credential or configuration setup: one line on stderr, exit 2. */
/**
 * AWS answered the run's first call, but not usefully for now (throttled, 5xx, no answer in time,
 * connection reset): nothing is wrong with the configuration, nothing could be checked — exit 3.
 */
export class AwsUnavailableError extends Error {
  override name = 'AwsUnavailableError';
}

export class AwsConfigError extends Error {
  override name = 'AwsConfigError';
}

type Section = Record<string, string | undefined>;

export interface SharedConfig {
  /** The profile in force: --profile, else AWS_PROFILE, else `default`. */
  profile: string;
  /** Where the profile name came from. */
  profileSource: '--profile' | 'AWS_PROFILE' | 'default';
  /** True when the profile has a section in the config or the credentials file. */
  profileFound: boolean;
  /** The profile's settings, the config file's over the credentials file's (as the SDK merges them). */
  settings: Section;
  configFile: string;
  credentialsFile: string;
  /** `services` sections by name, with keys like `s3.endpoint_url`. */
  services: Record<string, Section>;
}

/** The SDK's service ids of the clients trail-doctor makes (they name AWS_ENDPOINT_URL_<ID>). */
export const SERVICE_IDS = {
  cloudtrail: 'CloudTrail',
  s3: 'S3',
  logs: 'CloudWatch Logs',
  cloudwatch: 'CloudWatch',
  iam: 'IAM',
  kms: 'KMS',
  health: 'Health',
  sts: 'STS',
  organizations: 'Organizations',
  sso: 'SSO',
} as const;
export type ServiceKey = keyof typeof SERVICE_IDS;

type Env = Record<string, string | undefined>;

export const configFilePath = (env: Env): string => env.AWS_CONFIG_FILE || join(env.HOME || homedir(), '.aws', 'config');
export const credentialsFilePath = (env: Env): string => env.AWS_SHARED_CREDENTIALS_FILE || join(env.HOME || homedir(), '.aws', 'credentials');

/** Reads ~/.aws/config and ~/.aws/credentials (or AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE). */
export async function loadSharedConfig(env: Env, profileFlag?: string): Promise<SharedConfig> {
  const configFile = configFilePath(env);
  const credentialsFile = credentialsFilePath(env);
  const profile = profileFlag || env.AWS_PROFILE || 'default';
  const profileSource = profileFlag ? '--profile' : env.AWS_PROFILE ? 'AWS_PROFILE' : 'default';
  let files: Awaited<ReturnType<typeof loadSharedConfigFiles>>;
  try {
    // imported here: `--help`, `demo` and offline replays never load the SDK's config reader
    const { loadSharedConfigFiles } = await import('@smithy/core/config');
    files = await loadSharedConfigFiles({ filepath: credentialsFile, configFilepath: configFile, ignoreCache: true });
  } catch (e) {
    throw new AwsConfigError(`cannot read the AWS configuration (${configFile}, ${credentialsFile}): ${(e as Error).message}`);
  }
  const fromConfig = files.configFile[profile];
  const fromCredentials = files.credentialsFile[profile];
  const services: Record<string, Section> = {};
  for (const [key, section] of Object.entries(files.configFile)) {
    if (key.startsWith('services.')) services[key.slice('services.'.length)] = section;
  }
  return {
    profile,
    profileSource,
    profileFound: Boolean(fromConfig || fromCredentials),
    settings: { ...(fromCredentials ?? {}), ...(fromConfig ?? {}) },
    configFile,
    credentialsFile,
    services,
  };
}

/** `~/.aws/config and ~/.aws/credentials`, spelled as the user would recognise them. */
export function filesRead(cfg: Pick<SharedConfig, 'configFile' | 'credentialsFile'>, env: Env): string {
  const home = env.HOME || homedir();
  const short = (p: string) => (p.startsWith(home + '/') ? `~/${p.slice(home.length + 1)}` : p);
  return `${short(cfg.configFile)} and ${short(cfg.credentialsFile)}`;
}

/**
 * An explicitly named profile must exist (the AWS CLI: "The config profile (X) could not be found").
 * A missing `default` is fine: environment credentials or an instance role may stand in for it.
 */
export function assertProfileExists(cfg: SharedConfig, env: Env): void {
  if (cfg.profileFound || cfg.profileSource === 'default') return;
  const via = cfg.profileSource === 'AWS_PROFILE' ? ' (from AWS_PROFILE)' : '';
  throw new AwsConfigError(`the config profile (${cfg.profile})${via} could not be found in ${filesRead(cfg, env)}; list profiles with \`aws configure list-profiles\``);
}

const truthy = (v: string | undefined) => v !== undefined && /^true$/i.test(v.trim());

/**
 * The region of the AWS CLI: --region, AWS_REGION, AWS_DEFAULT_REGION, then the profile's `region`.
 * Returns where it came from too, for error messages.
 */
export function resolveRegion(flag: string | undefined, env: Env, cfg: SharedConfig | undefined): { region?: string; source: string } {
  if (flag) return { region: flag, source: '--region' };
  if (env.AWS_REGION) return { region: env.AWS_REGION, source: 'AWS_REGION' };
  if (env.AWS_DEFAULT_REGION) return { region: env.AWS_DEFAULT_REGION, source: 'AWS_DEFAULT_REGION' };
  const r = cfg?.settings.region;
  if (r) return { region: r, source: `the region of profile ${cfg!.profile}` };
  return { source: 'none' };
}

/**
 * A service's configured endpoint, in the AWS CLI's order: AWS_ENDPOINT_URL_<SERVICE>,
 * AWS_ENDPOINT_URL, the profile's `services` section, the profile's `endpoint_url`; none when
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS or the profile's ignore_configured_endpoint_urls is true.
 * (--endpoint-url, which overrides all of these, is applied by the caller.)
 */
export function configuredEndpoint(service: ServiceKey, env: Env, cfg: SharedConfig | undefined): string | undefined {
  if (truthy(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)) return undefined;
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === undefined && truthy(cfg?.settings.ignore_configured_endpoint_urls)) return undefined;
  const id = SERVICE_IDS[service];
  const envKey = ['AWS_ENDPOINT_URL', ...id.split(' ').map((w) => w.toUpperCase())].join('_');
  if (env[envKey]) return env[envKey];
  if (env.AWS_ENDPOINT_URL) return env.AWS_ENDPOINT_URL;
  if (!cfg) return undefined;
  const servicesName = cfg.settings.services;
  if (servicesName) {
    const section = cfg.services[servicesName];
    if (!section) throw new AwsConfigError(`profile ${cfg.profile} names services section "${servicesName}", which is not in ${cfg.configFile}`);
    const url = section[`${id.split(' ').map((w) => w.toLowerCase()).join('_')}.endpoint_url`];
    if (url) return url;
  }
  return cfg.settings.endpoint_url || undefined;
}

/** Every service's configured endpoint (only those that have one). */
export function configuredEndpoints(env: Env, cfg: SharedConfig | undefined): Partial<Record<ServiceKey, string>> {
  const out: Partial<Record<ServiceKey, string>> = {};
  for (const k of Object.keys(SERVICE_IDS) as ServiceKey[]) {
    const url = configuredEndpoint(k, env, cfg);
    if (url) out[k] = url;
  }
  return out;
}
