import { setMaxListeners } from 'node:events';
import { Transform, type Readable } from 'node:stream';
import { Gate } from './gate.js';
import { THROTTLE_ERROR_NAMES } from './call.js';

/**
 * What keeps one run bounded whatever AWS does: a deadline for the whole run, a hard timeout for
 * every HTTP attempt (connect, first byte, and a body that stalls), a circuit per service that
 * opened after repeated 5xx answers, and a throttling budget per service with concurrency that
 * halves while the service throttles. Everything that happens here is counted, so the report can
 * say how much was throttled or abandoned.
 *
 * It sits in two places of each SDK client: a middleware inside the retry loop (it sees every
 * attempt's parsed error, whatever the protocol) and a wrapper around the shared HTTP handler (it
 * owns the sockets' time). Errors it raises itself are named so the SDK retries only the ones a
 * retry can help (a timed-out attempt) and never the ones that mean "stop" (deadline, open circuit,
 * spent throttle budget).
 */
export interface GuardOptions {
  /** Hard limit of one HTTP attempt: connect, first byte, and any silence mid-body. */
  attemptTimeoutMs: number;
  /** Epoch ms after which nothing more is sent and what is in flight is abandoned. */
  deadlineAt?: number;
  /** 5xx answers from one service (and region) before it is not called again in this run. */
  serverErrorLimit?: number;
  /** Throttled answers from one service (and region) before the run stops asking it. */
  throttleBudget?: number;
  /** Attempts of one operation that got no answer in time before it is not called again. */
  timeoutLimit?: number;
  /** Concurrency of a service that has not throttled yet. */
  maxConcurrency?: number;
  clock?: () => number;
}

export const DEFAULT_SERVER_ERROR_LIMIT = 2;
export const DEFAULT_THROTTLE_BUDGET = 25;
export const DEFAULT_TIMEOUT_LIMIT = 4;
const DEFAULT_MAX_CONCURRENCY = 64;

export interface ServiceHealth {
  /** `service@region` */
  key: string;
  attempts: number;
  throttled: number;
  serverErrors: number;
  timeouts: number;
  /** Calls refused by the guard itself (open circuit, spent budget, deadline). */
  refused: number;
  /** Why the service is no longer called, when it is not. */
  stopped?: string;
  /** The concurrency it was lowered to, when it throttled. */
  concurrency?: number;
}

export interface GuardSummary {
  deadlineReached: boolean;
  services: ServiceHealth[];
}

/** An error the guard raises; `name` decides whether the SDK retries it (only TimeoutError). */
export class GuardError extends Error {
  constructor(
    override readonly name: 'TimeoutError' | 'DeadlineExceeded' | 'ServiceCircuitOpen' | 'ThrottleBudgetSpent',
    message: string,
    readonly $metadata: { httpStatusCode?: number } = {},
  ) {
    super(message);
  }
}

// Also the answers that mean a service is saturated right now, which lower its concurrency.
const THROTTLE_NAMES = new Set([...THROTTLE_ERROR_NAMES, 'ProvisionedThroughputExceededException', 'BandwidthLimitExceeded']);

function errorStatus(e: unknown): number | undefined {
  const o = e as { $metadata?: { httpStatusCode?: number }; $response?: { statusCode?: number } } | undefined;
  return o?.$metadata?.httpStatusCode ?? o?.$response?.statusCode;
}

export function isThrottle(e: unknown): boolean {
  const o = e as { name?: string; Code?: string; code?: string } | undefined;
  return THROTTLE_NAMES.has(String(o?.name ?? o?.Code ?? o?.code ?? '')) || errorStatus(e) === 429;
}

interface ServiceState extends ServiceHealth {
  gate: Gate;
  successesSinceThrottle: number;
  /** 5xx answers and timed-out attempts per operation, and the operations given up on (why). */
  serverErrorsByOp: Map<string, number>;
  timeoutsByOp: Map<string, number>;
  openCircuits: Map<string, string>;
}

export class RunGuard {
  readonly attemptTimeoutMs: number;
  private readonly services = new Map<string, ServiceState>();
  private readonly run = new AbortController();
  private deadlineTimer?: NodeJS.Timeout;
  private readonly clock: () => number;
  private readonly serverErrorLimit: number;
  private readonly throttleBudget: number;
  private readonly maxConcurrency: number;
  private readonly timeoutLimit: number;
  private readonly startedAt: number;
  deadlineReached = false;
  private cancelled?: Error;

