import type { AdvancedSelector, BasicSelector, EventSelectors } from '../evidence/schema.js';

/**
 * Which events a trail selects: the UNION of all its selectors, basic or advanced.
 * (Read events in one advanced selector and write events in another is full coverage of
 * management events: a trap earlier checkers fell into.) Pure.
 *
 * Advanced selector semantics (AWS): field selectors of one advanced selector are ANDed; within a
 * field selector, Equals/StartsWith/EndsWith values are ORed and NotEquals/NotStartsWith/NotEndsWith
 * values must all fail to match; several operators on one field are ANDed. Advanced selectors are
 * ORed with each other. A field that is not constrained matches everything.
 */

export interface ManagementCoverage {
  /** Every read-only management event is selected (apart from `excludedSources`). */
  read: boolean;
  /** Every write management event is selected (apart from `excludedSources`). */
  write: boolean;
  /** Event sources whose management events are (partly) not selected, e.g. kms.amazonaws.com. */
  excludedSources: string[];
  /** Some management events are selected only under further conditions (eventName, userIdentity.arn, ...). */
  partial?: string;
}

export interface DataCoverage {
  /** Any data event is selected. */
  selected: boolean;
  /** Resource types selected (AWS::S3::Object, AWS::Lambda::Function, ...). */
  resourceTypes: string[];
  /** Data event selection is narrowed (specific resources, read/write only, event names). */
  partial?: string;
}

export interface SelectorCoverage {
  management: ManagementCoverage;
  data: DataCoverage;
  /** Other categories selected by advanced selectors (NetworkActivity, ...). */
  otherCategories: string[];
  /** True when the trail selects no event at all: it delivers nothing. */
  selectsNothing: boolean;
  /** What is NOT selected, one phrase each, for the report ("read-only management events", ...). */
  notSelected: string[];
  /** Which form the trail uses. */
  form: 'basic' | 'advanced' | 'default';
}

type FieldSelector = AdvancedSelector['fieldSelectors'][number];

/** Does one field selector accept this value? */
export function fieldMatches(fs: FieldSelector, value: string): boolean {
  if (fs.equals && fs.equals.length && !fs.equals.includes(value)) return false;
  if (fs.startsWith && fs.startsWith.length && !fs.startsWith.some((p) => value.startsWith(p))) return false;
  if (fs.endsWith && fs.endsWith.length && !fs.endsWith.some((p) => value.endsWith(p))) return false;
  if (fs.notEquals?.includes(value)) return false;
  if (fs.notStartsWith?.some((p) => value.startsWith(p))) return false;
  if (fs.notEndsWith?.some((p) => value.endsWith(p))) return false;
  return true;
}

const fieldsOf = (s: AdvancedSelector, name: string) => s.fieldSelectors.filter((f) => f.field.toLowerCase() === name.toLowerCase());

/** All field selectors on `name` accept `value` (an absent field accepts everything). */
function accepts(s: AdvancedSelector, name: string, value: string): boolean {
  return fieldsOf(s, name).every((f) => fieldMatches(f, value));
}

function describeField(f: FieldSelector): string {
  const parts: string[] = [];
  const ops: [keyof FieldSelector, string][] = [
    ['equals', 'equals'],
    ['startsWith', 'starts with'],
    ['endsWith', 'ends with'],
    ['notEquals', 'not equals'],
    ['notStartsWith', 'not starts with'],
    ['notEndsWith', 'not ends with'],
  ];
  for (const [k, label] of ops) {
    const v = f[k];
    if (Array.isArray(v) && v.length) parts.push(`${label} ${v.slice(0, 10).join(', ')}${v.length > 10 ? ', …' : ''}`);
  }
  return `${f.field} ${parts.join(' and ')}`;
}

/** Values named by an eventSource field selector (the candidates for "excluded sources"). */
function namedSources(s: AdvancedSelector): string[] {
  return fieldsOf(s, 'eventSource').flatMap((f) => [...(f.equals ?? []), ...(f.notEquals ?? [])]);
}

const MGMT_FIELDS = new Set(['eventcategory', 'readonly', 'eventsource']);

interface Coverer {
  /** Selects read (true) / write (false) management events of this source, unconditionally otherwise. */
  mgmt(readOnly: boolean, source: string | undefined): boolean;
  restrictedMgmt?: string;
  anyMgmt: boolean;
  sources: string[];
}

function basicCoverer(s: BasicSelector): Coverer {
  const include = s.includeManagementEvents ?? true;
  const rw = s.readWriteType ?? 'All';
  const excluded = s.excludeManagementEventSources ?? [];
  return {
    anyMgmt: include,
    sources: excluded,
    mgmt: (readOnly, source) =>
      include && (rw === 'All' || (rw === 'ReadOnly') === readOnly) && !(source !== undefined && excluded.includes(source)),
  };
}

