import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { startMoto, skipWithoutMoto, useMotoCredentials, type Moto } from '../support/moto.js';
import { createClients } from '../../src/aws/clients.js';
import { measureGaps } from '../../src/gaps/index.js';
import { run } from '../../src/cli/main.js';
import type { CliContext } from '../../src/cli/context.js';
import { BUCKET, TRAIL, TRAIL_ARN, change, deliver, lookupPage, routine, type Rec } from './fixtures.js';
import { seedMoto, startLookupStandin, type LookupStandin } from './wire.js';

const skip = skipWithoutMoto('gaps on the wire (moto + LookupEvents stand-in)');
const H = 3_600_000;
const T0 = Date.parse('2026-11-20T00:00:00Z');
const now = new Date(T0 + 7 * H);

describe.skipIf(skip)('gaps on the wire: moto holds the log files, a stand-in enforces LookupEvents at 2 requests/s', () => {
  let moto: Moto;
  let lookup: LookupStandin;
  let history: Rec[];
  let missing: Rec[];
  beforeAll(async () => {
    useMotoCredentials();
    moto = await startMoto();
    const base = routine(T0, T0 + 6 * H, 20);
    const breaker = change(T0 + 2 * H - 60_000, 's3.amazonaws.com', 'DeleteBucketPolicy', { bucketName: BUCKET });
    const healer = change(T0 + 4 * H + 1_000, 's3.amazonaws.com', 'PutBucketPolicy', { bucketName: BUCKET });
    history = [...base, breaker, healer];
    const broken = (r: Rec) => Date.parse(r.eventTime) >= T0 + 2 * H && Date.parse(r.eventTime) < T0 + 4 * H;
    missing = history.filter(broken);
    await seedMoto(moto.endpoint, deliver(history.filter((r) => !broken(r))));
    lookup = await startLookupStandin(moto.endpoint, (req) => lookupPage(history, req, true), { forceThrottle: [3] });
  }, 60_000);
  afterAll(async () => {
    await lookup?.standin.stop();
    await moto?.stop();
  });

  it('measures the gap, names the change that opened and closed it, within the rate', async () => {
    const clients = createClients({ region: 'eu-west-1', endpointUrl: lookup.standin.endpoint, maxAttempts: 2 });
    const r = await measureGaps(clients, { trail: TRAIL_ARN, region: 'eu-west-1', start: new Date(T0), end: new Date(T0 + 6 * H), now });
    expect(r.status).toBe('ok');
    expect(r.totals).toMatchObject({ recorded: history.length, missing: missing.length, sampled: false });
    expect(r.gaps).toHaveLength(1);
    expect(r.gaps[0]).toMatchObject({ destination: 's3', eventsMissing: missing.length, trigger: { eventName: 'DeleteBucketPolicy' }, closedBy: { eventName: 'PutBucketPolicy' } });
    // the forced ThrottlingException was retried; the stand-in's own 2/s bucket was respected otherwise
    expect(lookup.throttled()).toBeGreaterThanOrEqual(1);
    expect(lookup.throttled()).toBeLessThanOrEqual(3);
    expect(lookup.peakPerSecond()).toBeLessThanOrEqual(4);
  }, 60_000);

  it('the CLI prints the JSON contract and exits 1', async () => {
    let out = '';
    let err = '';
    const ctx: CliContext = {
      stdout: new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) }),
      stderr: new Writable({ write: (c, _e, cb) => ((err += String(c)), cb()) }),
      env: { ...process.env },
      now: () => now,
      makeClients: createClients,
      exitCode: 0,
    };
    const code = await run(['gaps', '--trail', TRAIL, '--region', 'eu-west-1', '--start', '2026-11-20T00:00Z', '--end', '2026-11-20T06:00Z', '--format', 'json', '--endpoint-url', lookup.standin.endpoint], ctx);
    expect(err).toBe('');
    expect(code).toBe(1);
    const j = JSON.parse(out) as { window: unknown; totals: { missing: number; sampled: boolean }; gaps: { destination: string; trigger: { eventName: string; eventTime: string; actor: string; sourceIPAddress: string } }[] };
    expect(j.window).toEqual({ start: '2026-11-20T00:00:00Z', end: '2026-11-20T06:00:00Z' });
    expect(j.totals.missing).toBe(missing.length);
    expect(Object.keys(j.gaps[0]!)).toEqual(expect.arrayContaining(['destination', 'start', 'end', 'eventsMissing', 'trigger', 'closedBy']));
    expect(j.gaps[0]!.trigger).toMatchObject({ eventName: 'DeleteBucketPolicy', actor: expect.stringContaining('bob'), sourceIPAddress: '203.0.113.9' });
  }, 60_000);

  it('bad input exits 2 with one line; a text report fits 80 columns', async () => {
    let out = '';
    let err = '';
    const mk = (): CliContext => ({
      stdout: new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) }),
      stderr: new Writable({ write: (c, _e, cb) => ((err += String(c)), cb()) }),
      env: { ...process.env },
      now: () => now,
      makeClients: createClients,
      exitCode: 0,
    });
    expect(await run(['gaps', '--trail', TRAIL, '--region', 'eu-west-1', '--since', 'forever'], mk())).toBe(2);
    expect(err.trim().split('\n')).toHaveLength(1);
    err = '';
    expect(await run(['gaps', '--trail', 'no-such-trail', '--region', 'eu-west-1', '--since', '2h', '--endpoint-url', lookup.standin.endpoint], mk())).toBe(2);
    expect(err).toMatch(/not found/);
    const code = await run(['gaps', '--trail', TRAIL, '--region', 'eu-west-1', '--start', '2026-11-20T00:00Z', '--end', '2026-11-20T06:00Z', '--endpoint-url', lookup.standin.endpoint], mk());
    expect(code).toBe(1);
    expect(out).toContain('DeleteBucketPolicy');
    expect(Math.max(...out.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80);
  }, 60_000);
});
