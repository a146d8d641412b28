import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import type { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac } from 'node:crypto';

/**
 * Reads S3 objects as streams. The SDK's GetObject costs about 0.7 ms of CPU per request in its
 * middleware stack (endpoint rules, schema serde, retry bookkeeping); `validate` makes one per log
 * file, thousands per run, so that cost decides its speed on a busy machine. The fast reader learns
 * the request shape once per bucket from a real SDK call (endpoint, path style, signing region and
 * service, user agent), then signs further GETs with the SDK's own SigV4 signer and sends them
 * through the SDK's own HTTP handler (same sockets, same timeouts).
 *
 * The SDK stays the authority: anything but `200 OK` (absent key, denied, throttled, redirected,
 * 5xx), a network error, or a request shape the fast path does not know is replayed through
 * GetObjectCommand, with the SDK's retries and error types. Callers therefore see exactly what
 * `s3.send(new GetObjectCommand(...))` would give them.
 */
export interface S3ObjectBody {
  body: AsyncIterable<Uint8Array>;
  /** User metadata, keys lower-case without `x-amz-meta-` (as the SDK returns them). */
  metadata: Record<string, string>;
  /** The body's length in bytes (Content-Length), when the answer gave one. */
  size?: number;
}

export interface S3ObjectReader {
  get(bucket: string, key: string): Promise<S3ObjectBody>;
}

/** The plain SDK path. */
export function sdkObjectReader(s3: S3Client): S3ObjectReader {
  return { get: async (bucket, key) => objectBody(await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))) };
}

function objectBody(res: GetObjectCommandOutput): S3ObjectBody {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.Metadata ?? {})) metadata[k.toLowerCase()] = v;
  return { body: res.Body as AsyncIterable<Uint8Array>, metadata, ...(typeof res.ContentLength === 'number' ? { size: res.ContentLength } : {}) };
}

/** Keys whose URI encoding is themselves: every CloudTrail log and digest key. Others take the SDK path. */
const PLAIN_KEY = /^[A-Za-z0-9._\-/]+$/;
/** Headers that belong to one request, never to the shape of all of them. */
const PER_REQUEST = new Set(['authorization', 'x-amz-date', 'x-amz-security-token', 'amz-sdk-invocation-id', 'amz-sdk-request', 'content-length']);
const CREDENTIAL_SCOPE = /^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request,/;

interface CapturedRequest {
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string | string[] | null>;
  headers: Record<string, string>;
}

interface Shape extends Omit<CapturedRequest, 'path'> {
  /** The path up to the key, e.g. `/bucket/` (path style) or `/` (virtual-hosted). */
  pathPrefix: string;
  signer: GetSigner;
}

/** Credentials as the SDK resolves them. */
export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Headers SigV4 signers leave unsigned (the SDK's list): they may change on the way. */
const UNSIGNABLE = new Set(['authorization', 'cache-control', 'connection', 'expect', 'from', 'keep-alive', 'max-forwards', 'pragma', 'referer', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'x-amzn-trace-id']);
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * SigV4 of a body-less GET whose path needs no escaping (AWS's documented algorithm:
 * sigv4-create-canonical-request), with the day's signing key derived once. The SDK's signer
 * recomputes an HMAC of the credentials on every request to find its cached key and goes through
 * several layers of wrappers; for thousands of GETs that was a tenth of the main thread's time.
 * Signs every header given except the unsignable ones; adds x-amz-date and the session token.
 */
export class GetSigner {
  private key: { id: string; value: Buffer } | undefined;

  constructor(private readonly region: string, private readonly service: string) {}

  sign(req: { path: string; query: Record<string, string | string[] | null>; headers: Record<string, string> }, creds: SigningCredentials, at: Date): Record<string, string> {
    const amzDate = at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const day = amzDate.slice(0, 8);
    const headers: Record<string, string> = { ...req.headers, 'x-amz-date': amzDate };
    if (creds.sessionToken) headers['x-amz-security-token'] = creds.sessionToken;
    const names: string[] = [];
    const values = new Map<string, string>();
    for (const [k, v] of Object.entries(headers)) {
      const n = k.toLowerCase();
      if (UNSIGNABLE.has(n)) continue;
      names.push(n);
      values.set(n, String(v).trim().replace(/\s+/g, ' '));
    }
    names.sort();
    const pairs: string[] = [];
    for (const [k, v] of Object.entries(req.query)) {
      if (v === null || v === undefined) pairs.push(`${rfc3986(k)}=`);
      else for (const one of Array.isArray(v) ? [...v].sort() : [v]) pairs.push(`${rfc3986(k)}=${rfc3986(one)}`);
    }
    pairs.sort();
    const signedHeaders = names.join(';');
    const canonical = ['GET', req.path, pairs.join('&'), names.map((n) => `${n}:${values.get(n)}\n`).join(''), signedHeaders, headers['x-amz-content-sha256'] ?? EMPTY_SHA256].join('\n');
    const scope = `${day}/${this.region}/${this.service}/aws4_request`;
    const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
    const id = `${day}\n${creds.accessKeyId}\n${creds.secretAccessKey}`;
    if (this.key?.id !== id) {
      let k = createHmac('sha256', `AWS4${creds.secretAccessKey}`).update(day).digest();
      for (const part of [this.region, this.service, 'aws4_request']) k = createHmac('sha256', k).update(part).digest();
      this.key = { id, value: k };
    }
    const signature = createHmac('sha256', this.key.value).update(toSign).digest('hex');
    headers['authorization'] = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return headers;
  }
}

type S3Config = {
  credentials: ConstructorParameters<typeof SignatureV4>[0]['credentials'];
  sha256: ConstructorParameters<typeof SignatureV4>[0]['sha256'];
  signingEscapePath?: boolean;
  systemClockOffset?: number;
};

/** The request shape of `captured` (a signed GetObject of `key`), or undefined when the fast path cannot reproduce it. */
function shapeOf(captured: CapturedRequest, key: string, config: S3Config): Shape | undefined {
  if (!PLAIN_KEY.test(key) || !captured.path.endsWith(`/${key}`)) return undefined;
  const scope = CREDENTIAL_SCOPE.exec(captured.headers['authorization'] ?? '');
  if (!scope) return undefined; // SigV4a, S3 Express session auth, anonymous: leave it to the SDK
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(captured.headers)) if (!PER_REQUEST.has(k.toLowerCase())) headers[k] = v;
  return {
    protocol: captured.protocol,
    hostname: captured.hostname,
    ...(captured.port !== undefined ? { port: captured.port } : {}),
    pathPrefix: captured.path.slice(0, captured.path.length - key.length),
    query: { ...captured.query },
    headers,
    signer: new GetSigner(scope[1]!, scope[2]!),
  };
}

