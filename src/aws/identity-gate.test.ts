import { describe, expect, it } from 'vitest';
import type { AwsClients } from './clients.js';
import { afterIdentity } from './identity-gate.js';

const clientsWith = (verified: Promise<void> | undefined) => {
  const cancelled: Error[] = [];
  const clients = { verified, cancel: (e: Error) => cancelled.push(e) } as unknown as AwsClients;
  return { clients, cancelled };
};

describe('a diagnosis started alongside the identity check', () => {
  it('confirmed identity: the work’s result, whichever ends first', async () => {
    const { clients, cancelled } = clientsWith(new Promise((r) => setTimeout(r, 20)));
    await expect(afterIdentity(clients, Promise.resolve('report'))).resolves.toBe('report');
    expect(cancelled).toEqual([]);
  });

  it('refused identity: its error, not the work’s, and the work in flight is cancelled', async () => {
    const refused = new Error('the security token included in the request is invalid');
    const verified = Promise.reject(refused);
    verified.catch(() => undefined);
    const { clients, cancelled } = clientsWith(verified);
    let finish!: (v: string) => void;
    const work = new Promise<string>((r) => (finish = r));
    await expect(afterIdentity(clients, work)).rejects.toBe(refused);
    expect(cancelled).toEqual([refused]);
    finish('too late');
  });

  it('refused identity while the work fails too: the identity’s error, no unhandled rejection', async () => {
    const refused = new Error('denied');
    const verified = Promise.reject(refused);
    verified.catch(() => undefined);
    const { clients } = clientsWith(verified);
    await expect(afterIdentity(clients, Promise.reject(new Error('calls cancelled')))).rejects.toBe(refused);
  });

  it('clients with nothing left to verify: the work as it is', async () => {
    const { clients } = clientsWith(undefined);
    await expect(afterIdentity(clients, Promise.resolve(7))).resolves.toBe(7);
  });
});