  constructor(private readonly opts: GuardOptions) {
    this.attemptTimeoutMs = opts.attemptTimeoutMs;
    this.clock = opts.clock ?? Date.now;
    this.startedAt = this.clock();
    this.serverErrorLimit = opts.serverErrorLimit ?? DEFAULT_SERVER_ERROR_LIMIT;
    this.throttleBudget = opts.throttleBudget ?? DEFAULT_THROTTLE_BUDGET;
    this.maxConcurrency = opts.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
    this.timeoutLimit = opts.timeoutLimit ?? DEFAULT_TIMEOUT_LIMIT;
    // Every call in flight listens to the run's signal: hundreds at once is the normal case.
    setMaxListeners(0, this.run.signal);
    if (opts.deadlineAt !== undefined) {
      const ms = Math.max(0, opts.deadlineAt - this.clock());
      this.deadlineTimer = setTimeout(() => this.expire(), ms);
      // The deadline never keeps a finished run alive.
      this.deadlineTimer.unref();
    }
  }

  /** Aborted when the run's deadline passes. */
  get signal(): AbortSignal {
    return this.run.signal;
  }

  private expire(): void {
    this.deadlineReached = true;
    this.run.abort(this.deadlineError());
    for (const s of this.services.values()) s.gate.drain();
  }

  /** Ends a run whose outcome no longer matters: what is in flight or queued fails with `reason`, nothing more is sent. */
  cancel(reason: Error): void {
    this.cancelled = reason;
    this.run.abort(reason);
    for (const s of this.services.values()) s.gate.drain();
  }

  private deadlineError(): GuardError {
    const s = this.opts.deadlineAt !== undefined ? ` of ${Math.round((this.opts.deadlineAt - this.startedAt) / 1000)} s` : '';
    return new GuardError('DeadlineExceeded', `timed out: the run's deadline${s} passed before this call was answered`);
  }

  private state(key: string): ServiceState {
    let s = this.services.get(key);
    if (!s) {
      s = {
        key,
        attempts: 0,
        throttled: 0,
        serverErrors: 0,
        timeouts: 0,
        refused: 0,
        gate: new Gate(this.maxConcurrency),
        successesSinceThrottle: 0,
        serverErrorsByOp: new Map(),
        timeoutsByOp: new Map(),
        openCircuits: new Map(),
      };
      this.services.set(key, s);
    }
    return s;
  }

  /** Throws when operation `op` of the service must not be called. */
  private admit(s: ServiceState, op: string): void {
    if (this.cancelled) throw this.cancelled;
    if (this.deadlineReached || (this.opts.deadlineAt !== undefined && this.clock() >= this.opts.deadlineAt)) {
      this.deadlineReached = true;
      s.refused++;
      throw this.deadlineError();
    }
    if (s.stopped) {
      s.refused++;
      throw new GuardError('ThrottleBudgetSpent', `throttled: ${s.stopped}`);
    }
    const open = s.openCircuits.get(op);
    if (open) {
      s.refused++;
      throw new GuardError('ServiceCircuitOpen', `not called: ${open}`);
    }
  }

  /** Runs one attempt of operation `op` of `key` (`service@region`) under the guard's rules. */
  async attempt<T>(key: string, op: string, send: () => Promise<T>): Promise<T> {
    const s = this.state(key);
    this.admit(s, op);
    await s.gate.acquire();
    try {
      this.admit(s, op);
      s.attempts++;
      const out = await send();
      this.onSuccess(s);
      return out;
    } catch (e) {
      this.onError(s, op, e);
      throw e;
    } finally {
      s.gate.release();
    }
  }

  private onSuccess(s: ServiceState): void {
    if (s.concurrency === undefined) return;
    // Additive increase after a calm stretch, never above where it started.
    if (++s.successesSinceThrottle >= 10 && s.gate.limit < this.maxConcurrency) {
      s.gate.limit++;
      s.concurrency = s.gate.limit;
      s.successesSinceThrottle = 0;
    }
  }

  private onError(s: ServiceState, op: string, e: unknown): void {
    const [service] = s.key.split('@');
    if (e instanceof GuardError && e.name !== 'TimeoutError') return;
    if (isThrottle(e)) {
      s.throttled++;
      s.successesSinceThrottle = 0;
      s.gate.limit = Math.max(1, Math.floor(s.gate.limit / 2));
      s.concurrency = s.gate.limit;
      if (s.throttled >= this.throttleBudget && !s.stopped) {
        s.stopped = `${service} kept throttling (${s.throttled} throttled answers in this run): not called again`;
        s.gate.drain();
      }
      return;
    }
    const status = errorStatus(e);
    if (status !== undefined && status >= 500) {
      s.serverErrors++;
      const n = bump(s.serverErrorsByOp, op);
      if (n >= this.serverErrorLimit && !s.openCircuits.has(op)) s.openCircuits.set(op, `${service} ${op} answered HTTP ${status} ${n} times in this run`);
      return;
    }
    if ((e as { name?: string })?.name === 'TimeoutError') {
      s.timeouts++;
      const n = bump(s.timeoutsByOp, op);
      if (n >= this.timeoutLimit && !s.openCircuits.has(op)) s.openCircuits.set(op, `${service} ${op} got no answer within ${fmtSeconds(this.attemptTimeoutMs)} ${n} times in this run`);
    }
  }

