import { GetTrailCommand, GetEventSelectorsCommand, type GetEventSelectorsCommandOutput } from '@aws-sdk/client-cloudtrail';
import { GetBucketLocationCommand } from '@aws-sdk/client-s3';
import { DescribeOrganizationCommand } from '@aws-sdk/client-organizations';
import type { AwsClients } from '../aws/clients.js';
import { classifyError, probe } from '../aws/call.js';
import type { Evidence, EventSelectors, TrailConfig } from '../evidence/schema.js';
import { isOk } from '../evidence/probe.js';
import { inertLine } from '../util/text.js';
import { GapEngine, type EngineInputs, type EngineOptions, type GapProgress } from './engine.js';
import type { GapReport } from './model.js';

export { gapReportSchema, gapsExitCode, type GapReport, type GapWindow, type GapEvent } from './model.js';
export type { GapProgress } from './engine.js';
export { DEFAULT_MAX_LOOKUP_CALLS, DEFAULT_SEED } from './engine.js';

/** The engine's options, with the trail to resolve and `now` defaulting to the clock. */
export interface GapOptions extends Omit<EngineOptions, 'now'> {
  /** Trail name or ARN. */
  trail: string;
  now?: Date;
}

/** The trail could not be found or the input is wrong: the CLI exits 2. */
export class GapsInputError extends Error {
  override name = 'GapsInputError';
}

const ARN = /^arn:[^:]+:cloudtrail:([^:]+):(\d{12}):trail\/(.+)$/;

function trailFromSdk(t: Record<string, unknown>, fallbackRegion: string): TrailConfig {
  const arn = String(t.TrailARN ?? '');
  const m = ARN.exec(arn);
  return {
    name: String(t.Name ?? m?.[3] ?? ''),
    arn,
    homeRegion: typeof t.HomeRegion === 'string' ? t.HomeRegion : (m?.[1] ?? fallbackRegion),
    s3BucketName: typeof t.S3BucketName === 'string' ? t.S3BucketName : undefined,
    s3KeyPrefix: typeof t.S3KeyPrefix === 'string' && t.S3KeyPrefix ? t.S3KeyPrefix : undefined,
    includeGlobalServiceEvents: t.IncludeGlobalServiceEvents !== false,
    isMultiRegionTrail: t.IsMultiRegionTrail === true,
    isOrganizationTrail: t.IsOrganizationTrail === true,
    logFileValidationEnabled: t.LogFileValidationEnabled === true,
    cloudWatchLogsLogGroupArn: typeof t.CloudWatchLogsLogGroupArn === 'string' && t.CloudWatchLogsLogGroupArn ? t.CloudWatchLogsLogGroupArn : undefined,
    cloudWatchLogsRoleArn: typeof t.CloudWatchLogsRoleArn === 'string' && t.CloudWatchLogsRoleArn ? t.CloudWatchLogsRoleArn : undefined,
    kmsKeyId: typeof t.KmsKeyId === 'string' && t.KmsKeyId ? t.KmsKeyId : undefined,
  };
}

