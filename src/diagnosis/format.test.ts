import { describe, expect, it } from 'vitest';
import { ago, duration, shortTime } from './format.js';

describe('step-summary formatting', () => {
  const now = '2026-11-24T04:00:00Z';
  it.each([
    ['2026-11-24T03:57:00Z', '3 min ago'],
    ['2026-11-24T00:55:00Z', '3h05m ago'],
    ['2026-11-24T03:59:30Z', 'just now'],
    // collection takes seconds and `now` is when it began: a later time seconds away is "just now"
    ['2026-11-24T04:00:20Z', 'just now'],
    ['2026-11-24T04:10:00Z', '10 min in the future'],
    [undefined, 'never'],
    ['garbage', 'unknown'],
  ])('ago(%s) = %s', (t, want) => expect(ago(t, now)).toBe(want));

  it('durations and short times', () => {
    expect(duration(4320)).toBe('3d00h');
    expect(shortTime('2026-11-24T03:57:00Z')).toBe('2026-11-24T03:57Z');
  });
});
