import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { freePort } from './moto.js';

/**
 * A loopback proxy in front of moto: forwards everything, except JSON-protocol operations named in
 * `overrides` (by the `X-Amz-Target` header the JS SDK sends, e.g. `CloudTrail_20131101.LookupEvents`),
 * which it answers itself. It stands in for what moto lacks (LookupEvents, ListPublicKeys, Health,
 * delivery errors in GetTrailStatus) and can add a fixed delay to every request, so benchmarks
 * reflect a network-bound world rather than the emulator's own speed.
 */
export interface StandinReply {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type Override = (
  body: Record<string, unknown>,
  ctx: { forward: () => Promise<{ status: number; body: unknown }>; req: IncomingMessage },
) => StandinReply | Promise<StandinReply>;

export interface StandinOptions {
  upstream: string;
  overrides?: Record<string, Override>;
  delayMs?: number;
}

export interface Standin {
  endpoint: string;
  /** Count of requests seen per X-Amz-Target (or `s3:<METHOD>` for S3/REST), for assertions. */
  counts: Map<string, number>;
  overrides: Record<string, Override>;
  setDelay(ms: number): void;
  stop(): Promise<void>;
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function forwardRaw(upstream: URL, req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const out = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: `${upstream.hostname}:${upstream.port}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    out.on('error', reject);
    out.end(body);
  });
}

export async function startStandin(opts: StandinOptions): Promise<Standin> {
  const upstream = new URL(opts.upstream);
  const counts = new Map<string, number>();
  const overrides = { ...(opts.overrides ?? {}) };
  let delayMs = opts.delayMs ?? 0;
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const body = await readBody(req);
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      const target = String(req.headers['x-amz-target'] ?? '');
      const key = target || `rest:${req.method}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      const override = target ? overrides[target] : undefined;
      if (override) {
        let parsed: Record<string, unknown> = {};
        try {
          parsed = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
        } catch {
          parsed = {};
        }
        const forward = async () => {
          const r = await forwardRaw(upstream, req, body);
          let b: unknown = r.body.toString('utf8');
          try {
            b = JSON.parse(String(b));
          } catch {
            /* keep text */
          }
          return { status: r.status, body: b };
        };
        const reply = await override(parsed, { forward, req });
        const payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/x-amz-json-1.1', ...(reply.headers ?? {}) });
        res.end(payload);
        return;
      }
      const r = await forwardRaw(upstream, req, body);
      res.writeHead(r.status, r.headers as Record<string, string>);
      res.end(r.body);
    } catch (e) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String((e as Error).message));
    }
  });
  server.keepAliveTimeout = 5_000;
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    overrides,
    setDelay(ms: number) {
      delayMs = ms;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** A JSON-protocol error reply in the shape the SDK parses into a named exception. */
export function awsJsonError(code: string, message: string, status = 400): StandinReply {
  return { status, body: { __type: code, message }, headers: { 'x-amzn-errortype': code } };
}
