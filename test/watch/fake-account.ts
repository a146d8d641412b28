import type { AwsClients } from '../../src/aws/clients.js';

/**
 * A small in-memory stand-in of the three services the light check calls, fast enough for
 * thousands of checks: S3 keys kept sorted (ListObjectsV2 answers in UTF-8 binary order with
 * Prefix, StartAfter, 1000 keys a page), GetTrailStatus, DescribeLogStreams. Any operation can be
 * made to fail with an SDK-shaped error. It counts calls per operation.
 */
export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const TRAIL_ARN = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/main`;
export const BUCKET = 'acme-trail-logs';

const pad = (n: number) => String(n).padStart(2, '0');
export function logKey(t: number, unique = 'AbCdEfGhIjKlMnOp', region = REGION, prefix = ''): string {
  const d = new Date(t);
  const day = `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
  const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`;
  return `${prefix}AWSLogs/${ACCOUNT}/CloudTrail/${region}/${day}/${ACCOUNT}_CloudTrail_${region}_${stamp}_${unique}.json.gz`;
}

export function sdkError(name: string, status = 400): Error {
  return Object.assign(new Error(`${name}: simulated`), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}

export class FakeAccount {
  keys: string[] = [];
  status: Record<string, unknown> = { IsLogging: true };
  streams: { logStreamName: string; lastEventTimestamp?: number; lastIngestionTime?: number }[] = [];
  failures = new Map<string, () => Error>();
  calls = new Map<string, number>();
  /** Every ListObjectsV2 input, for assertions on StartAfter. */
  listings: { Prefix?: string; StartAfter?: string }[] = [];
  keepListings = true;

  putKey(key: string): void {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (Buffer.compare(Buffer.from(this.keys[mid]!), Buffer.from(key)) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (this.keys[lo] !== key) this.keys.splice(lo, 0, key);
  }

  private answer(op: string, input: Record<string, unknown>): unknown {
    this.calls.set(op, (this.calls.get(op) ?? 0) + 1);
    const fail = this.failures.get(op);
    if (fail) throw fail();
    switch (op) {
      case 'GetTrailStatus':
        return { ...this.status };
      case 'ListObjectsV2': {
        if (this.keepListings) this.listings.push({ Prefix: input.Prefix as string, StartAfter: input.StartAfter as string | undefined });
        const prefix = String(input.Prefix ?? '');
        const after = input.StartAfter as string | undefined;
        const out: { Key: string }[] = [];
        let truncated = false;
        for (const k of this.keys) {
          if (!k.startsWith(prefix) || (after !== undefined && k <= after)) continue;
          if (out.length === 1000) {
            truncated = true;
            break;
          }
          out.push({ Key: k });
        }
        return { Contents: out, IsTruncated: truncated, KeyCount: out.length };
      }
      case 'DescribeLogStreams': {
        const sorted = [...this.streams].sort((a, b) => (b.lastEventTimestamp ?? 0) - (a.lastEventTimestamp ?? 0));
        return { logStreams: sorted.slice(0, Number(input.limit ?? 50)) };
      }
      default:
        throw sdkError('UnknownOperationException');
    }
  }

  clients(): AwsClients {
    const client = { send: async (cmd: { constructor: { name: string }; input: Record<string, unknown> }) => this.answer(cmd.constructor.name.replace(/Command$/, ''), cmd.input) };
    const none = () => {
      throw new Error('not used by the light check');
    };
    return {
      region: REGION,
      options: { region: REGION },
      calls: [],
      callCount: 0,
      limiters: undefined as never,
      cloudtrail: () => client as never,
      s3: () => client as never,
      logs: () => client as never,
      objects: none,
      cloudwatch: none,
      kms: none,
      sts: none,
      iam: none,
      health: none,
      organizations: none,
      sns: none,
    } as AwsClients;
  }
}
