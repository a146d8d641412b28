import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { freePort } from './moto.js';
import { forwardRaw as forward, readBody } from './standin.js';

/**
 * A loopback proxy that injects one kind of fault into chosen API actions and forwards everything
 * else to its upstream (moto, or a stand-in in front of moto). Actions are named as IAM names them
 * (`cloudtrail:GetTrailStatus`, `s3:GetBucketPolicy`, `logs:StartQuery`), whatever the wire
 * protocol: the service comes from the SigV4 credential scope every signed request carries, the
 * operation from `X-Amz-Target` (JSON protocols), `Action=` (query protocol) or the S3 REST shape.
 * Errors are answered in each protocol's own shape, so the SDK parses them as AWS would send them.
 */
export type FaultKind = 'throttle' | 'server-error' | 'denied' | 'reset' | 'truncate' | 'hang';
export const FAULT_KINDS: readonly FaultKind[] = ['throttle', 'server-error', 'denied', 'reset', 'truncate', 'hang'];

export interface FaultRule {
  /** `service:Operation`, or `service:*` for every operation of a service. */
  action: string;
  kind: FaultKind;
  /** Faulty answers before the action recovers; default: every time. */
  times?: number;
}

export interface FaultProxy {
  endpoint: string;
  /** Requests seen per action (faulty or not). */
  seen: Map<string, number>;
  /** Faults injected per action. */
  injected: Map<string, number>;
  setRules(rules: FaultRule[]): void;
  stop(): Promise<void>;
}

type Protocol = 'json' | 'query' | 'rest-xml';

export interface RequestIdentity {
  service: string;
  operation: string;
  protocol: Protocol;
}

/** Signing names that differ from IAM's service prefix. */
const SIGNING_TO_IAM: Record<string, string> = { monitoring: 'cloudwatch' };

function signingService(req: IncomingMessage): string {
  const auth = String(req.headers.authorization ?? '');
  const m = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(auth);
  const s = m?.[1] ?? 'unknown';
  return SIGNING_TO_IAM[s] ?? s;
}

const S3_BUCKET_SUBRESOURCES: [string, string, string][] = [
  // [query key, GET operation, PUT operation]
  ['policy', 'GetBucketPolicy', 'PutBucketPolicy'],
  ['acl', 'GetBucketAcl', 'PutBucketAcl'],
  ['encryption', 'GetBucketEncryption', 'PutBucketEncryption'],
  ['lifecycle', 'GetBucketLifecycleConfiguration', 'PutBucketLifecycleConfiguration'],
  ['logging', 'GetBucketLogging', 'PutBucketLogging'],
  ['requestPayment', 'GetBucketRequestPayment', 'PutBucketRequestPayment'],
  ['versioning', 'GetBucketVersioning', 'PutBucketVersioning'],
  ['object-lock', 'GetObjectLockConfiguration', 'PutObjectLockConfiguration'],
  ['ownershipControls', 'GetBucketOwnershipControls', 'PutBucketOwnershipControls'],
  ['publicAccessBlock', 'GetPublicAccessBlock', 'PutPublicAccessBlock'],
  ['location', 'GetBucketLocation', 'GetBucketLocation'],
  ['notification', 'GetBucketNotificationConfiguration', 'PutBucketNotificationConfiguration'],
  ['tagging', 'GetBucketTagging', 'PutBucketTagging'],
];

/** The S3 REST operation of a path-style request (`/bucket` or `/bucket/key`). */
export function s3Operation(method: string, url: string): string {
  const u = new URL(url, 'http://x');
  const parts = u.pathname.split('/').filter(Boolean);
  const q = u.searchParams;
  if (parts.length === 0) return 'ListBuckets';
  if (parts.length === 1) {
    for (const [key, get, put] of S3_BUCKET_SUBRESOURCES) if (q.has(key)) return method === 'PUT' ? put : method === 'DELETE' ? get.replace(/^Get/, 'Delete') : get;
    if (method === 'HEAD') return 'HeadBucket';
    if (method === 'PUT') return 'CreateBucket';
    if (method === 'DELETE') return 'DeleteBucket';
    if (q.has('uploads')) return 'ListMultipartUploads';
    if (q.has('versions')) return 'ListObjectVersions';
    return q.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
  }
  if (method === 'HEAD') return 'HeadObject';
  if (method === 'PUT') return 'PutObject';
  if (method === 'DELETE') return 'DeleteObject';
  return 'GetObject';
}

