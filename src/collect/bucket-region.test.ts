import { describe, expect, it } from 'vitest';
import { inBucketRegion } from './bucket-region.js';
import type { BucketLocation } from './types.js';

const at = (region: string | undefined, readable = true): BucketLocation => ({
  bucket: 'b',
  head: { status: 'ok', value: region ? { region } : {} },
  location: { status: 'skipped', reason: 'x' },
  ...(region ? { region } : {}),
  readable,
});
const later = <T>(value: T, ms = 5) => () => new Promise<T>((r) => setTimeout(() => r(value), ms));

describe('bucket reads that start before HeadBucket answers', () => {
  it('the guess was right: the early reads are the answer, read once', async () => {
    const regions: string[] = [];
    const r = await inBucketRegion('eu-west-1', later(at('eu-west-1')), async (region) => (regions.push(region), `read in ${region}`));
    expect(r).toMatchObject({ value: 'read in eu-west-1', region: 'eu-west-1' });
    expect(regions).toEqual(['eu-west-1']);
  });

  it('the bucket is elsewhere: read again there, the early answer dropped, and the early read told to stop', async () => {
    const regions: string[] = [];
    let earlyStopped: boolean | undefined;
    const r = await inBucketRegion('eu-west-1', later(at('ap-southeast-2')), async (region, stale) => {
      regions.push(region);
      if (region === 'eu-west-1') {
        await new Promise((res) => setTimeout(res, 20));
        earlyStopped = stale();
      }
      return `read in ${region}`;
    });
    expect(r).toMatchObject({ value: 'read in ap-southeast-2', region: 'ap-southeast-2' });
    expect(regions).toEqual(['eu-west-1', 'ap-southeast-2']);
    // The early read had finished (awaited) before the answer was returned.
    expect(earlyStopped).toBe(true);
  });

  it('no bucket to read: no value, and the early read has ended', async () => {
    let ended = false;
    const r = await inBucketRegion('eu-west-1', later(at(undefined, false)), async () => {
      await new Promise((res) => setTimeout(res, 20));
      ended = true;
      return 'x';
    });
    expect(r.value).toBeUndefined();
    expect(ended).toBe(true);
  });

  it('evenIfAbsent (event history of a deleted bucket): the early read is the answer when HeadBucket found no bucket', async () => {
    const absent: BucketLocation = { bucket: 'b', head: { status: 'absent', reason: 'gone' }, location: { status: 'skipped', reason: 'x' }, readable: false, skipReason: 'bucket does not exist' };
    const regions: string[] = [];
    const r = await inBucketRegion('eu-west-1', later(absent), async (region) => (regions.push(region), 'DeleteBucket found'), { evenIfAbsent: true });
    expect(r.value).toBe('DeleteBucket found');
    expect(regions).toEqual(['eu-west-1']);
    expect((await inBucketRegion('eu-west-1', later(absent), async () => 'x')).value).toBeUndefined();
  });

  it('no guess: nothing is read before HeadBucket answers', async () => {
    const order: string[] = [];
    const r = await inBucketRegion(undefined, async () => (order.push('located'), at('us-east-1')), async (region) => (order.push(`read ${region}`), 1));
    expect(order).toEqual(['located', 'read us-east-1']);
    expect(r.value).toBe(1);
  });

  it('a read that throws (a bug) throws when its answer is the one kept', async () => {
    await expect(inBucketRegion('eu-west-1', later(at('eu-west-1')), async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const r = await inBucketRegion('eu-west-1', later(at('us-east-2')), async (region) => (region === 'eu-west-1' ? Promise.reject(new Error('boom')) : 'ok'));
    expect(r.value).toBe('ok');
  });
});
