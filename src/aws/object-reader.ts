import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';

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
  signer: SignatureV4;
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
    signer: new SignatureV4({ credentials: config.credentials, sha256: config.sha256, region: scope[1]!, service: scope[2]!, uriEscapePath: config.signingEscapePath ?? false, applyChecksum: false }),
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
        const signed = await shape.signer.sign(request as never, { signingDate: new Date(Date.now() + (config.systemClockOffset ?? 0)) });
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
