import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../support/cli.js';
import { parseInterval, parseListen } from '../../src/cli/watch.js';

/** `watch` refuses bad input with one line and exit 2, before any AWS call or listening socket. */
const NO_AWS = { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_REGION: 'eu-west-1' };

function expectUsage(r: { code: number | null; stderr: string }, pattern: RegExp) {
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(r.stderr.trim().split('\n').length).toBe(1);
}

describe('watch: bad input', () => {
  beforeAll(() => ensureBuilt());

  it('needs a trail or --scan, not both; the fleet flags are checked like scan\'s', async () => {
    expectUsage(await runCli(['watch'], NO_AWS), /at least one --trail NAME\|ARN, or --scan/);
    expectUsage(await runCli(['watch', '--scan', '--trail', 'main'], NO_AWS), /--trail and --scan are exclusive/);
    expectUsage(await runCli(['watch', '--organization', '--trail', 'main'], NO_AWS), /--trail and --scan are exclusive/);
    expectUsage(await runCli(['watch', '--scan', '--accounts', '12345'], NO_AWS), /--accounts: "12345" is not a 12-digit AWS account id/);
    expectUsage(await runCli(['watch', '--scan', '--regions', 'mars-1'], NO_AWS), /--regions: "mars-1" is not an AWS region/);
    expectUsage(await runCli(['watch', '--organization', '--role-name', 'bad role'], NO_AWS), /--role-name: "bad role" is not an IAM role name/);
  });

  it('rejects a notify URL that is not http(s), a bad listen address, interval or limit', async () => {
    expectUsage(await runCli(['watch', '--trail', 'main', '--notify-url', 'file:///etc/passwd'], NO_AWS), /--notify-url must be an http:\/\/ or https:\/\/ URL/);
    expectUsage(await runCli(['watch', '--trail', 'main', '--notify-url', 'not a url'], NO_AWS), /--notify-url: .* is not a URL/);
    expectUsage(await runCli(['watch', '--trail', 'main', '--notify-format', 'teams'], NO_AWS), /--notify-format/);
    expectUsage(await runCli(['watch', '--trail', 'main', '--listen', '9464'], NO_AWS), /--listen: "9464" is not HOST:PORT/);
    expectUsage(await runCli(['watch', '--trail', 'main', '--interval', '0s'], NO_AWS), /--interval/);
    expectUsage(await runCli(['watch', '--trail', 'main', '--max-diagnoses-per-hour', '-1'], NO_AWS), /--max-diagnoses-per-hour/);
    expectUsage(await runCli(['watch', '--trail', 'main', '--log-format', 'xml'], NO_AWS), /--log-format/);
    expectUsage(await runCli(['watch', '--trail', 'bad name!'], NO_AWS), /invalid trail name/);
  });

  it('parses intervals and listen addresses', () => {
    expect(parseInterval('60s')).toBe(60_000);
    expect(parseInterval('5m')).toBe(300_000);
    expect(parseInterval('90')).toBe(90_000);
    expect(() => parseInterval('2h')).toThrow();
    expect(parseListen('127.0.0.1:9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListen('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
    expect(parseListen('0.0.0.0:0')).toEqual({ host: '0.0.0.0', port: 0 });
    expect(() => parseListen(':9464')).toThrow(/HOST:PORT/);
  });
});