  summary(): GuardSummary {
    return {
      deadlineReached: this.deadlineReached,
      services: [...this.services.values()]
        .filter((s) => s.throttled || s.serverErrors || s.timeouts || s.refused || s.stopped)
        .map(({ gate: _g, successesSinceThrottle: _s, serverErrorsByOp: _e, timeoutsByOp: _t, openCircuits, ...h }) =>
          openCircuits.size ? { ...h, stopped: [h.stopped, ...openCircuits.values()].filter(Boolean).join('; ') } : h,
        ),
    };
  }

  dispose(): void {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
  }

  /**
   * Bounds one HTTP attempt: `send` gets a signal that aborts after the attempt timeout or at the
   * deadline; a body that then goes silent for the attempt timeout is destroyed with a TimeoutError.
   */
  async timed<R extends { response: { body?: unknown } }>(what: string, upstream: AbortSignal | undefined, send: (signal: AbortSignal) => Promise<R>): Promise<R> {
    const ac = new AbortController();
    const onAbort = (reason: unknown) => ac.abort(reason);
    const stopUpstream = listen(upstream, onAbort);
    const stopRun = listen(this.run.signal, onAbort);
    const timer = setTimeout(() => ac.abort(new GuardError('TimeoutError', `timed out: no answer from ${what} within ${fmtSeconds(this.attemptTimeoutMs)}`)), this.attemptTimeoutMs);
    try {
      const out = await raceAbort(send(ac.signal), ac.signal);
      const body = out.response.body as Readable | undefined;
      if (body && typeof (body as Readable).pipe === 'function') {
        out.response.body = watchBody(body, this.attemptTimeoutMs, what, this.run.signal);
      }
      return out;
    } finally {
      clearTimeout(timer);
      stopUpstream();
      stopRun();
    }
  }
}

function bump(m: Map<string, number>, k: string): number {
  const n = (m.get(k) ?? 0) + 1;
  m.set(k, n);
  return n;
}

function listen(signal: AbortSignal | undefined, fn: (reason: unknown) => void): () => void {
  if (!signal) return () => undefined;
  if (signal.aborted) {
    fn(signal.reason);
    return () => undefined;
  }
  const h = () => fn(signal.reason);
  signal.addEventListener('abort', h, { once: true });
  return () => signal.removeEventListener('abort', h);
}

/** The handler may ignore an abort that lands between its own checks: the race makes it final. */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  // The loser's rejection is expected; it must never surface as an unhandled rejection.
  p.catch(() => undefined);
  if (signal.aborted) return Promise.reject(asError(signal.reason));
  return new Promise<T>((resolve, reject) => {
    const h = () => reject(asError(signal.reason));
    signal.addEventListener('abort', h, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', h);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', h);
        reject(signal.aborted ? asError(signal.reason) : e);
      },
    );
  });
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new GuardError('TimeoutError', `timed out: ${String(reason)}`);
}

const fmtSeconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`);

/**
 * Passes the body through, destroying it when the network goes silent for `idleMs` while the
 * reader is waiting for bytes (a reader that is simply slow, with bytes buffered, is not a stall).
 */
export function watchBody(body: Readable, idleMs: number, what: string, run?: AbortSignal): Readable {
  let timer: NodeJS.Timeout | undefined;
  const out = new Transform({
    transform(chunk, _enc, cb) {
      arm();
      cb(null, chunk);
    },
  });
  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      if (out.readableLength > 0 || out.writableLength > 0 || body.isPaused()) return arm();
      const err = new GuardError('TimeoutError', `timed out: the body from ${what} stopped arriving for ${fmtSeconds(idleMs)}`);
      body.destroy(err);
      out.destroy(err);
    }, idleMs);
    timer.unref();
  };
  const stopRun = listen(run, (reason) => {
    body.destroy(asError(reason));
    out.destroy(asError(reason));
  });
  const done = () => {
    if (timer) clearTimeout(timer);
    stopRun();
  };
  body.on('error', (e) => out.destroy(e));
  // A body cut short (content-length not reached) ends in an error on `body`, not a clean end.
  body.on('aborted', () => out.destroy(Object.assign(new Error(`the body from ${what} was cut off before its end`), { name: 'ECONNRESET', code: 'ECONNRESET' })));
  out.on('close', done);
  out.on('end', done);
  arm();
  body.pipe(out);
  return out;
}
