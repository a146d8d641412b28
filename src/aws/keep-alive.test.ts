import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest, Agent, createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { createClients } from './clients.js';

/**
 * Every service reuses its connections: sequential calls through the clients (the SDK's commands
 * and the fast object reader alike) arrive at a 127.0.0.1 stand-in over one TCP connection, where
 * a client that closes its sockets opens one per call.
 */
function answer(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  req.on('end', () => {
    const target = String(req.headers['x-amz-target'] ?? '');
    if (target.endsWith('DescribeTrails')) {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end('{"trailList":[]}');
    } else if (target.endsWith('DescribeLogGroups')) {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end('{"logGroups":[]}');
    } else if (req.method === 'GET' && req.url?.startsWith('/logs-bucket/')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', etag: '"e"', 'content-length': '5' }).end('hello');
    } else {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"__type":"UnknownOperation"}');
    }
  });
}

interface Counted {
  endpoint: string;
  connections: () => number;
  requests: () => number;
  close: () => Promise<void>;
}

async function listen(server: Server, scheme: 'http' | 'https'): Promise<Counted> {
  let connections = 0;
  let requests = 0;
  server.on(scheme === 'https' ? 'secureConnection' : 'connection', () => connections++);
  server.on('request', () => requests++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    endpoint: `${scheme}://127.0.0.1:${port}`,
    connections: () => connections,
    requests: () => requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const credentials = async () => ({ accessKeyId: 'AKIDKEEPALIVE', secretAccessKey: 'keep-alive-secret' });

async function callEveryWay(endpoint: string): Promise<void> {
  const clients = createClients({ region: 'us-east-1', endpointUrl: endpoint, credentials, fastObjectReads: true, maxAttempts: 1 });
  for (let i = 0; i < 3; i++) await clients.cloudtrail().send(new DescribeTrailsCommand({}));
  for (let i = 0; i < 3; i++) await clients.logs().send(new DescribeLogGroupsCommand({}));
  // the first read goes through the SDK (it learns the request's shape), the others the fast path
  for (let i = 0; i < 4; i++) {
    const { body } = await clients.objects().get('logs-bucket', `AWSLogs/123456789012/CloudTrail/us-east-1/f${i}.json.gz`);
    let text = '';
    for await (const chunk of body) text += Buffer.from(chunk).toString();
    expect(text).toBe('hello');
  }
  expect(clients.callCount).toBe(10);
}

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

describe('keep-alive for every service', () => {
  it('the counting server sees one connection per request from a client that does not keep sockets alive', async () => {
    const s = await listen(createHttpServer(answer), 'http');
    stop = s.close;
    const agent = new Agent({ keepAlive: false });
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest(`${s.endpoint}/logs-bucket/k`, { agent }, (res) => res.resume().on('end', resolve));
        req.on('error', reject).end();
      });
    }
    expect(s.requests()).toBe(3);
    expect(s.connections()).toBe(3);
  });

  it('http: ten sequential calls (CloudTrail, CloudWatch Logs, S3 reads through SDK and fast path) share one TCP connection', async () => {
    const s = await listen(createHttpServer(answer), 'http');
    stop = s.close;
    await callEveryWay(s.endpoint);
    expect(s.requests()).toBe(10);
    expect(s.connections()).toBe(1);
  });

  it('https: the same calls share one TLS connection', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'td-keepalive-'));
    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    try {
      // a throw-away self-signed certificate for 127.0.0.1
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
      const s = await listen(createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, answer), 'https');
      stop = s.close;
      // the clients have no way to be given a CA: trust this one for the test's connections only
      process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
      await callEveryWay(s.endpoint);
      expect(s.requests()).toBe(10);
      expect(s.connections()).toBe(1);
    } finally {
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
