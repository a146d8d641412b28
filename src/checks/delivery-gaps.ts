import type { CauseDefinition, Finding } from './types.js';
import { gapWindowsOf, type GapReport } from '../evidence/gaps.js';
import { overlaps } from '../util/intervals.js';
import { refusedWritesBetween } from './access-log-evidence.js';
import { bucketOf, duration, HOUR, homeRegion, isoOf, metricEventsBetween, MINUTE, ms, result, safe, statusOf, targetRegion, trailOf, trailRef, valueOf } from './util.js';

/** A silence between deliveries longer than this is a gap (6 × the ~5-minute cadence). */
export const GAP_MS = 30 * MINUTE;

interface EngineGap {
  destination: 's3' | 'cloudwatch-logs';
  start: number;
  end: number;
  eventsMissing: number;
}

/** The gap windows the gaps engine measured (evidence.gaps), with their times in ms. */
export function engineGaps(report: GapReport | undefined): EngineGap[] {
  return gapWindowsOf(report).map((g) => ({ destination: g.destination, start: Date.parse(g.start), end: Date.parse(g.end), eventsMissing: g.eventsMissing }));
}

interface GapView {
  destination: 's3' | 'cloudwatch-logs';
  start: number;
  end: number;
  corroboration: string[];
  eventsMissing?: number;
  loggingStopped?: boolean;
}

/**
 * Runbook step 6 (diagnosis step 4): deliveries are intermittent. A silence between S3 deliveries
 * while the trail was logging is only `likely` when something shows activity inside it (event
 * history counts from the gaps engine, CloudWatch Logs events, metrics, recorded changes), because
 * a quiet region legitimately writes no files; otherwise `possible`.
 */
