import type { Report, RootCause, StepReport, Timeline, TimelinePoint } from '../../src/report/model.js';
import type { StepNumber } from '../../src/checks/types.js';
import { STEP_TITLES } from '../../src/collect/progress.js';

/**
 * Sample reports for the renderers' tests: built by hand (not by the diagnosis) so that each one
 * exercises a rendering case deliberately. Deterministic: fixed clock, no randomness.
 */

export const NOW = '2026-11-24T04:00:00Z';
export const WINDOW = { start: '2026-11-17T04:00:00Z', end: NOW };
const ACCOUNT = '123456789012';

const HOUR = 3_600_000;

/** Hourly counts over the window; `f(hoursSinceStart, date)` gives each interval's count. */
export function series(f: (i: number, t: Date) => number, start = WINDOW.start, end = WINDOW.end, minutes = 60): TimelinePoint[] {
  const out: TimelinePoint[] = [];
  const s = Date.parse(start);
  const e = Date.parse(end);
  for (let t = s, i = 0; t < e; t += minutes * 60_000, i++) out.push({ t: new Date(t).toISOString(), count: f(i, new Date(t)) });
  return out;
}

/** A daily rhythm: busier in the working day, never zero. */
const rhythm = (base: number) => (i: number, t: Date) => {
  const h = t.getUTCHours();
  return Math.round(base * (0.5 + (h >= 8 && h <= 18 ? 0.8 : 0.2) + ((i * 7) % 5) / 10));
};

function steps(overrides: Partial<Record<StepNumber, Partial<StepReport>>> = {}): StepReport[] {
  const summaries: Record<StepNumber, string> = {
    1: `Trail main found in us-east-1 (home region); no open CloudTrail issue in AWS Health.`,
    2: 'Logging since 2026-11-10 08:00:00 UTC; multi-region, global service events, log file validation on; no delivery error.',
    3: 'Log group CloudTrail/main: newest event 4 minutes old; 48,211 events in the window.',
    4: 'Bucket acme-trail-logs in us-east-1; policy allows CloudTrail; SSE-S3; no lifecycle rule on AWSLogs/.',
    5: 'Role CloudTrail_CloudWatchLogs_Role trusts cloudtrail.amazonaws.com and may write to the log group.',
    6: '2,016 log files in the window; newest 6 minutes old; no interval without a file.',
    7: 'Log group exists, retention 365 days, ARN matches the trail.',
    8: 'IncomingLogEvents steady over the window.',
    9: '2 configuration changes in the window (event history and log group agree).',
  };
  return ([1, 2, 3, 4, 5, 6, 7, 8, 9] as StepNumber[]).map((n) => ({
    step: n,
    title: STEP_TITLES[n],
    status: 'ok' as const,
    summary: summaries[n],
    details: { observed: true, step: n },
    ...overrides[n],
  }));
}

function baseTimeline(overrides: Partial<Timeline> = {}): Timeline {
  return {
    start: WINDOW.start,
    end: WINDOW.end,
    now: NOW,
    intervalMinutes: 60,
    s3: series(rhythm(12)),
    cloudwatchLogs: series(rhythm(280)),
    metrics: [{ label: 'IncomingLogEvents', points: series(rhythm(280)) }],
    gaps: [],
    changes: [
      { time: '2026-11-19T14:22:05Z', eventName: 'UpdateTrail', actor: `arn:aws:iam::${ACCOUNT}:user/alice`, sourceIPAddress: '198.51.100.20', isTrigger: false },
    ],
    startLoggingTime: '2026-11-10T08:00:00Z',
    ...overrides,
  };
}

