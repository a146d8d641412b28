import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { renderHtml } from '../report/html.js';
import { renderJson } from '../report/json.js';
import type { Report } from '../report/model.js';
import { parseWebhook, PayloadError, type WebhookPayload } from './alerts.js';

/**
 * watch's HTTP endpoints: GET /metrics (Prometheus text format), GET /healthz, POST /alertmanager
 * (answers 202 at once; the diagnoses run after), GET /reports/latest?trail_arn=…[&region=…]
 * (JSON, or HTML for `Accept: text/html`). Bodies are capped; anything else is 404/405.
 */
export interface ServerHandlers {
  metrics(): Promise<{ contentType: string; body: string }>;
  health(): { ok: boolean; body: Record<string, unknown> };
  /** Returns a summary for the 202 body; must not wait for diagnoses. */
  webhook(payload: WebhookPayload): Record<string, unknown>;
  latestReport(trailArn: string, region?: string): Report | undefined;
}

export const MAX_BODY_BYTES = 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body) + '\n');
};

function wantsHtml(req: IncomingMessage): boolean {
  const accept = String(req.headers.accept ?? '');
  const html = /text\/html/i.test(accept);
  const jsonFirst = /application\/json/i.test(accept) && accept.toLowerCase().indexOf('application/json') < accept.toLowerCase().indexOf('text/html');
  return html && !jsonFirst;
}

export function createWatchServer(h: ServerHandlers): Server {
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const route = `${req.method} ${url.pathname}`;
      switch (route) {
        case 'GET /metrics': {
          const m = await h.metrics();
          res.writeHead(200, { 'content-type': m.contentType });
          res.end(m.body);
          return;
        }
        case 'GET /healthz': {
          const r = h.health();
          return json(res, r.ok ? 200 : 503, r.body);
        }
        case 'POST /alertmanager': {
          const raw = await readBody(req);
          let body: unknown;
          try {
            body = JSON.parse(raw.toString('utf8'));
          } catch {
            throw new HttpError(400, 'the body is not JSON');
          }
          return json(res, 202, h.webhook(parseWebhook(body)));
        }
        case 'GET /reports/latest': {
          const arn = url.searchParams.get('trail_arn');
          if (!arn) throw new HttpError(400, 'trail_arn is required: /reports/latest?trail_arn=arn:aws:cloudtrail:…');
          const report = h.latestReport(arn, url.searchParams.get('region') ?? undefined);
          if (!report) throw new HttpError(404, 'no diagnosis of this trail yet');
          if (wantsHtml(req)) {
            res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:" });
            res.end(renderHtml(report));
          } else {
            res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
            res.end(renderJson(report));
          }
          return;
        }
        default: {
          const known = ['/metrics', '/healthz', '/alertmanager', '/reports/latest'];
          if (known.includes(url.pathname)) throw new HttpError(405, `${req.method} is not allowed on ${url.pathname}`);
          throw new HttpError(404, 'not found');
        }
      }
    } catch (e) {
      const status = e instanceof HttpError ? e.status : e instanceof PayloadError ? 400 : 500;
      if (!res.headersSent) json(res, status, { error: status === 500 ? 'internal error' : (e as Error).message });
      else res.end();
    }
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 70_000;
  server.requestTimeout = 30_000;
  return server;
}

export function listen(server: Server, host: string, port: number): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address();
      resolve({ host, port: typeof a === 'object' && a ? a.port : port });
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections?.();
    setTimeout(() => server.closeAllConnections?.(), 2_000).unref();
  });
}
