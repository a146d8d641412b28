import type { NodeHttpHandler } from '@smithy/node-http-handler';
import type { RunGuard } from './guard.js';

/**
 * The guard's two hooks into an SDK client (see guard.ts): the HTTP handler that bounds each
 * attempt's time, and the middleware that sees each attempt's parsed outcome.
 */
type Handle = NodeHttpHandler['handle'];

/** The shared handler (one socket pool for every client), with each attempt bounded by the guard. */
export function guardedHandler(inner: NodeHttpHandler, guard: RunGuard, key: string) {
  const [service] = key.split('@');
  const handle: Handle = (request, options) =>
    guard.timed(`${service} (${request.hostname})`, options?.abortSignal as AbortSignal | undefined, (signal) =>
      inner.handle(request, { ...(options ?? {}), abortSignal: signal as never }),
    ) as ReturnType<Handle>;
  return {
    handle,
    metadata: inner.metadata,
    updateHttpClientConfig: inner.updateHttpClientConfig.bind(inner),
    httpHandlerConfigs: inner.httpHandlerConfigs.bind(inner),
    // The pool is shared: one client being destroyed must not close the others' sockets.
    destroy: () => undefined,
  };
}

/** Inside the retry loop: every attempt is admitted, counted and classified by the guard. */
export function guardMiddleware(guard: RunGuard, key: string) {
  return (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) =>
    guard.attempt(key, (context.commandName ?? 'unknown').replace(/Command$/, ''), () => next(args));
}
