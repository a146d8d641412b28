import { createServer, request as httpRequest, Agent, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { freePort } from '../../test/support/moto.js';
import type { Override } from '../../test/support/standin.js';

/**
 * The benchmark's loopback proxy: the stand-in's behaviour (a fixed delay before every request,
 * JSON-protocol operations answered by X-Amz-Target overrides: ListPublicKeys) but streaming bodies
 * instead of buffering them, and spreading requests round-robin over several identically seeded moto
 * servers. Real S3 serves many requests at once; one moto process (Python, one GIL) serves about
 * one at a time, which would measure the emulator rather than the tools.
 */
export interface BenchProxy {
  endpoint: string;
  setDelay(ms: number): void;
  requests(): number;
  /** Objects held by the caching layer (0 without `cache`). */
  cached(): number;
  stop(): Promise<void>;
}

/**
 * With `cache`, the proxy is also a caching layer in front of one emulator: the body and headers of
 * a plain object GET (no Range, no query but the SDK's `x-id`) that answered 200 are kept in memory
 * and every later GET of that key is answered from there, after the same delay. A CloudTrail log or
 * digest file never changes once written, and the bench never writes during a run, so both tools
 * see exactly what the emulator would have answered. The bench's untimed warm-up pass fills it: the
 * timed runs then measure the tools, not moto's one Python process (about 2 ms of CPU per request,
 * a connection and a thread each). Listings and CloudTrail calls still go to the emulator.
 */
interface CachedObject {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * `cache: 'reads'` (bench/diagnose) keeps every S3 read: GET and HEAD of any path and query, their
 * 200 and 404 answers (a bucket without a lifecycle configuration answers 404 to every ask). Only
 * for a bench that changes nothing in the store while the cache is on.
 */
export function readCacheKeyOf(method: string | undefined, url: string | undefined, headers: Record<string, unknown>): string | undefined {
  if ((method !== 'GET' && method !== 'HEAD') || !url || headers['range'] !== undefined || headers['x-amz-target'] !== undefined) return undefined;
  return `${method} ${url}`;
}

/** The cache key of a cacheable object GET (path-style `/bucket/key`), or undefined. */
export function cacheKeyOf(method: string | undefined, url: string | undefined, headers: Record<string, unknown>): string | undefined {
  if (method !== 'GET' || !url || headers['range'] !== undefined) return undefined;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (q >= 0) {
    for (const name of new URLSearchParams(url.slice(q + 1)).keys()) if (name !== 'x-id') return undefined;
  }
  // `/bucket/key...`: a bucket-level GET (`/bucket`, `/bucket/`) is a listing, never cached
  const slash = path.indexOf('/', 1);
  return slash > 0 && slash < path.length - 1 ? path : undefined;
}

export async function startBenchProxy(opts: { upstreams: string[]; overrides: Record<string, Override>; delayMs?: number; cache?: boolean | 'reads' }): Promise<BenchProxy & { setCache(on: boolean): void }> {
  const ups = opts.upstreams.map((u) => new URL(u));
  const cache = new Map<string, CachedObject>();
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let delay = opts.delayMs ?? 0;
  let caching = opts.cache !== undefined && opts.cache !== false;
  const keyOf = opts.cache === 'reads' ? readCacheKeyOf : cacheKeyOf;
  const keeps = (status: number | undefined) => status === 200 || (opts.cache === 'reads' && status === 404);
  let n = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    n++;
    const go = () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const override = target ? opts.overrides[target] : undefined;
      if (override) {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', async () => {
          let body: Record<string, unknown> = {};
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
          } catch {
            body = {};
          }
          const reply = await override(body, { forward: async () => ({ status: 501, body: {} }), req });
          res.writeHead(reply.status ?? 200, { 'content-type': 'application/x-amz-json-1.1', ...(reply.headers ?? {}) });
          res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
        });
        return;
      }
      const cacheKey = caching ? keyOf(req.method, req.url, req.headers) : undefined;
      const hit = cacheKey ? cache.get(cacheKey) : undefined;
      if (hit) {
        req.resume();
        res.writeHead(hit.status, hit.headers);
        res.end(hit.body);
        return;
      }
      const up = ups[n % ups.length]!;
      const out = httpRequest(
        { host: up.hostname, port: up.port, method: req.method, path: req.url, headers: { ...req.headers, host: `${up.hostname}:${up.port}` }, agent },
        (r) => {
          // hop-by-hop headers stay on their hop: moto's `Connection: close` must not make the client
          // reconnect for every request (real S3 keeps connections alive)
          const headers = { ...r.headers };
          delete headers.connection;
          delete headers['keep-alive'];
          res.writeHead(r.statusCode ?? 502, headers);
          if (cacheKey && keeps(r.statusCode)) {
            const parts: Buffer[] = [];
            const status = r.statusCode!;
            r.on('data', (c: Buffer) => parts.push(c));
            r.on('end', () => cache.set(cacheKey, { status, headers, body: Buffer.concat(parts) }));
          }
          r.pipe(res);
        },
      );
      out.on('error', (e) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(String(e.message));
      });
      req.pipe(out);
    };
    if (delay > 0) setTimeout(go, delay);
    else go();
  });
  server.keepAliveTimeout = 5_000;
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    setDelay: (ms) => {
      delay = ms;
    },
    requests: () => n,
    cached: () => cache.size,
    setCache: (on) => {
      caching = on && opts.cache !== undefined && opts.cache !== false;
      if (!on) cache.clear();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}