export interface FastReaderOptions {
  /** Called once per request actually sent by the fast path (the SDK path records its own). */
  onCall?: (startedAt: number, durationMs: number, answer?: { httpStatus: number; requestId?: string }) => void;
}

export function fastObjectReader(s3: S3Client, handler: Pick<NodeHttpHandler, 'handle'>, opts: FastReaderOptions = {}): S3ObjectReader {
  const sdk = sdkObjectReader(s3);
  const config = s3.config as unknown as S3Config;
  const shapes = new Map<string, Promise<Shape | undefined>>();

  /** One SDK GetObject that also reports the signed request it sent. */
  const learn = async (bucket: string, key: string): Promise<{ result: S3ObjectBody; shape?: Shape }> => {
    let captured: CapturedRequest | undefined;
    const cmd = new GetObjectCommand({ Bucket: bucket, Key: key });
    const capture = (next: (a: { request: CapturedRequest }) => Promise<unknown>) => async (args: { request: CapturedRequest }) => {
      captured = { ...args.request, headers: { ...args.request.headers }, query: { ...(args.request.query ?? {}) } };
      return next(args);
    };
    (cmd.middlewareStack as unknown as { addRelativeTo: (mw: unknown, o: object) => void }).addRelativeTo(capture, {
      relation: 'after',
      toMiddleware: 'httpSigningMiddleware',
      name: 'trailDoctorShapeCapture',
    });
    const result = objectBody(await s3.send(cmd));
    return { result, shape: captured ? shapeOf(captured, key, config) : undefined };
  };

  return {
    async get(bucket, key) {
      let shapeP = shapes.get(bucket);
      if (!shapeP) {
        // the first request of a bucket teaches the shape; later ones wait for it rather than all learning
        const first = learn(bucket, key);
        shapes.set(bucket, first.then((f) => f.shape, () => { shapes.delete(bucket); return undefined; }));
        return (await first).result;
      }
      const shape = await shapeP;
      if (!shape || !PLAIN_KEY.test(key)) return sdk.get(bucket, key);
      const request = {
        method: 'GET',
        protocol: shape.protocol,
        hostname: shape.hostname,
        ...(shape.port !== undefined ? { port: shape.port } : {}),
        path: shape.pathPrefix + key,
        query: { ...shape.query },
        headers: { ...shape.headers },
      };
      const startedAt = Date.now();
      let response: { statusCode: number; headers: Record<string, string>; body?: unknown };
      let answered: typeof response | undefined;
      try {
        const cred = config.credentials as unknown as SigningCredentials | (() => Promise<SigningCredentials>);
        const creds = typeof cred === 'function' ? await cred() : cred;
        const signed = { ...request, headers: shape.signer.sign(request, creds, new Date(Date.now() + (config.systemClockOffset ?? 0))) };
        response = answered = (await handler.handle(signed as never)).response as typeof response;
      } catch {
        return sdk.get(bucket, key);
      } finally {
        opts.onCall?.(startedAt, Date.now() - startedAt, answered ? { httpStatus: answered.statusCode, requestId: answered.headers['x-amz-request-id'] } : undefined);
      }
      if (response.statusCode !== 200) {
        (response.body as { destroy?: () => void } | undefined)?.destroy?.();
        return sdk.get(bucket, key);
      }
      const metadata: Record<string, string> = {};
      for (const [k, v] of Object.entries(response.headers)) if (k.toLowerCase().startsWith('x-amz-meta-')) metadata[k.toLowerCase().slice(11)] = v;
      const length = Number(response.headers['content-length'] ?? NaN);
      return { body: response.body as AsyncIterable<Uint8Array>, metadata, ...(Number.isSafeInteger(length) && length >= 0 ? { size: length } : {}) };
    },
  };
}