function base(): Omit<Report, 'verdict' | 'rootCauses' | 'steps' | 'unverified'> {
  return {
    schemaVersion: 1,
    tool: { name: 'trail-doctor', version: '0.1.0' },
    generatedAt: NOW,
    trail: { name: 'main', arn: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/main`, region: 'us-east-1', homeRegion: 'us-east-1' },
    window: { ...WINDOW },
    stats: { durationMs: 4_210, apiCalls: 37, longestChain: 4 },
  };
}

export function healthyReport(): Report {
  return {
    ...base(),
    verdict: 'healthy',
    rootCauses: [
      {
        id: 'healthy',
        confidence: 'confirmed',
        severity: 'info',
        title: 'Healthy',
        summary: 'No fault found: trail main is logging and delivering to S3 and CloudWatch Logs on schedule.',
        evidence: ['step 2: IsLogging = true, no delivery error', 'step 6: newest log file 6 minutes old', 'step 3: newest log group event 4 minutes old'],
        remediation: { summary: 'Nothing to fix.', commands: [] },
      },
    ],
    steps: steps(),
    unverified: [],
    timeline: baseTimeline(),
  };
}

const GAP_START = '2026-11-23T10:05:00Z';
const TRIGGER_TIME = '2026-11-23T10:03:11Z';

export const FIXED_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AWSCloudTrailAclCheck',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:GetBucketAcl',
      Resource: 'arn:aws:s3:::acme-trail-logs',
      Condition: { StringEquals: { 'aws:SourceArn': `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/main` } },
    },
    {
      Sid: 'AWSCloudTrailWrite',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: `arn:aws:s3:::acme-trail-logs/AWSLogs/${ACCOUNT}/*`,
      Condition: {
        StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/main` },
      },
    },
  ],
};

/** s3-bucket-policy-denies with its trigger, an open S3 gap since the change, a corrected policy. */
export function problemReport(): Report {
  const gapStartMs = Date.parse(GAP_START);
  const policyCause: RootCause = {
    id: 's3-bucket-policy-denies',
    confidence: 'confirmed',
    severity: 'critical',
    title: 'Bucket policy denies CloudTrail',
    summary: `Bucket policy of acme-trail-logs no longer allows cloudtrail.amazonaws.com to write AWSLogs/${ACCOUNT}/*`,
    evidence: [
      'step 2: LatestDeliveryError = AccessDenied (since 2026-11-23 10:05:12 UTC)',
      'step 4: no statement allows s3:PutObject on arn:aws:s3:::acme-trail-logs/AWSLogs/123456789012/* for cloudtrail.amazonaws.com; statement "DenyOutsideOrg" denies it',
      'step 6: newest log file 2026-11-23 10:04:58 UTC, none since (17h 55m)',
      'step 9: PutBucketPolicy on acme-trail-logs 2 minutes before delivery stopped',
    ],
    trigger: {
      eventName: 'PutBucketPolicy',
      eventTime: TRIGGER_TIME,
      actor: `arn:aws:iam::${ACCOUNT}:user/bob`,
      sourceIPAddress: '203.0.113.7',
      requestParameters: { bucketName: 'acme-trail-logs', policy: '{"Version":"2012-10-17","Statement":[...]}' },
      eventId: '6f1e2d3c-0000-4000-8000-000000000001',
      source: 'event-history',
    },
    remediation: {
      summary: 'Restore the statements that let CloudTrail check the bucket ACL and write under AWSLogs/123456789012/, then confirm delivery resumes.',
      commands: [
        'aws s3api put-bucket-policy --bucket acme-trail-logs --policy file://acme-trail-logs-policy.json',
        'aws cloudtrail get-trail-status --name arn:aws:cloudtrail:us-east-1:123456789012:trail/main --region us-east-1 --query "{IsLogging:IsLogging,LatestDeliveryError:LatestDeliveryError,LatestDeliveryTime:LatestDeliveryTime}"',
      ],
      policy: FIXED_POLICY,
    },
    data: { statements: ['DenyOutsideOrg'] },
  };
  const validation: RootCause = {
    id: 'log-file-validation-disabled',
    confidence: 'possible',
    severity: 'low',
    title: 'Log file validation disabled',
    summary: 'Log file integrity validation is off for trail main, so deleted or modified log files cannot be detected.',
    evidence: ['step 2: LogFileValidationEnabled = false'],
    remediation: {
      summary: 'Turn on log file validation.',
      commands: ['aws cloudtrail update-trail --name main --region us-east-1 --enable-log-file-validation'],
    },
  };
  return {
    ...base(),
    verdict: 'problem',
    rootCauses: [policyCause, validation],
    steps: steps({
      2: { status: 'problem', summary: 'Logging, but LatestDeliveryError = AccessDenied since 2026-11-23 10:05:12 UTC; log file validation off.' },
      4: { status: 'problem', summary: 'Bucket policy does not allow cloudtrail.amazonaws.com s3:PutObject on AWSLogs/123456789012/*.' },
      6: { status: 'problem', summary: 'No log file since 2026-11-23 10:04:58 UTC (17h 55m).' },
      8: { status: 'skipped', summary: 'No metric datapoints for the log group.', details: {} },
      9: { summary: '2 configuration changes in the window; PutBucketPolicy 2 minutes before delivery stopped.' },
    }),
    unverified: [],
    timeline: baseTimeline({
      s3: series((i, t) => (t.getTime() >= gapStartMs ? 0 : rhythm(12)(i, t))),
      metrics: [],
      gaps: [{ start: GAP_START, end: NOW, destination: 's3' }],
      changes: [
        { time: '2026-11-19T14:22:05Z', eventName: 'UpdateTrail', actor: `arn:aws:iam::${ACCOUNT}:user/alice`, sourceIPAddress: '198.51.100.20', isTrigger: false },
        { time: TRIGGER_TIME, eventName: 'PutBucketPolicy', actor: `arn:aws:iam::${ACCOUNT}:user/bob`, sourceIPAddress: '203.0.113.7', isTrigger: true },
      ],
    }),
  };
}

/** No root cause, some steps unknown: the verdict is inconclusive and `unverified` says why. */
export function inconclusiveReport(): Report {
  return {
    ...base(),
    verdict: 'inconclusive',
    rootCauses: [],
    steps: steps({
      4: { status: 'unknown', summary: 'Could not read the bucket policy or encryption of acme-trail-logs (AccessDenied).', details: { errorCode: 'AccessDenied' } },
      5: { status: 'unknown', summary: 'Could not read the role CloudTrail_CloudWatchLogs_Role (AccessDenied).', details: {} },
      6: { status: 'unknown', summary: 'Could not list log files (AccessDenied).', details: {} },
      8: { status: 'skipped', summary: 'No metric datapoints for the log group.', details: {} },
    }),
    unverified: [
      { step: 4, what: 'bucket policy of acme-trail-logs', needs: 's3:GetBucketPolicy', reason: 'AccessDenied' },
      { step: 4, what: 'default encryption of acme-trail-logs', needs: 's3:GetEncryptionConfiguration', reason: 'AccessDenied' },
      { step: 5, what: 'trust policy of CloudTrail_CloudWatchLogs_Role', needs: 'iam:GetRole', reason: 'AccessDenied' },
      { step: 6, what: 'log files under AWSLogs/123456789012/CloudTrail/us-east-1/', needs: 's3:ListBucket', reason: 'AccessDenied' },
    ],
    timeline: baseTimeline({ s3: [], metrics: [] }),
  };
}

export const HOSTILE = {
  script: '<script>window.__pwned=1;alert(1)</script>',
  img: '"><img src=x onerror="window.__pwned=2">',
  ansi: '\u001b[31mRED\u001b[0m',
  osc: '\u001b]0;pwned-title\u0007',
  pipe: 'a|b|c',
  fence: '```\n# injected heading\n```',
  long: 'x'.repeat(300),
};

const H = `${HOSTILE.script}${HOSTILE.img}${HOSTILE.ansi}${HOSTILE.osc}${HOSTILE.pipe}`;

/** Every string the account controls is hostile: renderers must keep all of it inert. */
export function hostileReport(): Report {
  const r = problemReport();
  const longName = `trail-${HOSTILE.long}`;
  r.trail = { name: `${H}-${longName}`, arn: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/${H}`, region: 'us-east-1', homeRegion: 'us-east-1' };
  const c = r.rootCauses[0]!;
  c.summary = `Bucket policy of ${H} denies CloudTrail ${HOSTILE.fence} | pipe \n newline`;
  c.evidence = [`step 2: LatestDeliveryError = ${H}`, `step 4: ${HOSTILE.fence}`, `step 6: ${HOSTILE.long}`];
  c.trigger = { ...c.trigger!, eventName: `Put${HOSTILE.script}`, actor: `arn:aws:iam::${ACCOUNT}:user/${H}`, sourceIPAddress: HOSTILE.img, requestParameters: { bucketName: H } };
  c.remediation = {
    summary: `Fix ${H}`,
    commands: [`aws s3api put-bucket-policy --bucket '${H}' --policy '${HOSTILE.fence}'`, `echo ${HOSTILE.script} ${HOSTILE.long}`],
    policy: { Statement: [{ Sid: H, Resource: `arn:aws:s3:::${HOSTILE.fence}` }] },
  };
  r.steps = r.steps.map((s) => ({ ...s, summary: `${s.summary} ${H}`, details: { hostile: H, fence: HOSTILE.fence } }));
  r.unverified = [{ step: 5, what: `role ${H}`, needs: `iam:GetRole${HOSTILE.pipe}`, reason: `${HOSTILE.ansi} ${HOSTILE.fence}` }];
  r.timeline!.changes = r.timeline!.changes.map((ch) => ({ ...ch, eventName: `${ch.eventName}${HOSTILE.script}`, actor: `${ch.actor}${H}`, sourceIPAddress: HOSTILE.img }));
  r.timeline!.metrics = [{ label: `Incoming${H}`, points: series(() => 5) }];
  r.timeline!.stopLoggingTime = '2026-11-22T09:00:00Z';
  return r;
}

/** logging-stopped with StartLogging/StopLogging in the window, and a CloudWatch Logs gap that closed. */
export function loggingStoppedReport(): Report {
  const r = problemReport();
  const stop = '2026-11-22T09:00:00Z';
  const stopMs = Date.parse(stop);
  r.rootCauses = [
    {
      id: 'logging-stopped',
      confidence: 'confirmed',
      severity: 'critical',
      title: 'Logging stopped',
      summary: 'Trail main is not logging: StopLogging was called on 2026-11-22 09:00:00 UTC.',
      evidence: ['step 2: IsLogging = false, StopLoggingTime = 2026-11-22 09:00:00 UTC', 'step 9: StopLogging by carol'],
      trigger: { eventName: 'StopLogging', eventTime: stop, actor: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/carol`, sourceIPAddress: '192.0.2.44', source: 'log-group' },
      remediation: { summary: 'Start logging again.', commands: ['aws cloudtrail start-logging --name arn:aws:cloudtrail:us-east-1:123456789012:trail/main --region us-east-1'] },
    },
  ];
  const gapCwl = { start: '2026-11-18T02:00:00Z', end: '2026-11-18T07:30:00Z' };
  r.timeline = baseTimeline({
    startLoggingTime: '2026-11-17T12:00:00Z',
    stopLoggingTime: stop,
    s3: series((i, t) => (t.getTime() >= stopMs ? 0 : rhythm(12)(i, t))),
    cloudwatchLogs: series((i, t) =>
      t.getTime() >= stopMs || (t.getTime() >= Date.parse(gapCwl.start) && t.getTime() < Date.parse(gapCwl.end)) ? 0 : rhythm(280)(i, t),
    ),
    metrics: [{ label: 'IncomingLogEvents', points: series((i, t) => (t.getTime() >= stopMs ? 0 : rhythm(280)(i, t))) }],
    gaps: [
      { ...gapCwl, destination: 'cloudwatch-logs' },
      { start: stop, end: NOW, destination: 's3' },
      { start: stop, end: NOW, destination: 'cloudwatch-logs' },
    ],
    changes: [
      { time: '2026-11-17T12:00:00Z', eventName: 'StartLogging', actor: `arn:aws:iam::${ACCOUNT}:user/alice`, isTrigger: false },
      { time: stop, eventName: 'StopLogging', actor: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/carol`, sourceIPAddress: '192.0.2.44', isTrigger: true },
    ],
  });
  return r;
}

export const SAMPLE_REPORTS: Record<string, () => Report> = {
  healthy: healthyReport,
  problem: problemReport,
  inconclusive: inconclusiveReport,
  'logging-stopped': loggingStoppedReport,
  hostile: hostileReport,
};

export { HOUR };
