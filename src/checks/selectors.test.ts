import { describe, expect, it } from 'vitest';
import { fieldMatches, selectorCoverage } from './selectors.js';
import type { EventSelectors } from '../evidence/schema.js';

const mgmt = (extra: object[] = [], name?: string) => ({
  ...(name ? { name } : {}),
  fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }, ...(extra as never[])],
});

describe('fieldMatches', () => {
  const cases: [string, object, string, boolean][] = [
    ['equals hit', { field: 'f', equals: ['a', 'b'] }, 'b', true],
    ['equals miss', { field: 'f', equals: ['a'] }, 'c', false],
    ['startsWith', { field: 'f', startsWith: ['arn:aws:s3:::logs/'] }, 'arn:aws:s3:::logs/x', true],
    ['startsWith miss', { field: 'f', startsWith: ['x'] }, 'y', false],
    ['endsWith', { field: 'f', endsWith: ['.json'] }, 'a.json', true],
    ['notEquals excludes', { field: 'f', notEquals: ['kms.amazonaws.com'] }, 'kms.amazonaws.com', false],
    ['notEquals passes others', { field: 'f', notEquals: ['kms.amazonaws.com'] }, 's3.amazonaws.com', true],
    ['notStartsWith', { field: 'f', notStartsWith: ['Get'] }, 'GetObject', false],
    ['notEndsWith', { field: 'f', notEndsWith: ['Object'] }, 'PutObject', false],
    ['operators ANDed', { field: 'f', startsWith: ['Put'], notEquals: ['PutObject'] }, 'PutObjectAcl', true],
    ['operators ANDed miss', { field: 'f', startsWith: ['Put'], notEquals: ['PutObject'] }, 'PutObject', false],
    ['no operator matches all', { field: 'f' }, 'anything', true],
  ];
  it.each(cases)('%s', (_n, fs, v, want) => {
    expect(fieldMatches(fs as never, v)).toBe(want);
  });
});

interface Row {
  name: string;
  sel: EventSelectors | undefined;
  read: boolean;
  write: boolean;
  excluded?: string[];
  partial?: boolean;
  data?: boolean;
  nothing?: boolean;
}

