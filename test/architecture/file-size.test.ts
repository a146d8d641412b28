import { describe, expect, it } from 'vitest';
import { readSource, sourceFiles } from './source.js';

/** Small modules: no file in src/ (tests included) over this many lines. */
const MAX_LINES = 400;

/**
 * Generated data, exempt from the limit, each with the reason. None today: add a file here only
 * when it is produced by a script (and say which).
 */
const GENERATED: Record<string, string> = {};

const lines = (text: string) => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

describe('file size', () => {
  it(`no file in src/ is over ${MAX_LINES} lines, generated data excepted`, () => {
    const over = sourceFiles()
      .filter((f) => !(f in GENERATED))
      .map((f) => ({ f, n: lines(readSource(f)) }))
      .filter(({ n }) => n > MAX_LINES)
      .map(({ f, n }) => `src/${f}: ${n} lines`);
    expect(over, `split these by job:\n${over.join('\n')}`).toEqual([]);
  });

  it('the exemptions name files that exist', () => {
    const files = new Set(sourceFiles());
    expect(Object.keys(GENERATED).filter((f) => !files.has(f))).toEqual([]);
  });
});
