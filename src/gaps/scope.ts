import type { AdvancedSelector, EventSelectors, TrailConfig } from '../evidence/schema.js';

/**
 * Is an event from event history one the trail should have delivered? Event history holds every
 * management event of the region; the trail delivers only what its selectors select (the UNION of
 * all selectors, basic or advanced), for the regions and global services it covers.
 *
 * Per-event predicate, local to gaps: src/checks/selectors.ts answers the coverage question for the
 * trail as a whole; here each event is judged on its own fields.
 */
export interface ScopeEvent {
  eventSource: string;
  eventName: string;
  readOnly?: boolean;
  eventType?: string;
  eventCategory?: string;
  errorCode?: string;
  userIdentityArn?: string;
  awsRegion?: string;
}

/** Whether the trail delivers an event: its selectors and region settings select it, exclude it, or cannot tell. */
export type ScopeVerdict = 'selected' | 'excluded' | 'unknown';

/** Global-service events are recorded in us-east-1 and reach only trails that include them. */
export const GLOBAL_EVENT_SOURCES = ['iam.amazonaws.com', 'sts.amazonaws.com', 'cloudfront.amazonaws.com'] as const;
export const GLOBAL_REGION = 'us-east-1';

type FieldSelector = AdvancedSelector['fieldSelectors'][number];

function fieldOk(fs: FieldSelector, value: string): boolean {
  if (fs.equals?.length && !fs.equals.includes(value)) return false;
  if (fs.startsWith?.length && !fs.startsWith.some((p) => value.startsWith(p))) return false;
  if (fs.endsWith?.length && !fs.endsWith.some((p) => value.endsWith(p))) return false;
  if (fs.notEquals?.includes(value)) return false;
  if (fs.notStartsWith?.some((p) => value.startsWith(p))) return false;
  if (fs.notEndsWith?.some((p) => value.endsWith(p))) return false;
  return true;
}

function fieldValue(e: ScopeEvent, field: string): string | undefined | null {
  switch (field.toLowerCase()) {
    case 'eventcategory':
      return e.eventCategory ?? 'Management';
    case 'readonly':
      return e.readOnly === undefined ? undefined : String(e.readOnly);
    case 'eventsource':
      return e.eventSource;
    case 'eventname':
      return e.eventName;
    case 'eventtype':
      return e.eventType;
    case 'errorcode':
      return e.errorCode ?? '';
    case 'useridentity.arn':
      return e.userIdentityArn;
    default:
      return null; // a field we cannot judge from event history
  }
}

function advancedVerdict(s: AdvancedSelector, e: ScopeEvent): ScopeVerdict {
  let unknown = false;
  for (const fs of s.fieldSelectors) {
    const v = fieldValue(e, fs.field);
    if (v === null || v === undefined) {
      unknown = true;
      continue;
    }
    if (!fieldOk(fs, v)) return 'excluded';
  }
  return unknown ? 'unknown' : 'selected';
}

/** Does the trail's selector set select this management event? */
export function selectorVerdict(selectors: EventSelectors | undefined, e: ScopeEvent): ScopeVerdict {
  const advanced = selectors?.advancedEventSelectors ?? [];
  const basic = selectors?.eventSelectors ?? [];
  if (advanced.length) {
    let best: ScopeVerdict = 'excluded';
    for (const s of advanced) {
      const v = advancedVerdict(s, e);
      if (v === 'selected') return 'selected';
      if (v === 'unknown') best = 'unknown';
    }
    return best;
  }
  // No selectors at all is AWS's default for a trail: every management event.
  const list = basic.length ? basic : [{}];
  for (const s of list) {
    if (s.includeManagementEvents === false) continue;
    const rw = s.readWriteType ?? 'All';
    if (rw !== 'All') {
      if (e.readOnly === undefined) return 'unknown';
      if ((rw === 'ReadOnly') !== e.readOnly) continue;
    }
    if (s.excludeManagementEventSources?.includes(e.eventSource)) continue;
    return 'selected';
  }
  return 'excluded';
}

/** Which regions' event history the trail is expected to deliver, seen from `region`. */
export function regionVerdict(trail: TrailConfig, region: string, e: ScopeEvent, historyRegion: string): { verdict: ScopeVerdict; why?: string } {
  if (!trail.isMultiRegionTrail && trail.homeRegion && trail.homeRegion !== region) {
    return { verdict: 'excluded', why: `single-region trail of ${trail.homeRegion}` };
  }
  const isGlobal = historyRegion === GLOBAL_REGION && (GLOBAL_EVENT_SOURCES as readonly string[]).includes(e.eventSource);
  if (isGlobal && !trail.includeGlobalServiceEvents) return { verdict: 'excluded', why: 'global-service events excluded' };
  if (isGlobal && !trail.isMultiRegionTrail && trail.homeRegion && trail.homeRegion !== GLOBAL_REGION) {
    return { verdict: 'excluded', why: 'global-service events reach only multi-region trails or trails in us-east-1' };
  }
  return { verdict: 'selected' };
}

/** The whole judgement: management event, selected, covered region. */
export function inScope(trail: TrailConfig, selectors: EventSelectors | undefined, region: string, historyRegion: string, e: ScopeEvent): { verdict: ScopeVerdict; why?: string } {
  if (e.eventCategory && e.eventCategory !== 'Management') return { verdict: 'excluded', why: `${e.eventCategory} event` };
  const r = regionVerdict(trail, region, e, historyRegion);
  if (r.verdict !== 'selected') return r;
  const s = selectorVerdict(selectors, e);
  return s === 'selected' ? { verdict: 'selected' } : { verdict: s, why: s === 'excluded' ? 'not selected by the event selectors' : 'selectors use fields event history cannot judge' };
}
