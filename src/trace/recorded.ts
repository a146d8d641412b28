import type { AdvancedSelector, BasicSelector, EventSelectors, TrailConfig } from '../evidence/schema.js';
import type { RootCauseId } from '../model/index.js';
import { fieldMatches } from '../checks/selectors.js';
import { GLOBAL_EVENT_SOURCES, GLOBAL_REGION } from '../gaps/scope.js';
import type { TracedEvent } from './model.js';

/**
 * Does this trail record this one event? Judged on the event's own fields, link by link: its
 * category (management or data; Insights and network activity apart), its region against the
 * trail's (multi-region, home region, global-service events recorded in us-east-1), then every
 * selector — basic or advanced, the trail records the UNION — each saying why it selects or not.
 * Pure.
 */
export interface RecordedVerdict {
  verdict: 'yes' | 'no' | 'unknown';
  chain: string[];
  /** The cause when the trail does not record it. */
  cause?: RootCauseId;
  /** The region folder the event is filed under (global-service events: us-east-1's). */
  folderRegion: string;
  isGlobal: boolean;
}

type FieldSelector = AdvancedSelector['fieldSelectors'][number];

export const isGlobalServiceEvent = (e: Pick<TracedEvent, 'eventSource' | 'awsRegion'>): boolean =>
  e.awsRegion === GLOBAL_REGION && (GLOBAL_EVENT_SOURCES as readonly string[]).includes(e.eventSource);

/** The event's values for an advanced selector field; null when the field is not one we can read. */
function valuesOf(e: TracedEvent, field: string): string[] | null {
  switch (field.toLowerCase()) {
    case 'eventcategory':
      return [e.eventCategory];
    case 'eventsource':
      return [e.eventSource];
    case 'eventname':
      return [e.eventName];
    case 'readonly':
      return e.readOnly === undefined ? null : [String(e.readOnly)];
    case 'eventtype':
      return e.eventType ? [e.eventType] : null;
    case 'errorcode':
      return [e.errorCode ?? ''];
    case 'useridentity.arn':
      return e.userIdentityArn ? [e.userIdentityArn] : null;
    case 'resources.type':
      return e.resources.length ? e.resources.map((r) => r.type ?? '') : null;
    case 'resources.arn':
      return e.resources.length ? e.resources.map((r) => r.arn ?? '') : null;
    default:
      return null;
  }
}

function describe(fs: FieldSelector): string {
  const ops: [keyof FieldSelector, string][] = [
    ['equals', '='],
    ['startsWith', 'starts with'],
    ['endsWith', 'ends with'],
    ['notEquals', '≠'],
    ['notStartsWith', 'not starts with'],
    ['notEndsWith', 'not ends with'],
  ];
  const parts: string[] = [];
  for (const [k, label] of ops) {
    const v = fs[k];
    if (Array.isArray(v) && v.length) parts.push(`${label} ${v.slice(0, 5).join(' | ')}${v.length > 5 ? ' | …' : ''}`);
  }
  return `${fs.field} ${parts.join(' and ')}`;
}

/** One advanced selector: its field selectors are ANDed; a resource field passes when any resource does. */
export function advancedSelects(s: AdvancedSelector, e: TracedEvent): { verdict: 'yes' | 'no' | 'unknown'; why: string } {
  const label = s.name ? `advanced selector "${s.name}"` : 'advanced selector';
  let unknown: string | undefined;
  for (const fs of s.fieldSelectors) {
    const values = valuesOf(e, fs.field);
    if (values === null) {
      unknown ??= `${label}: ${fs.field} is not in the event record`;
      continue;
    }
    if (!values.some((v) => fieldMatches(fs, v))) return { verdict: 'no', why: `${label} does not select it: ${fs.field} is ${values.map((v) => JSON.stringify(v)).join(', ')}, the selector wants ${describe(fs)}` };
  }
  if (unknown) return { verdict: 'unknown', why: unknown };
  return { verdict: 'yes', why: `${label} selects it (${s.fieldSelectors.map(describe).join('; ')})` };
}