export function identify(req: IncomingMessage, body: Buffer): RequestIdentity {
  const service = signingService(req);
  const target = String(req.headers['x-amz-target'] ?? '');
  if (target) {
    // `CloudTrail_20131101.GetTrailStatus` or the AWS CLI's `com.amazonaws...CloudTrail_20131101.GetTrailStatus`
    return { service, operation: target.slice(target.lastIndexOf('.') + 1), protocol: 'json' };
  }
  const ctype = String(req.headers['content-type'] ?? '');
  if (req.method === 'POST' && ctype.includes('x-www-form-urlencoded')) {
    const action = new URLSearchParams(body.toString('utf8')).get('Action') ?? 'unknown';
    return { service, operation: action, protocol: 'query' };
  }
  return { service, operation: s3Operation(req.method ?? 'GET', req.url ?? '/'), protocol: 'rest-xml' };
}

interface ErrorShape {
  status: number;
  code: string;
  message: string;
}

const ERRORS: Record<'throttle' | 'server-error' | 'denied', Record<Protocol, ErrorShape>> = {
  throttle: {
    json: { status: 400, code: 'ThrottlingException', message: 'Rate exceeded' },
    query: { status: 400, code: 'Throttling', message: 'Rate exceeded' },
    'rest-xml': { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' },
  },
  'server-error': {
    json: { status: 500, code: 'InternalFailure', message: 'The request processing has failed because of an unknown error.' },
    query: { status: 500, code: 'InternalFailure', message: 'The request processing has failed because of an unknown error.' },
    'rest-xml': { status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.' },
  },
  denied: {
    json: { status: 400, code: 'AccessDeniedException', message: 'User: arn:aws:iam::123456789012:user/oncall is not authorized to perform this action' },
    query: { status: 403, code: 'AccessDenied', message: 'User: arn:aws:iam::123456789012:user/oncall is not authorized to perform this action' },
    'rest-xml': { status: 403, code: 'AccessDenied', message: 'Access Denied' },
  },
};

let requestSeq = 0;

function sendError(res: ServerResponse, req: IncomingMessage, protocol: Protocol, shape: ErrorShape): void {
  const requestId = `fault-${++requestSeq}`;
  if (protocol === 'json') {
    const body = JSON.stringify({ __type: shape.code, message: shape.message });
    res.writeHead(shape.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': shape.code, 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  const body =
    protocol === 'query'
      ? `<ErrorResponse><Error><Type>Sender</Type><Code>${shape.code}</Code><Message>${shape.message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
      : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${shape.code}</Code><Message>${shape.message}</Message><RequestId>${requestId}</RequestId></Error>`;
  // A HEAD answer has no body: S3 clients read the status alone.
  const head = req.method === 'HEAD';
  res.writeHead(shape.status, { 'content-type': 'application/xml', 'x-amz-request-id': requestId, 'content-length': head ? 0 : Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

export async function startFaultProxy(opts: { upstream: string; rules?: FaultRule[] }): Promise<FaultProxy> {
  const upstream = new URL(opts.upstream);
  const seen = new Map<string, number>();
  const injected = new Map<string, number>();
  let rules: FaultRule[] = opts.rules ?? [];
  const sockets = new Set<Socket>();
  const ruleFor = (action: string): FaultRule | undefined => {
    const service = action.split(':')[0];
    const rule = rules.find((r) => r.action === action || r.action === `${service}:*`);
    if (!rule) return undefined;
    return rule.times === undefined || (injected.get(action) ?? 0) < rule.times ? rule : undefined;
  };

  const server: Server = createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const id = identify(req, body);
      const action = `${id.service}:${id.operation}`;
      seen.set(action, (seen.get(action) ?? 0) + 1);
      const rule = ruleFor(action);
      if (rule) injected.set(action, (injected.get(action) ?? 0) + 1);
      switch (rule?.kind) {
        case 'throttle':
        case 'server-error':
        case 'denied':
          return sendError(res, req, id.protocol, ERRORS[rule.kind][id.protocol]);
        case 'reset':
          req.socket.destroy();
          return;
        case 'hang':
          // Never answers: only the client's own timeout, or the proxy's stop, ends it.
          return;
        case 'truncate': {
          const r = await forward(upstream, req, body);
          const headers: Record<string, unknown> = { ...r.headers, 'content-length': String(r.body.length), connection: 'close' };
          delete headers['transfer-encoding'];
          res.writeHead(r.status, headers as Record<string, string>);
          // Half the promised body, then the connection drops, as a broken network or a dying node would.
          res.write(r.body.subarray(0, Math.floor(r.body.length / 2)));
          setTimeout(() => req.socket.destroy(), 10);
          return;
        }
        default: {
          const r = await forward(upstream, req, body);
          res.writeHead(r.status, r.headers as Record<string, string>);
          res.end(r.body);
        }
      }
    } catch (e) {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String((e as Error).message));
    }
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.keepAliveTimeout = 5_000;
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    injected,
    setRules(next) {
      rules = next;
      injected.clear();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