export const check: CauseDefinition = {
  id: 'delivery-gaps',
  title: 'Intermittent delivery gaps',
  step: 6,
  severity: 'high',
  precedence: { tier: 'delivery', rank: 20 },
  relations: {
    silenceSymptom: true,
    explainedBy: [{ cause: 'logging-stopped', when: (f) => Array.isArray(f.data?.gaps) && (f.data.gaps as { loggingStopped?: boolean }[]).some((g) => g.loggingStopped), why: 'a gap lies where logging was stopped and restarted' }],
  },
  triggerEvents: ['PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketAcl', 'PutBucketEncryption', 'PutKeyPolicy', 'DisableKey', 'StopLogging', 'UpdateTrail', 'PutRolePolicy', 'DeleteLogGroup'],
  reads: ['s1.trail', 's2.status', 's3.eventCounts', 's6.listing', 's8.metrics', 's9.changes', 'gaps'],
  meaning: 'windows with events recorded but no delivered log file',
  fix: 'Correlate each gap with the change before it; recover the missing management events from event history (trail-doctor gaps --export).',
  run({ evidence: e }) {
    const trail = trailOf(e);
    if (!trail) return result();
    const status = statusOf(e);
    const listing = valueOf(e.steps.s6.listing);
    const engine = engineGaps(e.gaps);
    const cwlHourly = valueOf(e.steps.s3.eventCounts)?.hourly ?? [];
    const stopAt = ms(status?.stopLoggingTime);
    const startAt = ms(status?.startLoggingTime);
    const region = targetRegion(e);
    const views: GapView[] = [];

    for (const g of listing?.gaps ?? []) {
      const start = ms(g.start);
      const end = ms(g.end);
      if (start === undefined || end === undefined || end - start <= GAP_MS) continue;
      const v: GapView = { destination: 's3', start, end, corroboration: [] };
      const eng = engine.filter((x) => x.destination === 's3' && x.eventsMissing > 0 && overlaps([x.start, x.end], [start, end]));
      const missing = eng.reduce((s, x) => s + x.eventsMissing, 0);
      if (missing > 0) {
        v.eventsMissing = missing;
        v.corroboration.push(`gaps: ${missing} events recorded in event history are missing from S3 in this window`);
      }
      if (stopAt !== undefined && startAt !== undefined && stopAt < startAt && stopAt >= start - 10 * MINUTE && stopAt <= end && startAt <= end + 10 * MINUTE) {
        v.loggingStopped = true;
        v.corroboration.push(`step 2: logging was stopped at ${isoOf(stopAt)} and restarted at ${isoOf(startAt)}: events of that time were not recorded`);
      }
      const cwl = cwlHourly.filter((h) => {
        const t = ms(h.hour);
        return t !== undefined && t >= start && t + HOUR <= end && h.count > 0;
      });
      if (cwl.length) v.corroboration.push(`step 3: ${cwl.reduce((s, h) => s + h.count, 0)} events reached CloudWatch Logs during it`);
      const metric = metricEventsBetween(e, start, end);
      if (metric) v.corroboration.push(`step 8: IncomingLogEvents = ${metric} during it`);
      const refused = refusedWritesBetween(e, start, end);
      if (refused) v.corroboration.push(`step 4: S3 server access logs record ${refused} refused CloudTrail log-file write${refused > 1 ? 's' : ''} in the hours of it`);
      const changes = e.steps.s9.changes.filter((c) => {
        const t = ms(c.eventTime);
        return t !== undefined && t > start && t < end && (!c.awsRegion || c.awsRegion === region);
      });
      if (changes.length) v.corroboration.push(`step 9: ${changes.length} management event${changes.length > 1 ? 's' : ''} recorded in ${region} during it (first ${safe(changes[0]!.eventName, 100)} at ${safe(changes[0]!.eventTime, 40)})`);
      views.push(v);
    }
    // gaps the engine measured that the file listing does not show (files present but events missing, or CloudWatch Logs)
    for (const g of engine) {
      if (g.eventsMissing <= 0) continue;
      if (views.some((v) => v.destination === g.destination && overlaps([v.start, v.end], [g.start, g.end]))) continue;
      views.push({
        destination: g.destination,
        start: g.start,
        end: g.end,
        eventsMissing: g.eventsMissing,
        corroboration: [`gaps: ${g.eventsMissing} events recorded in event history are missing from ${g.destination === 's3' ? 'S3' : 'CloudWatch Logs'}`],
      });
    }
    if (!views.length) return result();
    views.sort((a, b) => a.start - b.start);
    const proven = views.filter((v) => v.corroboration.length > 0);
    const first = proven[0] ?? views[0]!;
    const evidence: string[] = [];
    for (const v of views.slice(0, 10)) {
      evidence.push(
        `step 6: no ${v.destination === 's3' ? 'log file delivered' : 'event delivered to CloudWatch Logs'} from ${isoOf(v.start)} to ${isoOf(v.end)} (${duration(v.end - v.start)})${v.corroboration.length ? '' : ': no other source shows activity then (a quiet region writes no files)'}`,
      );
      evidence.push(...v.corroboration.slice(0, 4));
    }
    if (views.length > 10) evidence.push(`step 6: … ${views.length - 10} more gaps`);
    const bucket = bucketOf(e);
    const total = views.reduce((s, v) => s + (v.eventsMissing ?? 0), 0);
    const finding: Finding = {
      id: 'delivery-gaps',
      confidence: proven.length ? 'likely' : 'possible',
      summary: `Trail ${safe(trail.name)} has ${views.length} delivery gap${views.length > 1 ? 's' : ''} in the window (first ${isoOf(first.start)} to ${isoOf(first.end)})${total ? `; ${total} events are missing` : ''}.`,
      evidence,
      remediation: {
        summary: `Correlate each gap's start with the configuration changes just before it; recover missing management events from event history (trail-doctor gaps --export).`,
        commands: [
          `npx trail-doctor gaps --trail ${trailRef(e)} --region ${region} --export missing-events.jsonl.gz`,
          `aws cloudtrail lookup-events --start-time ${isoOf(first.start)} --end-time ${isoOf(first.end)} --region ${region}`,
          `aws cloudtrail get-trail-status --name ${trailRef(e)} --region ${homeRegion(e)}`,
        ],
      },
      resources: [...(bucket ? [bucket] : []), trail.name, trail.arn],
      since: isoOf(first.start),
      data: {
        gaps: views.map((v) => ({
          destination: v.destination,
          start: isoOf(v.start),
          end: isoOf(v.end),
          minutes: Math.round((v.end - v.start) / MINUTE),
          corroborated: v.corroboration.length > 0,
          eventsMissing: v.eventsMissing ?? null,
          loggingStopped: !!v.loggingStopped,
        })),
        ...(views.some((v) => v.loggingStopped) ? { explainedBy: ['logging-stopped'] } : {}),
      },
    };
    return result([finding]);
  },
};