/** One basic selector, for a management or a data event. */
export function basicSelects(s: BasicSelector, e: TracedEvent, index: number): { verdict: 'yes' | 'no' | 'unknown'; why: string } {
  const label = `event selector ${index + 1}`;
  const rw = s.readWriteType ?? 'All';
  const rwOk = (): 'yes' | 'no' | 'unknown' => (rw === 'All' ? 'yes' : e.readOnly === undefined ? 'unknown' : (rw === 'ReadOnly') === e.readOnly ? 'yes' : 'no');
  const kind = e.readOnly === undefined ? 'an event of unknown read/write type' : e.readOnly ? 'a read-only event' : 'a write event';
  if (e.eventCategory === 'Management') {
    if (s.includeManagementEvents === false) return { verdict: 'no', why: `${label} excludes management events (IncludeManagementEvents false)` };
    const r = rwOk();
    if (r !== 'yes') return { verdict: r, why: `${label} records ${rw} management events; this is ${kind}` };
    if (s.excludeManagementEventSources?.includes(e.eventSource)) return { verdict: 'no', why: `${label} excludes management events from ${e.eventSource} (ExcludeManagementEventSources)` };
    return { verdict: 'yes', why: `${label} records ${rw} management events` };
  }
  if (e.eventCategory !== 'Data') return { verdict: 'no', why: `${label}: basic selectors record no ${e.eventCategory} events` };
  const matching = (s.dataResources ?? []).filter((d) => e.resources.some((r) => r.type === d.type && (d.values ?? []).some((v) => dataValueMatches(v, r.arn ?? '', d.type))));
  if (!matching.length) {
    const types = (s.dataResources ?? []).map((d) => d.type);
    return { verdict: 'no', why: `${label} records data events of ${types.length ? types.join(', ') : 'no resource'}${types.length ? ' for other resources' : ''}; this event's resources are ${e.resources.map((r) => `${r.type ?? '?'} ${r.arn ?? '?'}`).join(', ') || 'unknown'}` };
  }
  const r = rwOk();
  if (r !== 'yes') return { verdict: r, why: `${label} records ${rw} data events of ${matching[0]!.type}; this is ${kind}` };
  return { verdict: 'yes', why: `${label} records ${rw} data events of ${matching[0]!.type} for this resource` };
}

/** A basic data-resource value: a prefix of the resource ARN, or the whole type (`arn:aws:s3`, `arn:aws:lambda`). */
function dataValueMatches(value: string, arn: string, type: string): boolean {
  if (/^arn:[^:]+:(s3|lambda|dynamodb)(:::)?$/.test(value) || value === 'arn:aws:s3:::') return true;
  if (type === 'AWS::S3::Object' && !value.includes('/', value.indexOf(':::') + 3)) return arn.startsWith(`${value}/`) || arn === value;
  return arn.startsWith(value);
}

export function recordedByTrail(trail: TrailConfig, selectors: EventSelectors | undefined, e: TracedEvent): RecordedVerdict {
  const chain: string[] = [];
  const isGlobal = isGlobalServiceEvent(e);
  const folderRegion = e.awsRegion;
  chain.push(`${e.eventName} from ${e.eventSource} is a ${e.eventCategory === 'Management' ? 'management' : e.eventCategory.toLowerCase()} event${e.readOnly === undefined ? '' : e.readOnly ? ', read-only' : ', write'}, recorded in ${e.awsRegion}${isGlobal ? ' (a global-service event: AWS files it under us-east-1)' : ''}`);
  const no = (cause: RootCauseId, why: string): RecordedVerdict => ({ verdict: 'no', chain: [...chain, why], cause, folderRegion, isGlobal });
  if (e.eventCategory === 'Insight') return no('event-selectors-exclude-events', 'Insights events go to a separate folder (CloudTrail-Insight), not traced here');
  if (isGlobal && !trail.includeGlobalServiceEvents) return no('global-service-events-excluded', `the trail excludes global-service events (IncludeGlobalServiceEvents false), so it never records ${e.eventSource}`);
  if (!trail.isMultiRegionTrail && trail.homeRegion !== e.awsRegion) {
    return no('single-region-trail', `the trail records ${trail.homeRegion} only (single-region); the event is in ${e.awsRegion}`);
  }
  chain.push(trail.isMultiRegionTrail ? `the trail is multi-region: ${e.awsRegion} is covered` : `the trail's home region ${trail.homeRegion} is the event's region`);
  const advanced = selectors?.advancedEventSelectors ?? [];
  const basic = selectors?.eventSelectors ?? [];
  const verdicts = advanced.length ? advanced.map((s) => advancedSelects(s, e)) : (basic.length ? basic : [{}]).map((s, i) => basicSelects(s, e, i));
  if (!selectors) chain.push('event selectors unreadable: AWS\'s default (all management events) assumed');
  else if (!advanced.length && !basic.length) chain.push('no selectors: AWS\'s default, every management event');
  const yes = verdicts.find((v) => v.verdict === 'yes');
  if (yes) return { verdict: 'yes', chain: [...chain, yes.why], folderRegion, isGlobal };
  chain.push(...verdicts.map((v) => v.why));
  if (verdicts.some((v) => v.verdict === 'unknown')) return { verdict: 'unknown', chain: [...chain, 'a selector depends on a field this record does not carry: cannot tell'], folderRegion, isGlobal };
  return { verdict: 'no', chain: [...chain, `no selector of the trail records it (${advanced.length ? 'advanced' : 'basic'} selectors are ORed)`], cause: 'event-selectors-exclude-events', folderRegion, isGlobal };
}