function selectorsFromSdk(r: GetEventSelectorsCommandOutput): EventSelectors {
  return {
    eventSelectors: (r.EventSelectors ?? []).map((s) => ({
      readWriteType: s.ReadWriteType,
      includeManagementEvents: s.IncludeManagementEvents,
      dataResources: (s.DataResources ?? []).map((d) => ({ type: d.Type ?? '', values: d.Values ?? [] })),
      excludeManagementEventSources: s.ExcludeManagementEventSources ?? [],
    })),
    advancedEventSelectors: (r.AdvancedEventSelectors ?? []).map((s) => ({
      name: s.Name,
      fieldSelectors: (s.FieldSelectors ?? []).map((f) => ({
        field: f.Field ?? '',
        equals: f.Equals,
        startsWith: f.StartsWith,
        endsWith: f.EndsWith,
        notEquals: f.NotEquals,
        notStartsWith: f.NotStartsWith,
        notEndsWith: f.NotEndsWith,
      })),
    })),
  };
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The report of a measurement that could not run (also used when the engine itself fails). */
export function couldNotCheck(opts: { start: Date; end: Date }, trail: string, region: string, reason: string, needs?: string): GapReport {
  return {
    window: { start: iso(opts.start), end: iso(opts.end) },
    totals: { recorded: 0, delivered: 0, missing: 0, sampled: false },
    gaps: [],
    status: 'could-not-check',
    reason: inertLine(reason, 600),
    ...(needs ? { needs } : {}),
    trail: { name: trail, region },
  };
}

/**
 * Measures the audit gap of a trail in one region: event history against what the trail delivered.
 * Reads the trail's configuration itself (GetTrail, GetEventSelectors, GetBucketLocation, and
 * DescribeOrganization for organization trails).
 */
export async function measureGaps(clients: AwsClients, opts: GapOptions): Promise<GapReport> {
  const ct = clients.cloudtrail(opts.region);
  let trail: TrailConfig;
  try {
    const res = await ct.send(new GetTrailCommand({ Name: opts.trail }));
    if (!res.Trail) throw new GapsInputError(`trail ${JSON.stringify(opts.trail)} not found in ${opts.region}`);
    trail = trailFromSdk(res.Trail as Record<string, unknown>, opts.region);
  } catch (e) {
    if (e instanceof GapsInputError) throw e;
    const c = classifyError(e, ['TrailNotFoundException']);
    if (c.kind === 'absent') throw new GapsInputError(`trail ${JSON.stringify(inertLine(opts.trail, 300))} not found in ${opts.region} (pass the trail ARN for a trail of another region or account)`);
    return couldNotCheck(opts, opts.trail, opts.region, `could not read the trail: ${c.code}: ${c.message}`, 'cloudtrail:GetTrail');
  }
  const notes: string[] = [];
  const m = ARN.exec(trail.arn);
  const accountId = m?.[2] ?? '';
  const [sel, loc, org] = await Promise.all([
    probe(() => ct.send(new GetEventSelectorsCommand({ TrailName: trail.arn || trail.name })), selectorsFromSdk, { needs: 'cloudtrail:GetEventSelectors' }),
    trail.s3BucketName
      ? probe(() => clients.s3(opts.region).send(new GetBucketLocationCommand({ Bucket: trail.s3BucketName })), (r) => r.LocationConstraint || 'us-east-1', { needs: 's3:GetBucketLocation', optional: true })
      : Promise.resolve(undefined),
    trail.isOrganizationTrail ? probe(() => clients.organizations().send(new DescribeOrganizationCommand({})), (r) => r.Organization?.Id ?? '', { needs: 'organizations:DescribeOrganization' }) : Promise.resolve(undefined),
  ]);
  if (!isOk(sel)) notes.push(`event selectors unreadable (${sel.errorCode ?? sel.status}; needs cloudtrail:GetEventSelectors): all management events assumed selected`);
  if (trail.isOrganizationTrail && !isOk(org)) notes.push('organization id unreadable: log files looked for under AWSLogs/<account>/');
  const inputs: EngineInputs = {
    trail,
    selectors: isOk(sel) ? sel.value : undefined,
    accountId,
    orgId: isOk(org) && org.value ? org.value : undefined,
    bucketRegion: isOk(loc) ? loc.value : undefined,
    notes,
  };
  return new GapEngine(clients, { ...opts, now: opts.now ?? new Date() }, inputs).run();
}

/**
 * The same measurement for the diagnosis, over evidence.window, reusing everything the evidence
 * already holds (trail, selectors, bucket region and key, org id, change events of step 9).
 */
export async function collectGaps(clients: AwsClients, evidence: Evidence, opts: Partial<Pick<GapOptions, 'maxLookupCalls' | 'seed' | 'onProgress' | 'concurrency'>> = {}): Promise<GapReport> {
  const s = evidence.steps;
  const start = new Date(evidence.window.start);
  const end = new Date(evidence.window.end);
  const region = evidence.target.region;
  if (!isOk(s.s1.trail)) {
    return couldNotCheck({ start, end }, evidence.target.trail, region, `the trail's configuration is not in the evidence (${s.s1.trail.status})`, s.s1.trail.needs);
  }
  const trail = s.s1.trail.value;
  const accountId = /:(\d{12}):/.exec(trail.arn)?.[1] ?? (isOk(s.s1.caller) ? s.s1.caller.value.accountId : '');
  const notes: string[] = [];
  if (!isOk(s.s2.selectors)) notes.push('event selectors not in the evidence: all management events assumed selected');
  const s9 = s.s9;
  const haveHistory = s9.fromEventHistory.status === 'ok' || s9.fromLogGroup.status === 'ok';
  const inputs: EngineInputs = {
    trail,
    selectors: isOk(s.s2.selectors) ? s.s2.selectors.value : undefined,
    accountId,
    orgId: isOk(s.s6.organizationId) ? s.s6.organizationId.value : undefined,
    bucketRegion: isOk(s.s4.location) ? s.s4.location.value.region : undefined,
    bucketKmsKeyId: isOk(s.s4.encryption) ? s.s4.encryption.value.kmsKeyId : undefined,
    knownChanges: haveHistory ? { events: s9.changes, start: start.getTime(), end: end.getTime(), global: s9.fromEventHistoryGlobal.status === 'ok' } : undefined,
    notes,
  };
  return new GapEngine(clients, { region, start, end, now: new Date(evidence.collectedAt), ...opts }, inputs).run();
}
