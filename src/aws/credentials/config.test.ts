import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsConfigError, assertProfileExists, configuredEndpoint, loadSharedConfig, resolveRegion } from './config.js';

let dir: string;
let env: Record<string, string>;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'td-cfg-'));
  writeFileSync(
    join(dir, 'config'),
    [
      '[default]',
      'region = us-east-2',
      '[profile dev]',
      'region = eu-west-3',
      'services = local',
      'endpoint_url = http://127.0.0.1:1',
      '[profile broken]',
      'services = nowhere',
      '[services local]',
      's3 =',
      '  endpoint_url = http://127.0.0.1:2',
      'cloudwatch_logs =',
      '  endpoint_url = http://127.0.0.1:3',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'credentials'), '[keysonly]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n');
  env = { HOME: dir, AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('shared config as the AWS CLI reads it', () => {
  it('region: flag, AWS_REGION, AWS_DEFAULT_REGION, then the profile (--profile or AWS_PROFILE alike)', async () => {
    const viaFlag = await loadSharedConfig(env, 'dev');
    const viaEnv = await loadSharedConfig({ ...env, AWS_PROFILE: 'dev' });
    expect(resolveRegion(undefined, env, viaFlag).region).toBe('eu-west-3');
    expect(resolveRegion(undefined, { ...env, AWS_PROFILE: 'dev' }, viaEnv).region).toBe('eu-west-3');
    expect(resolveRegion(undefined, { ...env, AWS_DEFAULT_REGION: 'ca-central-1' }, viaFlag).region).toBe('ca-central-1');
    expect(resolveRegion(undefined, { ...env, AWS_REGION: 'sa-east-1', AWS_DEFAULT_REGION: 'ca-central-1' }, viaFlag).region).toBe('sa-east-1');
    expect(resolveRegion('ap-south-1', { ...env, AWS_REGION: 'sa-east-1' }, viaFlag).region).toBe('ap-south-1');
    expect(resolveRegion(undefined, env, await loadSharedConfig(env)).region).toBe('us-east-2');
  });

  it('endpoints: per-service env, global env, services section, profile endpoint_url', async () => {
    const dev = await loadSharedConfig(env, 'dev');
    expect(configuredEndpoint('s3', env, dev)).toBe('http://127.0.0.1:2');
    expect(configuredEndpoint('logs', env, dev)).toBe('http://127.0.0.1:3');
    expect(configuredEndpoint('cloudtrail', env, dev)).toBe('http://127.0.0.1:1');
    expect(configuredEndpoint('s3', { ...env, AWS_ENDPOINT_URL: 'http://127.0.0.1:4' }, dev)).toBe('http://127.0.0.1:4');
    expect(configuredEndpoint('logs', { ...env, AWS_ENDPOINT_URL: 'http://127.0.0.1:4', AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: 'http://127.0.0.1:5' }, dev)).toBe('http://127.0.0.1:5');
    expect(configuredEndpoint('s3', { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }, dev)).toBeUndefined();
    await expect(loadSharedConfig(env, 'broken').then((c) => configuredEndpoint('s3', env, c))).rejects.toThrow(AwsConfigError);
  });

  it('a named profile must exist in one of the files; default may be absent', async () => {
    const keysOnly = await loadSharedConfig(env, 'keysonly');
    expect(() => assertProfileExists(keysOnly, env)).not.toThrow();
    const missing = await loadSharedConfig(env, 'nosuch');
    expect(() => assertProfileExists(missing, env)).toThrow(/the config profile \(nosuch\) could not be found in ~\/config and ~\/credentials/);
    const none = await loadSharedConfig({ HOME: dir, AWS_CONFIG_FILE: join(dir, 'absent') });
    expect(() => assertProfileExists(none, env)).not.toThrow();
  });
});
