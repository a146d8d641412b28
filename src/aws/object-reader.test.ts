import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClients } from './clients.js';

/**
 * The fast S3 reader against a local S3 stand-in on 127.0.0.1: its requests must carry a SigV4
 * signature that AWS's published algorithm (recomputed here independently, with node:crypto) accepts,
 * and anything but 200 must come back exactly as the SDK reports it.
 */
const ACCESS = 'AKIDEXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const TOKEN = 'session-token-example';

interface Seen {
  path: string;
  headers: IncomingMessage['headers'];
  sdk: boolean;
}

const objects = new Map<string, { body: Buffer; meta: Record<string, string> }>();
const seen: Seen[] = [];
const denied = new Set<string>();
let server: Server;
let endpoint: string;

/** SigV4 as AWS documents it (sigv4-create-canonical-request), for a GET with no query but x-id. */
function expectedSignature(method: string, rawPath: string, query: string, headers: IncomingMessage['headers']): string {
  const auth = String(headers.authorization);
  const signed = /SignedHeaders=([^,]+)/.exec(auth)![1]!.split(';');
  const [, date, region, service] = /Credential=[^/]+\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth)!;
  const canonicalHeaders = signed.map((h) => `${h}:${String(headers[h]).trim()}\n`).join('');
  const canonicalQuery = query
    .split('&')
    .filter(Boolean)
    .map((p) => (p.includes('=') ? p : `${p}=`))
    .sort()
    .join('&');
  const canonical = [method, rawPath, canonicalQuery, canonicalHeaders, signed.join(';'), String(headers['x-amz-content-sha256'])].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', String(headers['x-amz-date']), scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  let k: Buffer = createHmac('sha256', `AWS4${SECRET}`).update(date!).digest();
  for (const part of [region!, service!, 'aws4_request']) k = createHmac('sha256', k).update(part).digest();
  return createHmac('sha256', k).update(toSign).digest('hex');
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const key = decodeURIComponent(url.pathname.replace(/^\/bucket\//, ''));
    const sdk = req.headers['amz-sdk-invocation-id'] !== undefined;
    seen.push({ path: url.pathname, headers: req.headers, sdk });
    const given = /Signature=([0-9a-f]+)/.exec(String(req.headers.authorization))?.[1];
    if (!sdk && given !== expectedSignature(req.method!, url.pathname, url.search.slice(1), req.headers)) {
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end('<Error><Code>SignatureDoesNotMatch</Code><Message>bad signature</Message></Error>');
      return;
    }
    if (denied.has(key)) {
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end('<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
      return;
    }
    const o = objects.get(key);
    if (!o) {
      res.writeHead(404, { 'content-type': 'application/xml' });
      res.end('<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>');
      return;
    }
    const meta: Record<string, string> = {};
    for (const [k, v] of Object.entries(o.meta)) meta[`x-amz-meta-${k}`] = v;
    res.writeHead(200, { 'content-length': String(o.body.length), ...meta });
    res.end(o.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.AWS_ACCESS_KEY_ID = ACCESS;
  process.env.AWS_SECRET_ACCESS_KEY = SECRET;
  process.env.AWS_SESSION_TOKEN = TOKEN;
});
afterAll(async () => {
  delete process.env.AWS_SESSION_TOKEN;
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => {
  seen.length = 0;
  objects.clear();
  denied.clear();
});

async function read(body: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of body) parts.push(Buffer.from(c));
  return Buffer.concat(parts).toString();
}

const logKey = (i: number) => `pfx/AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/10/111122223333_CloudTrail_us-east-1_20260110T00${String(i).padStart(2, '0')}Z_AbCdEfGh12345678.json.gz`;

describe('fast S3 object reader', () => {
  it('learns the request from one SDK call, then sends GETs that SigV4 (session token included) accepts', async () => {
    for (let i = 0; i < 4; i++) objects.set(logKey(i), { body: Buffer.from(`log ${i}`), meta: { Signature: `sig-${i}` } });
    const clients = createClients({ region: 'us-east-1', endpointUrl: endpoint, fastObjectReads: true, maxAttempts: 1 });
    const reader = clients.objects('us-east-1');
    for (let i = 0; i < 4; i++) {
      const o = await reader.get('bucket', logKey(i));
      expect(await read(o.body)).toBe(`log ${i}`);
      expect(o.metadata).toEqual({ signature: `sig-${i}` });
      // the body's length, on the SDK path (first) and the fast path alike
      expect(o.size).toBe(`log ${i}`.length);
    }
    expect(seen.map((s) => s.sdk)).toEqual([true, false, false, false]);
    for (const s of seen.slice(1)) {
      expect(s.path).toBe(`/bucket/${logKey(seen.indexOf(s))}`);
      expect(s.headers['x-amz-security-token']).toBe(TOKEN);
      expect(String(s.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/s3\/aws4_request, SignedHeaders=[^,]*x-amz-security-token/);
    }
    // every request the fast path sent is counted like the SDK's
    expect(clients.calls.filter((c) => c.service === 's3' && c.operation === 'GetObject')).toHaveLength(4);
  });

  it('hands absent, denied and rejected requests to the SDK, whose errors callers already classify', async () => {
    objects.set(logKey(0), { body: Buffer.from('first'), meta: {} });
    denied.add(logKey(2));
    const reader = createClients({ region: 'us-east-1', endpointUrl: endpoint, fastObjectReads: true, maxAttempts: 1 }).objects();
    await read((await reader.get('bucket', logKey(0))).body);
    await expect(reader.get('bucket', logKey(1))).rejects.toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    await expect(reader.get('bucket', logKey(2))).rejects.toMatchObject({ name: 'AccessDenied' });
    // fast attempt, then the SDK's authoritative one, for each failure
    expect(seen.map((s) => s.sdk)).toEqual([true, false, true, false, true]);
  });

  it('a key outside the plain CloudTrail alphabet always takes the SDK path', async () => {
    const odd = 'pfx/odd key+(1).json.gz';
    objects.set(logKey(0), { body: Buffer.from('a'), meta: {} });
    objects.set(odd, { body: Buffer.from('b'), meta: {} });
    const reader = createClients({ region: 'us-east-1', endpointUrl: endpoint, fastObjectReads: true, maxAttempts: 1 }).objects();
    await read((await reader.get('bucket', logKey(0))).body);
    expect(await read((await reader.get('bucket', odd)).body)).toBe('b');
    expect(seen.map((s) => s.sdk)).toEqual([true, true]);
  });

  it('the call log keeps a bounded number of records but counts every call', async () => {
    for (let i = 0; i < 8; i++) objects.set(logKey(i), { body: Buffer.from(`log ${i}`), meta: {} });
    const clients = createClients({ region: 'us-east-1', endpointUrl: endpoint, fastObjectReads: true, maxAttempts: 1, callLogLimit: 5 });
    for (let i = 0; i < 8; i++) await read((await clients.objects().get('bucket', logKey(i))).body);
    expect(clients.calls).toHaveLength(5);
    expect(clients.callCount).toBe(8);
  });

  it('is off unless asked for: every read goes through S3Client.send (what test fakes intercept)', async () => {
    objects.set(logKey(0), { body: Buffer.from('a'), meta: {} });
    objects.set(logKey(1), { body: Buffer.from('b'), meta: {} });
    const reader = createClients({ region: 'us-east-1', endpointUrl: endpoint, maxAttempts: 1 }).objects();
    await read((await reader.get('bucket', logKey(0))).body);
    await read((await reader.get('bucket', logKey(1))).body);
    expect(seen.map((s) => s.sdk)).toEqual([true, true]);
  });
});