function advancedCoverer(s: AdvancedSelector): Coverer {
  const isMgmt = accepts(s, 'eventCategory', 'Management');
  const extra = s.fieldSelectors.filter((f) => !MGMT_FIELDS.has(f.field.toLowerCase()));
  const anyMgmt = isMgmt && (accepts(s, 'readOnly', 'true') || accepts(s, 'readOnly', 'false'));
  const restricted = anyMgmt && extra.length ? `${s.name ? `selector "${s.name}": ` : ''}${extra.map(describeField).join('; ')}` : undefined;
  const sourceFields = fieldsOf(s, 'eventSource');
  return {
    anyMgmt,
    restrictedMgmt: restricted,
    sources: namedSources(s),
    mgmt: (readOnly, source) => {
      if (!isMgmt || extra.length) return false;
      if (!accepts(s, 'readOnly', readOnly ? 'true' : 'false')) return false;
      if (source === undefined) {
        // "every source": only when eventSource is not constrained, or only by exclusions
        return sourceFields.every((f) => !f.equals?.length && !f.startsWith?.length && !f.endsWith?.length);
      }
      return accepts(s, 'eventSource', source);
    },
  };
}

const uniq = (xs: string[]) => [...new Set(xs)];

export function selectorCoverage(selectors: EventSelectors | undefined): SelectorCoverage {
  const basic = selectors?.eventSelectors ?? [];
  const advanced = selectors?.advancedEventSelectors ?? [];
  const form: SelectorCoverage['form'] = advanced.length ? 'advanced' : basic.length ? 'basic' : 'default';
  // A trail always has selectors; none at all means AWS's default: all management events.
  const coverers: Coverer[] = form === 'default' ? [basicCoverer({})] : form === 'advanced' ? advanced.map(advancedCoverer) : basic.map(basicCoverer);

  const covers = (readOnly: boolean, source?: string) => coverers.some((c) => c.mgmt(readOnly, source));
  const read = covers(true);
  const write = covers(false);
  const candidates = uniq(coverers.flatMap((c) => c.sources));
  const excludedSources = candidates.filter((src) => (read && !covers(true, src)) || (write && !covers(false, src))).sort();
  const restricted = coverers.map((c) => c.restrictedMgmt).filter((x): x is string => !!x);
  // sources selected only by name (eventSource Equals), while "all sources" is not selected
  const onlySources = candidates.filter((src) => (!read && covers(true, src)) || (!write && covers(false, src)));
  if (onlySources.length) restricted.push(`only events from ${onlySources.join(', ')}`);
  const management: ManagementCoverage = { read, write, excludedSources };
  if (restricted.length && !(read && write && !excludedSources.length)) management.partial = restricted.join(' | ');

  // data events
  const types: string[] = [];
  const dataNotes: string[] = [];
  if (form === 'basic') {
    for (const s of basic) {
      for (const r of s.dataResources ?? []) {
        if (!r.values?.length) continue;
        types.push(r.type);
        const all = r.values.some((v) => /^arn:[^:]+:(s3|lambda|dynamodb)(:::)?$/.test(v) || v === 'arn:aws:s3' || /^arn:[^:]+:s3:::$/.test(v));
        if (!all) dataNotes.push(`${r.type} only for ${r.values.slice(0, 5).join(', ')}${r.values.length > 5 ? ', …' : ''}`);
        const rw = s.readWriteType ?? 'All';
        if (rw !== 'All') dataNotes.push(`${r.type} ${rw === 'ReadOnly' ? 'read' : 'write'} events only`);
      }
    }
  } else if (form === 'advanced') {
    for (const s of advanced) {
      if (!accepts(s, 'eventCategory', 'Data')) continue;
      if (!(accepts(s, 'readOnly', 'true') || accepts(s, 'readOnly', 'false'))) continue;
      const typeFields = fieldsOf(s, 'resources.type');
      const named = typeFields.flatMap((f) => [...(f.equals ?? []), ...(f.startsWith ?? [])]);
      types.push(...(named.length ? named : ['(any resource type)']));
      const narrowing = s.fieldSelectors.filter((f) => !['eventcategory', 'resources.type'].includes(f.field.toLowerCase()));
      if (narrowing.length) dataNotes.push(`${s.name ? `selector "${s.name}": ` : ''}${narrowing.map(describeField).join('; ')}`);
    }
  }
  const data: DataCoverage = { selected: types.length > 0, resourceTypes: uniq(types) };
  if (dataNotes.length) data.partial = dataNotes.join(' | ');

  const otherCategories = uniq(
    advanced.flatMap((s) => fieldsOf(s, 'eventCategory').flatMap((f) => f.equals ?? [])).filter((c) => c !== 'Management' && c !== 'Data'),
  );

  const notSelected: string[] = [];
  if (!read && !write) notSelected.push('management events');
  else if (!read) notSelected.push('read-only management events');
  else if (!write) notSelected.push('write management events');
  for (const src of excludedSources) notSelected.push(`management events from ${src}`);
  if (management.partial) notSelected.push(`management events other than those matching: ${management.partial}`);
  if (!data.selected) notSelected.push('data events (none configured)');
  else if (data.partial) notSelected.push(`data events outside: ${data.partial}`);

  const anyMgmt = read || write || restricted.length > 0;
  const selectsNothing = !anyMgmt && !data.selected && otherCategories.length === 0;
  return { management, data, otherCategories, selectsNothing, notSelected, form };
}
