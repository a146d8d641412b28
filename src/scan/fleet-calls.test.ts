import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AwsClients, ClientOptions } from '../aws/clients.js';
import { assumeRoleAccess } from './fleet-calls.js';

/** An assumed role's session ends after an hour: a long-running watch must assume it again, but never on every call. */
function fakeCaller(durationMs: () => number) {
  let n = 0;
  const sts = {
    send: async () => {
      n++;
      return { Credentials: { AccessKeyId: `AK${n}`, SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + durationMs()) } };
    },
  };
  const caller = { region: 'us-east-1', options: { region: 'us-east-1' }, sts: () => sts } as unknown as AwsClients;
  return { caller, assumed: () => n };
}

describe('assumeRoleAccess', () => {
  afterEach(() => vi.useRealTimers());

  it('assumes the role again shortly before the session expires, once', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { caller, assumed } = fakeCaller(() => 3_600_000);
    let opts: ClientOptions | undefined;
    const access = assumeRoleAccess(caller, (o) => ((opts = o), caller), { roleName: 'OrganizationAccountAccessRole' });
    await access.enter('111122223333', 'aws');
    expect(assumed()).toBe(1);
    expect((await opts!.credentials!()).accessKeyId).toBe('AK1');
    vi.setSystemTime(Date.now() + 30 * 60_000);
    expect((await opts!.credentials!()).accessKeyId).toBe('AK1');
    vi.setSystemTime(Date.now() + 26 * 60_000);
    expect((await opts!.credentials!()).accessKeyId).toBe('AK2');
    expect((await opts!.credentials!()).accessKeyId).toBe('AK2');
    expect(assumed()).toBe(2);
  });

  it('credentials that look expired at once (a clock ahead of STS) are assumed again at most once a minute', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { caller, assumed } = fakeCaller(() => -60_000);
    let opts: ClientOptions | undefined;
    await assumeRoleAccess(caller, (o) => ((opts = o), caller), { roleName: 'R' }).enter('111122223333', 'aws');
    for (let i = 0; i < 20; i++) await opts!.credentials!();
    expect(assumed()).toBe(1);
    vi.setSystemTime(Date.now() + 61_000);
    await opts!.credentials!();
    expect(assumed()).toBe(2);
  });
});
