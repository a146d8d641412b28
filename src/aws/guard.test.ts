import { describe, expect, it } from 'vitest';
import { PassThrough, Readable } from 'node:stream';
import { GuardError, RunGuard, watchBody } from './guard.js';

const throttle = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
const serverError = (status = 500) => Object.assign(new Error('InternalFailure'), { name: 'InternalFailure', $metadata: { httpStatusCode: status } });
const timeout = () => new GuardError('TimeoutError', 'timed out: no answer');
const fail = (e: Error) => () => Promise.reject(e);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: Error }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error: error as Error };
  }
}

describe('RunGuard', () => {
  it('stops calling an operation after it answered 5xx twice, and says so without an HTTP status the SDK would retry', async () => {
    const g = new RunGuard({ attemptTimeoutMs: 1000 });
    await settle(g.attempt('health@us-east-1', 'DescribeEvents', fail(serverError())));
    await settle(g.attempt('health@us-east-1', 'DescribeEvents', fail(serverError(503))));
    let sent = false;
    const third = await settle(
      g.attempt('health@us-east-1', 'DescribeEvents', async () => {
        sent = true;
        return 1;
      }),
    );
    expect(sent).toBe(false);
    expect(third.ok).toBe(false);
    const err = (third as unknown as { error: GuardError }).error;
    expect(err.name).toBe('ServiceCircuitOpen');
    expect(err.message).toMatch(/health DescribeEvents answered HTTP 503 2 times in this run/);
    expect(err.$metadata.httpStatusCode).toBeUndefined();
    // Another operation, or the same one in another region, is unaffected.
    expect(await g.attempt('health@eu-west-1', 'DescribeEvents', async () => 'ok')).toBe('ok');
    expect(await g.attempt('health@us-east-1', 'DescribeEventDetails', async () => 'ok')).toBe('ok');
    expect(g.summary().services.find((s) => s.key === 'health@us-east-1')).toMatchObject({ serverErrors: 2, refused: 1 });
  });

  it('a 4xx that is not throttling (denied, absent) never opens the circuit', async () => {
    const g = new RunGuard({ attemptTimeoutMs: 1000 });
    const denied = Object.assign(new Error('AccessDenied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    for (let i = 0; i < 10; i++) await settle(g.attempt('s3@eu-west-1', 'GetBucketPolicy', fail(denied)));
    expect(await g.attempt('s3@eu-west-1', 'GetBucketPolicy', async () => 'ok')).toBe('ok');
  });

  it('halves the concurrency of a service that throttles, and gives up after its budget', async () => {
    const g = new RunGuard({ attemptTimeoutMs: 1000, throttleBudget: 3, maxConcurrency: 8 });
    let inFlight = 0;
    let peak = 0;
    const slow = async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await sleep(5);
      inFlight--;
      return 'ok';
    };
    await settle(g.attempt('s3@eu-west-1', 'GetObject', fail(throttle())));
    await settle(g.attempt('s3@eu-west-1', 'GetObject', fail(throttle())));
    // 8 → 4 → 2
    await Promise.all(Array.from({ length: 10 }, () => g.attempt('s3@eu-west-1', 'GetObject', slow)));
    expect(peak).toBe(2);
    await settle(g.attempt('s3@eu-west-1', 'GetObject', fail(throttle())));
    const after = await settle(g.attempt('s3@eu-west-1', 'GetObject', slow));
    expect(after.ok).toBe(false);
    expect((after as { error: Error }).error.name).toBe('ThrottleBudgetSpent');
    expect((after as { error: Error }).error.message).toMatch(/^throttled: s3 kept throttling \(3 throttled answers/);
    expect(g.summary().services[0]).toMatchObject({ key: 's3@eu-west-1', throttled: 3, concurrency: 1 });
  });

  it('gives up on an operation that keeps timing out, not on its whole service', async () => {
    const g = new RunGuard({ attemptTimeoutMs: 1000, timeoutLimit: 2 });
    await settle(g.attempt('cloudtrail@eu-west-1', 'GetTrailStatus', fail(timeout())));
    await settle(g.attempt('cloudtrail@eu-west-1', 'GetTrailStatus', fail(timeout())));
    const r = await settle(g.attempt('cloudtrail@eu-west-1', 'GetTrailStatus', async () => 1));
    expect((r as { error: Error }).error.message).toMatch(/GetTrailStatus got no answer within 1 s 2 times/);
    expect(await g.attempt('cloudtrail@eu-west-1', 'GetTrail', async () => 2)).toBe(2);
  });

  it('after the deadline nothing is sent, and what was in flight is abandoned', async () => {
    const g = new RunGuard({ attemptTimeoutMs: 10_000, deadlineAt: Date.now() + 60 });
    const inflight = settle(g.timed('s3', undefined, () => new Promise<{ response: { body?: unknown } }>(() => undefined)));
    const r = await inflight;
    expect(r.ok).toBe(false);
    expect((r as { error: Error }).error.name).toBe('DeadlineExceeded');
    const next = await settle(g.attempt('s3@eu-west-1', 'HeadBucket', async () => 1));
    expect((next as { error: Error }).error.name).toBe('DeadlineExceeded');
    expect(g.summary().deadlineReached).toBe(true);
    g.dispose();
  });

  it('a cancelled run fails what is in flight with the reason and sends nothing more, without calling it a deadline', async () => {
    const g = new RunGuard({ attemptTimeoutMs: 10_000 });
    const inflight = settle(g.timed('s3', undefined, () => new Promise<{ response: { body?: unknown } }>(() => undefined)));
    const why = new Error('the caller’s identity was refused');
    g.cancel(why);
    expect(await inflight).toEqual({ ok: false, error: why });
    let sent = false;
    const next = await settle(g.attempt('s3@eu-west-1', 'HeadBucket', async () => (sent = true)));
    expect(next).toEqual({ ok: false, error: why });
    expect(sent).toBe(false);
    expect(g.summary().deadlineReached).toBe(false);
    g.dispose();
  });

  it('an attempt with no answer within the attempt timeout fails as a TimeoutError (which the SDK retries)', async () => {
    const g = new RunGuard({ attemptTimeoutMs: 50 });
    let aborted = false;
    const r = await settle(
      g.timed('cloudtrail (localhost)', undefined, (signal) => {
        signal.addEventListener('abort', () => (aborted = true));
        return new Promise<{ response: { body?: unknown } }>(() => undefined);
      }),
    );
    expect((r as { error: Error }).error.name).toBe('TimeoutError');
    expect((r as { error: Error }).error.message).toMatch(/no answer from cloudtrail \(localhost\) within 0\.1 s|within 0\.05 s|within 50/);
    expect(aborted).toBe(true);
  });
});

describe('watchBody', () => {
  const collect = async (r: Readable) => {
    const chunks: Buffer[] = [];
    for await (const c of r) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString();
  };

  it('passes a body through unchanged', async () => {
    const out = watchBody(Readable.from([Buffer.from('hello '), Buffer.from('world')]), 100, 's3');
    expect(await collect(out)).toBe('hello world');
  });

  it('destroys a body that stalls mid-way with a TimeoutError', async () => {
    const src = new PassThrough();
    src.write('partial');
    const out = watchBody(src, 40, 's3 GetObject');
    const r = await settle(collect(out));
    expect(r.ok).toBe(false);
    expect((r as { error: Error }).error.name).toBe('TimeoutError');
    expect((r as { error: Error }).error.message).toMatch(/stopped arriving/);
  });

  it('does not call a slow reader a stall while bytes wait for it', async () => {
    const src = new PassThrough();
    const out = watchBody(src, 30, 's3');
    src.write(Buffer.alloc(64 * 1024, 97));
    src.end(Buffer.from('!'));
    await sleep(120); // the reader takes its time; the bytes are buffered
    const text = await collect(out);
    expect(text.length).toBe(64 * 1024 + 1);
  });
});
