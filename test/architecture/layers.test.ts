import { describe, expect, it } from 'vitest';
import { isTest, readSource, sourceFiles } from './source.js';

/**
 * The import graph of src/ follows the data flow collect → evidence → checks → diagnosis → report,
 * with cli/ on top and aws/, util/, model/, policy/ and evidence/ as shared lower layers. Tests are
 * not layers (a test may reach across to build its fixtures); only product files are read.
 */

const SHARED = ['util', 'model', 'aws', 'policy', 'evidence'];

/** What each folder of src/ may import, besides itself. */
const ALLOWED: Record<string, readonly string[]> = {
  util: SHARED,
  model: SHARED,
  aws: SHARED,
  policy: SHARED,
  evidence: SHARED,
  // the nine steps' collectors
  collect: SHARED,
  // the engines that read an account through the collection plan
  integrity: [...SHARED, 'collect'],
  gaps: [...SHARED, 'collect'],
  // one module per root cause: they read evidence only
  checks: SHARED,
  diagnosis: [...SHARED, 'collect', 'integrity', 'gaps', 'checks'],
  // the fleet engine: discovery, coverage, and the diagnosis of each trail
  scan: [...SHARED, 'collect', 'integrity', 'gaps', 'checks', 'diagnosis'],
  // where is one event: the trail through the plan, the gap engine's readers, the causes' ids and fixes
  trace: [...SHARED, 'collect', 'integrity', 'gaps', 'checks', 'diagnosis'],
  report: [...SHARED, 'collect', 'integrity', 'gaps', 'checks', 'diagnosis', 'scan', 'trace'],
  demo: [...SHARED, 'checks', 'diagnosis', 'report'],
  // long-running and fleet engines built on the diagnosis: they run it, and render with report/
  watch: [...SHARED, 'collect', 'integrity', 'gaps', 'checks', 'diagnosis', 'scan', 'report'],
  cli: [...SHARED, 'collect', 'integrity', 'gaps', 'checks', 'diagnosis', 'scan', 'trace', 'report', 'demo', 'watch'],
};

/** Files at the root of src/ (the version) are importable by everyone. */
const ROOT = '.';

/** Edges allowed against the layer order: none. A stale entry fails the test below. */
const KNOWN_VIOLATIONS: readonly string[] = [];

/** Every relative import of a product file, as `from -> to` paths relative to src/. */
export function importEdges(file: string, source: string): string[] {
  const dir = file.split('/').slice(0, -1);
  const out: string[] = [];
  for (const m of source.matchAll(/(?:import|export)\s[^'"]*?from\s*'(\.{1,2}\/[^']+)'|import\(\s*'(\.{1,2}\/[^']+)'\s*\)/g)) {
    const spec = (m[1] ?? m[2])!;
    const parts = [...dir];
    for (const seg of spec.split('/')) {
      if (seg === '.') continue;
      if (seg === '..') parts.pop();
      else parts.push(seg);
    }
    out.push(`${file} -> ${parts.join('/').replace(/\.js$/, '.ts')}`);
  }
  return out;
}

const layerOf = (path: string) => (path.includes('/') ? path.split('/')[0]! : ROOT);

/** Edges that break the layer order. */
export function violations(edges: readonly string[]): string[] {
  return edges.filter((e) => {
    const [from, to] = e.split(' -> ') as [string, string];
    const a = layerOf(from);
    const b = layerOf(to);
    if (a === b || b === ROOT) return false;
    const allowed = ALLOWED[a];
    return !allowed || !allowed.includes(b);
  });
}

const product = sourceFiles().filter((f) => !isTest(f));
const edges = product.flatMap((f) => importEdges(f, readSource(f)));

describe('layer order of src/', () => {
  it('every folder of src/ has a declared layer', () => {
    const folders = [...new Set(product.map(layerOf))].filter((l) => l !== ROOT);
    expect(folders.filter((f) => !(f in ALLOWED))).toEqual([]);
  });

  it('imports follow collect → evidence → checks → diagnosis → report (cli on top), except the known list', () => {
    const bad = violations(edges).filter((e) => !KNOWN_VIOLATIONS.includes(e));
    expect(bad, `imports against the layer order:\n${bad.join('\n')}`).toEqual([]);
  });

  it('the known list holds only edges that still exist and still break the order', () => {
    const current = new Set(violations(edges));
    expect(KNOWN_VIOLATIONS.filter((e) => !current.has(e))).toEqual([]);
  });

  it('reads imports, re-exports and dynamic imports; flags the named violations', () => {
    const src = "import type { StepNumber } from '../checks/types.js';\nexport { x } from './y.js';\nconst m = await import('../report/index.js');";
    expect(importEdges('collect/z.ts', src)).toEqual(['collect/z.ts -> checks/types.ts', 'collect/z.ts -> collect/y.ts', 'collect/z.ts -> report/index.ts']);
    expect(violations(['collect/a.ts -> checks/types.ts', 'diagnosis/a.ts -> report/model.ts', 'checks/a.ts -> gaps/model.ts', 'checks/a.ts -> integrity/model.ts', 'report/a.ts -> diagnosis/b.ts', 'cli/a.ts -> report/b.ts'])).toEqual([
      'collect/a.ts -> checks/types.ts',
      'diagnosis/a.ts -> report/model.ts',
      'checks/a.ts -> gaps/model.ts',
      'checks/a.ts -> integrity/model.ts',
    ]);
  });
});
