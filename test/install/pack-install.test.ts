import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, ROOT } from '../support/cli.js';

/**
 * README's install section, done as written: `npm pack`, then `npm install -g` of the tarball into a
 * temporary prefix; `trail-doctor` (and `npx trail-doctor`) must then run from any folder. Needs the
 * npm registry or cache for the dependencies.
 */
const run = (cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string | undefined> } = {}) =>
  spawnSync(cmd, args, { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, encoding: 'utf8', timeout: 240_000 });

describe('install from the packed tarball', () => {
  let dir: string;
  let tarball: string;
  let files: string[];
  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'td-pack-'));
    const pack = run('npm', ['pack', '--silent', '--pack-destination', dir]);
    expect(pack.status, pack.stderr).toBe(0);
    tarball = join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz'))!);
    files = run('tar', ['tzf', tarball]).stdout.trim().split('\n');
  }, 120_000);
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('ships the compiled CLI, README and LICENSE, and no source maps pointing at unshipped sources', () => {
    expect(files).toContain('package/dist/cli/bin.js');
    expect(files).toContain('package/README.md');
    expect(files).toContain('package/LICENSE');
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('package/src/') || f.includes('.test.'))).toEqual([]);
  });

  it('npm install -g puts a working trail-doctor on PATH; npx trail-doctor finds it', () => {
    const prefix = join(dir, 'prefix');
    const install = run('npm', ['install', '-g', '--prefix', prefix, tarball, '--prefer-offline', '--no-audit', '--no-fund']);
    expect(install.status, install.stderr).toBe(0);
    const env = { PATH: `${join(prefix, 'bin')}:${process.env.PATH}`, npm_config_prefix: prefix, NO_COLOR: '1' };
    const elsewhere = mkdtempSync(join(tmpdir(), 'td-cwd-'));
    const version = run('trail-doctor', ['--version'], { cwd: elsewhere, env });
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const demo = run('trail-doctor', ['demo', 'healthy', '--output', 'json'], { cwd: elsewhere, env });
    expect(demo.status, demo.stderr).toBe(0);
    expect(JSON.parse(demo.stdout).verdict).toBe('healthy');
    const npx = run('npx', ['--no-install', 'trail-doctor', '--version'], { cwd: elsewhere, env });
    expect(npx.status, npx.stderr).toBe(0);
    expect(npx.stdout.trim()).toBe(version.stdout.trim());
    rmSync(elsewhere, { recursive: true, force: true });
  }, 240_000);
});
