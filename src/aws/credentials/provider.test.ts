import { describe, expect, it } from 'vitest';
import { sharedProvider } from './provider.js';
import { createClients } from '../clients.js';

describe('one credential provider per run', () => {
  it('concurrent callers share one resolution; it is asked again only when its credentials near expiry', async () => {
    let calls = 0;
    let ttlMs = 3_600_000;
    const p = sharedProvider(async () => {
      calls++;
      return { accessKeyId: `AKIA${calls}`, secretAccessKey: 's', expiration: new Date(Date.now() + ttlMs) };
    });
    const got = await Promise.all([p(), p(), p(), p(), p()]);
    expect(calls).toBe(1);
    expect(new Set(got.map((c) => c.accessKeyId))).toEqual(new Set(['AKIA1']));
    await p();
    expect(calls).toBe(1);
    // Credentials that expire within five minutes are refreshed on the next use.
    ttlMs = 60_000;
    const q = sharedProvider(async () => {
      calls++;
      return { accessKeyId: `AKIA${calls}`, secretAccessKey: 's', expiration: new Date(Date.now() + ttlMs) };
    });
    await q();
    const afterFirst = calls;
    await q();
    expect(calls).toBe(afterFirst + 1);
  });

  it('every client of a set signs with the one provider it was given', async () => {
    let calls = 0;
    const credentials = sharedProvider(async () => {
      calls++;
      return { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 's' };
    });
    const clients = createClients({ region: 'eu-west-1', credentials, endpointUrl: 'http://127.0.0.1:9', maxAttempts: 1, connectTimeoutMs: 200 });
    const resolved = await Promise.all([clients.cloudtrail(), clients.s3(), clients.logs(), clients.sts(), clients.iam()].map((c) => (c.config.credentials as () => Promise<{ accessKeyId: string }>)()));
    expect(resolved.map((c) => c.accessKeyId)).toEqual(Array(5).fill('AKIAEXAMPLE'));
    expect(calls).toBe(1);
  });
});
