import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { CloudTrailClient, CreateTrailCommand, StartLoggingCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { S3Client, CreateBucketCommand, PutBucketPolicyCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { OrganizationsClient, CreateOrganizationCommand, CreateAccountCommand, DescribeCreateAccountStatusCommand } from '@aws-sdk/client-organizations';
import { STSClient, AssumeRoleCommand } from '@aws-sdk/client-sts';
import { bucketPolicyFor } from '../../src/evidence/builder.js';
import { freePort } from '../support/moto.js';

/**
 * An organization in moto for fleet-scan tests: the management account (moto's default
 * 123456789012) and member accounts made with Organizations CreateAccount, seeded through
 * AssumeRole into OrganizationAccountAccessRole (moto maps the credentials to the member account).
 */
export const MANAGEMENT = '123456789012';
const STATIC = { accessKeyId: 'testing', secretAccessKey: 'testing' };

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

export interface OrgAccountClients {
  s3: S3Client;
  cloudtrail: (region: string) => CloudTrailClient;
}

export function clientsFor(endpoint: string, credentials: Creds = STATIC): OrgAccountClients {
  const cts = new Map<string, CloudTrailClient>();
  return {
    s3: new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials }),
    cloudtrail: (region) => {
      let c = cts.get(region);
      if (!c) cts.set(region, (c = new CloudTrailClient({ region, endpoint, credentials })));
      return c;
    },
  };
}

export async function createOrganization(endpoint: string, names: readonly string[]): Promise<string[]> {
  const org = new OrganizationsClient({ region: 'us-east-1', endpoint, credentials: STATIC });
  await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const ids: string[] = [];
  for (const name of names) {
    const r = await org.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }));
    const st = await org.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: r.CreateAccountStatus!.Id! }));
    ids.push(st.CreateAccountStatus!.AccountId!);
  }
  return ids;
}

export async function memberClients(endpoint: string, accountId: string): Promise<OrgAccountClients> {
  const sts = new STSClient({ region: 'us-east-1', endpoint, credentials: STATIC });
  const r = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`, RoleSessionName: 'seed' }));
  const c = r.Credentials!;
  return clientsFor(endpoint, { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken });
}

const pad = (n: number) => String(n).padStart(2, '0');

export interface TrailSeed {
  account: string;
  name: string;
  region: string;
  bucket: string;
  multiRegion: boolean;
  organization?: boolean;
  logging: boolean;
  now: Date;
  /** Log files every 5 minutes over the last `hours`, in each region listed. */
  hours: number;
  deliveredRegions?: string[];
  /** Key root below AWSLogs/: an organization trail writes under `<o-id>/<account>`. */
  keyRoot?: string;
}

/** A bucket with CloudTrail's policy, the trail, its log files (moto delivers nothing itself). */
export async function seedTrail(c: OrgAccountClients, s: TrailSeed): Promise<string> {
  const arn = `arn:aws:cloudtrail:${s.region}:${s.account}:trail/${s.name}`;
  await c.s3.send(new CreateBucketCommand({ Bucket: s.bucket, ...(s.region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: s.region as 'eu-west-1' } }) }));
  const policy = JSON.parse(bucketPolicyFor(s.bucket, s.account, arn)) as { Statement: { Resource: string | string[] }[] };
  // An organization trail also writes its members' files under AWSLogs/<o-id>/ (AWS's documented policy).
  if (s.keyRoot) policy.Statement[1]!.Resource = [`arn:aws:s3:::${s.bucket}/AWSLogs/${s.account}/*`, `arn:aws:s3:::${s.bucket}/AWSLogs/${s.keyRoot.split('/')[0]}/*`];
  await c.s3.send(new PutBucketPolicyCommand({ Bucket: s.bucket, Policy: JSON.stringify(policy) }));
  let n = 0;
  for (const region of s.deliveredRegions ?? [s.region]) {
    for (let m = s.hours * 60; m >= 5; m -= 5) {
      const t = new Date(Math.floor((s.now.getTime() - m * 60_000) / 60_000) * 60_000);
      const day = `${t.getUTCFullYear()}/${pad(t.getUTCMonth() + 1)}/${pad(t.getUTCDate())}`;
      const stamp = `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}T${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}Z`;
      const key = `AWSLogs/${s.keyRoot ?? s.account}/CloudTrail/${region}/${day}/${s.account}_CloudTrail_${region}_${stamp}_${('S' + String(n++).padStart(15, '0')).slice(0, 16)}.json.gz`;
      await c.s3.send(new PutObjectCommand({ Bucket: s.bucket, Key: key, Body: gzipSync('{"Records":[]}') }));
    }
  }
  const ct = c.cloudtrail(s.region);
  await ct.send(new CreateTrailCommand({ Name: s.name, S3BucketName: s.bucket, IsMultiRegionTrail: s.multiRegion, IncludeGlobalServiceEvents: s.multiRegion, IsOrganizationTrail: s.organization }));
  await ct.send(new StartLoggingCommand({ Name: s.name }));
  if (!s.logging) await ct.send(new StopLoggingCommand({ Name: s.name }));
  return arn;
}

/**
 * A loopback proxy in front of moto that refuses STS AssumeRole into the listed accounts with
 * STS's own 403 AccessDenied (moto enforces no trust policy), answers LookupEvents with an empty
 * event history (moto answers 500), and counts the requests in flight.
 */
export interface StsGate {
  endpoint: string;
  /** Highest number of requests in flight at once, overall. */
  maxInFlight(): number;
  stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startStsGate(upstream: string, refuse: readonly string[]): Promise<StsGate> {
  const up = new URL(upstream);
  let inFlight = 0;
  let max = 0;
  const server: Server = createServer(async (req, res) => {
    inFlight++;
    max = Math.max(max, inFlight);
    try {
      const body = await readBody(req);
      const text = decodeURIComponent(body.toString('utf8').replace(/\+/g, ' '));
      if (req.headers['x-amz-target'] === 'CloudTrail_20131101.LookupEvents') {
        // moto has no event history (HTTP 500): a quiet one, as a healthy account's would be.
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end('{"Events":[]}');
        return;
      }
      const denied = /AssumeRole/.test(text) && refuse.find((a) => text.includes(`arn:aws:iam::${a}:role/`));
      if (denied) {
        res.writeHead(403, { 'content-type': 'text/xml' });
        res.end(
          `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::${MANAGEMENT}:user/moto is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${denied}:role/OrganizationAccountAccessRole</Message></Error><RequestId>gate</RequestId></ErrorResponse>`,
        );
        return;
      }
      await new Promise<void>((resolve, reject) => {
        const out = httpRequest({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: { ...req.headers, host: up.host } }, (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
          r.on('end', resolve);
          r.on('error', reject);
        });
        out.on('error', reject);
        out.end(body);
      });
    } catch (e) {
      res.writeHead(502);
      res.end(String(e));
    } finally {
      inFlight--;
    }
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    maxInFlight: () => max,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
