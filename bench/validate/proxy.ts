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
  stop(): Promise<void>;
}

export async function startBenchProxy(opts: { upstreams: string[]; overrides: Record<string, Override>; delayMs?: number }): Promise<BenchProxy> {
  const ups = opts.upstreams.map((u) => new URL(u));
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let delay = opts.delayMs ?? 0;
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
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}