const rows: Row[] = [
  { name: 'default (no selectors) = all management', sel: undefined, read: true, write: true },
  { name: 'basic All', sel: { eventSelectors: [{ readWriteType: 'All', includeManagementEvents: true }] }, read: true, write: true },
  { name: 'basic ReadOnly', sel: { eventSelectors: [{ readWriteType: 'ReadOnly', includeManagementEvents: true }] }, read: true, write: false },
  { name: 'basic WriteOnly', sel: { eventSelectors: [{ readWriteType: 'WriteOnly' }] }, read: false, write: true },
  { name: 'basic ReadOnly + WriteOnly selectors = full', sel: { eventSelectors: [{ readWriteType: 'ReadOnly' }, { readWriteType: 'WriteOnly' }] }, read: true, write: true },
  {
    name: 'basic management off, no data = nothing',
    sel: { eventSelectors: [{ readWriteType: 'All', includeManagementEvents: false, dataResources: [] }] },
    read: false,
    write: false,
    nothing: true,
  },
  {
    name: 'basic management off, S3 data on',
    sel: { eventSelectors: [{ includeManagementEvents: false, dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3'] }] }] },
    read: false,
    write: false,
    data: true,
  },
  {
    name: 'basic excludes kms and rdsdata',
    sel: { eventSelectors: [{ readWriteType: 'All', excludeManagementEventSources: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] }] },
    read: true,
    write: true,
    excluded: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'],
  },
  {
    name: 'basic: one selector excludes kms, another includes it = kms covered',
    sel: { eventSelectors: [{ excludeManagementEventSources: ['kms.amazonaws.com'] }, { readWriteType: 'All' }] },
    read: true,
    write: true,
    excluded: [],
  },
  { name: 'advanced all management', sel: { advancedEventSelectors: [mgmt()] }, read: true, write: true },
  {
    name: 'advanced read in one selector, write in another = full (the trap)',
    sel: {
      advancedEventSelectors: [
        mgmt([{ field: 'readOnly', equals: ['true'] }], 'reads'),
        mgmt([{ field: 'readOnly', equals: ['false'] }], 'writes'),
      ],
    },
    read: true,
    write: true,
  },
  { name: 'advanced read only', sel: { advancedEventSelectors: [mgmt([{ field: 'readOnly', equals: ['true'] }])] }, read: true, write: false },
  {
    name: 'advanced write only via NotEquals true',
    sel: { advancedEventSelectors: [mgmt([{ field: 'readOnly', notEquals: ['true'] }])] },
    read: false,
    write: true,
  },
  {
    name: 'advanced excludes kms',
    sel: { advancedEventSelectors: [mgmt([{ field: 'eventSource', notEquals: ['kms.amazonaws.com'] }])] },
    read: true,
    write: true,
    excluded: ['kms.amazonaws.com'],
  },
  {
    name: 'advanced excludes kms in one, other selector covers kms writes only',
    sel: {
      advancedEventSelectors: [
        mgmt([{ field: 'eventSource', notEquals: ['kms.amazonaws.com'] }]),
        mgmt([{ field: 'eventSource', equals: ['kms.amazonaws.com'] }, { field: 'readOnly', equals: ['false'] }]),
      ],
    },
    read: true,
    write: true,
    excluded: ['kms.amazonaws.com'],
  },
  {
    name: 'advanced: eventName restriction is partial, not full',
    sel: { advancedEventSelectors: [mgmt([{ field: 'eventName', equals: ['ConsoleLogin'] }])] },
    read: false,
    write: false,
    partial: true,
  },
  {
    name: 'advanced: userIdentity.arn NotStartsWith is partial',
    sel: { advancedEventSelectors: [mgmt([{ field: 'userIdentity.arn', notStartsWith: ['arn:aws:sts::123456789012:assumed-role/ci'] }])] },
    read: false,
    write: false,
    partial: true,
  },
  {
    name: 'advanced data only (S3 objects of one bucket)',
    sel: {
      advancedEventSelectors: [
        {
          fieldSelectors: [
            { field: 'eventCategory', equals: ['Data'] },
            { field: 'resources.type', equals: ['AWS::S3::Object'] },
            { field: 'resources.ARN', startsWith: ['arn:aws:s3:::acme/'] },
          ],
        },
      ],
    },
    read: false,
    write: false,
    data: true,
    partial: false,
  },
  {
    name: 'advanced: readOnly field matching neither value selects nothing',
    sel: { advancedEventSelectors: [mgmt([{ field: 'readOnly', equals: ['maybe'] }])] },
    read: false,
    write: false,
    nothing: true,
  },
];

describe('selectorCoverage: union of all selectors', () => {
  it.each(rows)('$name', (r) => {
    const c = selectorCoverage(r.sel);
    expect(c.management.read).toBe(r.read);
    expect(c.management.write).toBe(r.write);
    if (r.excluded) expect(c.management.excludedSources).toEqual(r.excluded);
    if (r.partial !== undefined) expect(!!c.management.partial).toBe(r.partial);
    expect(c.data.selected).toBe(r.data ?? false);
    expect(c.selectsNothing).toBe(r.nothing ?? false);
  });

  it('names exactly what is not selected', () => {
    const c = selectorCoverage({ eventSelectors: [{ readWriteType: 'WriteOnly', excludeManagementEventSources: ['kms.amazonaws.com'] }] });
    expect(c.notSelected).toEqual(['read-only management events', 'management events from kms.amazonaws.com', 'data events (none configured)']);
  });

  it('reports data resource types and narrowing', () => {
    const c = selectorCoverage({
      eventSelectors: [{ readWriteType: 'All', dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3:::acme/'] }] }],
    });
    expect(c.data).toMatchObject({ selected: true, resourceTypes: ['AWS::S3::Object'] });
    expect(c.data.partial).toContain('arn:aws:s3:::acme/');
  });

  it('NetworkActivity-only advanced selector still selects something', () => {
    const c = selectorCoverage({ advancedEventSelectors: [{ fieldSelectors: [{ field: 'eventCategory', equals: ['NetworkActivity'] }] }] });
    expect(c.otherCategories).toEqual(['NetworkActivity']);
    expect(c.selectsNothing).toBe(false);
  });
});
