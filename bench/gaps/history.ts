/**
 * A synthetic week of management events defined by formula, so neither the stand-in nor the seeder
 * holds a million records in memory: event i happens at START + i × SPACING. A few configuration
 * changes (the gap's trigger and its cure) are added by hand.
 */
export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const BUCKET = 'bench-trail-logs';
export const TRAIL = 'bench';

export interface BenchShape {
  start: number;
  days: number;
  filesPerHour: number;
  eventsPerFile: number;
  /** Minutes [from, to) (offsets from start) whose files are never delivered; not hour-aligned. */
  gap: [number, number];
}

export const H = 3_600_000;
const M = 60_000;

export function spacing(s: BenchShape): number {
  return H / (s.filesPerHour * s.eventsPerFile);
}

export function total(s: BenchShape): number {
  return s.days * 24 * s.filesPerHour * s.eventsPerFile;
}

const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');

export function eventId(i: number): string {
  return `${hex(i, 8)}-b7c2-4d1e-9a3f-${hex((i * 2654435761) >>> 0, 12)}`;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const NAMES = ['DescribeInstances', 'GetBucketAcl', 'AssumeRole', 'ListBuckets', 'RunInstances', 'CreateTags', 'DescribeVolumes', 'GetParameter'];
const SOURCES = ['ec2.amazonaws.com', 's3.amazonaws.com', 'sts.amazonaws.com', 's3.amazonaws.com', 'ec2.amazonaws.com', 'ec2.amazonaws.com', 'ec2.amazonaws.com', 'ssm.amazonaws.com'];

export function routineRecord(s: BenchShape, i: number): Record<string, unknown> {
  const k = i % NAMES.length;
  return {
    eventVersion: '1.09',
    userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/i-${hex(i % 977, 6)}`, accountId: ACCOUNT, principalId: 'AROAEXAMPLE:app' },
    eventTime: iso(s.start + Math.floor(i * spacing(s))),
    eventSource: SOURCES[k],
    eventName: NAMES[k],
    awsRegion: REGION,
    sourceIPAddress: `10.0.${(i >> 8) & 255}.${i & 255}`,
    userAgent: 'aws-sdk-java/2.25.0 Linux/5.10 OpenJDK_64-Bit_Server_VM/17',
    requestParameters: { instancesSet: { items: [{ instanceId: `i-${hex(i, 17)}` }] }, filterSet: {} },
    responseElements: null,
    requestID: `${hex(i, 8)}-0000-4000-8000-${hex(i, 12)}`,
    eventID: eventId(i),
    readOnly: k !== 4 && k !== 5,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `ec2.${REGION}.amazonaws.com` },
  };
}

export function changeRecords(s: BenchShape): Record<string, unknown>[] {
  const mk = (t: number, name: string, id: string) => ({
    eventVersion: '1.09',
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/bob`, accountId: ACCOUNT, userName: 'bob' },
    eventTime: iso(t),
    eventSource: 's3.amazonaws.com',
    eventName: name,
    awsRegion: REGION,
    sourceIPAddress: '203.0.113.9',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: { bucketName: BUCKET, policy: [''] },
    responseElements: null,
    requestID: id,
    eventID: id,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  });
  return [mk(s.start + s.gap[0] * M - 90_000, 'PutBucketPolicy', 'ffffffff-0000-4000-8000-000000000001'), mk(s.start + s.gap[1] * M + 30_000, 'PutBucketPolicy', 'ffffffff-0000-4000-8000-000000000002')];
}

export function inGap(s: BenchShape, t: number): boolean {
  return t >= s.start + s.gap[0] * M && t < s.start + s.gap[1] * M;
}

/** LookupEvents over the formula history: newest first, ≤ 50 a page; token = "<i>:<j>". */
export function lookup(s: BenchShape, req: { StartTime?: number; EndTime?: number; LookupAttributes?: { AttributeKey?: string; AttributeValue?: string }[]; NextToken?: string }) {
  const toMs = (v: number | undefined, d: number) => (v === undefined ? d : v < 1e11 ? v * 1000 : v);
  const a = toMs(req.StartTime, 0);
  const b = toMs(req.EndTime, Number.MAX_SAFE_INTEGER);
  const attr = req.LookupAttributes?.[0];
  const sp = spacing(s);
  const n = total(s);
  const changes = changeRecords(s)
    .filter((r) => {
      const t = Date.parse(r.eventTime as string);
      if (t < a || t > b) return false;
      if (attr?.AttributeKey === 'ResourceName') return attr.AttributeValue === BUCKET;
      if (attr?.AttributeKey === 'EventSource') return attr.AttributeValue === r.eventSource;
      return true;
    })
    .sort((x, y) => Date.parse(y.eventTime as string) - Date.parse(x.eventTime as string));
  const routineAllowed = !attr; // attribute queries (resource names) match only the change events
  let [i, j] = req.NextToken ? req.NextToken.split(':').map(Number) : [Math.min(n - 1, Math.floor((b - s.start) / sp)), 0];
  i = i!;
  j = j!;
  const lo = Math.max(0, Math.ceil((a - s.start) / sp));
  const out: Record<string, unknown>[] = [];
  while (out.length < 50) {
    const ri = routineAllowed && i >= lo && i >= 0 ? routineRecord(s, i) : undefined;
    const rt = ri ? Date.parse(ri.eventTime as string) : -Infinity;
    const c = changes[j];
    const ct = c ? Date.parse(c.eventTime as string) : -Infinity;
    if (!ri && !c) break;
    if (rt > b) {
      i--;
      continue;
    }
    if (ct >= rt) {
      out.push(c!);
      j++;
    } else {
      out.push(ri!);
      i--;
    }
  }
  const more = (routineAllowed && i >= lo) || j < changes.length;
  return {
    Events: out.map((r) => ({
      EventId: r.eventID,
      EventName: r.eventName,
      EventSource: r.eventSource,
      EventTime: Date.parse(r.eventTime as string) / 1000,
      ReadOnly: String(r.readOnly),
      CloudTrailEvent: JSON.stringify(r),
    })),
    NextToken: more ? `${i}:${j}` : undefined,
  };
}
