import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LogFileShare } from './shared-reads.js';

const file = (ids: string[]) =>
  gzipSync(Buffer.from(JSON.stringify({ Records: ids.map((eventID) => ({ eventID, eventTime: '2026-11-20T10:15:00Z', managementEvent: true, eventCategory: 'Management' })) })));

describe('LogFileShare', () => {
  it('keeps bodies within the cap, parses one only when taken, then lets it go', async () => {
    const a = file(['a1', 'a2']);
    const b = file(['b1']);
    const share = new LogFileShare({ maxFiles: 10, maxBytes: a.length + b.length });
    share.offer('bkt', 'k/a', a);
    share.offer('bkt', 'k/b', b);
    share.offer('bkt', 'k/c', file(['c1']));
    expect(share.capped).toBe(true);
    expect(share.dropped).toBe(1);
    expect(share.has('bkt', 'k/c')).toBe(false);
    expect(share.has('other', 'k/a')).toBe(false);
    const r = await share.take('bkt', 'k/a');
    expect(r).toMatchObject({ records: 2, hourly: [[Date.parse('2026-11-20T10:00:00Z'), 2]] });
    expect(share.has('bkt', 'k/a')).toBe(false);
    expect(await share.take('bkt', 'k/a')).toBeUndefined();
    // room again once taken
    share.offer('bkt', 'k/c', file(['c1']));
    expect(share.has('bkt', 'k/c')).toBe(true);
    share.clear();
    expect(share.size).toBe(0);
  });

  it('counts files against the cap too', () => {
    const share = new LogFileShare({ maxFiles: 1, maxBytes: 1 << 20 });
    share.offer('bkt', 'x', file(['1']));
    share.offer('bkt', 'y', file(['2']));
    expect(share.size).toBe(1);
    expect(share.dropped).toBe(1);
  });
});
