import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CHECKS } from './index.js';
import { ROOT_CAUSE_IDS } from './types.js';
import { healthyEvidence } from '../evidence/builder.js';
import { contextOf } from './util.js';

/** Parity (ESLint-style): check files, the registry, root-cause ids and tests agree. */
const dir = dirname(fileURLToPath(import.meta.url));
/** Support modules of src/checks (not checks). Other non-check helpers are recognised by exporting no `check`. */
const SUPPORT = new Set(['index', 'types', 'util', 'selectors']);
const KNOWN_IDS = new Set<string>(ROOT_CAUSE_IDS);
const files = readdirSync(dir);
const candidates = files
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
  .map((f) => f.slice(0, -3))
  .filter((f) => !SUPPORT.has(f))
  .sort();
/** A check file: named after a root-cause id, or exporting `check`. */
const modules = new Map<string, { check?: { id?: string } }>();
for (const f of candidates) modules.set(f, (await import(/* @vite-ignore */ pathToFileURL(join(dir, `${f}.ts`)).href)) as { check?: { id?: string } });
const checkFiles = candidates.filter((f) => KNOWN_IDS.has(f) || modules.get(f)?.check !== undefined);

describe('check registry parity', () => {
  it('every check file src/checks/<id>.ts is listed in CHECKS', () => {
    const listed = new Set(CHECKS.map((c) => c.id as string));
    const missing = checkFiles.filter((f) => !listed.has(f));
    expect(missing, `not in CHECKS (add to src/checks/index.ts): ${missing.join(', ')}`).toEqual([]);
  });

  it('every check file exports `check` whose id is its file name and a root-cause id', () => {
    const wrong = checkFiles.filter((f) => modules.get(f)?.check?.id !== f || !KNOWN_IDS.has(f));
    expect(
      wrong.map((f) => `src/checks/${f}.ts exports check.id=${String(modules.get(f)?.check?.id)}${KNOWN_IDS.has(f) ? '' : ' (file name is not in ROOT_CAUSE_IDS)'}`),
      'check files must export `check` with id = file name = a ROOT_CAUSE_IDS entry',
    ).toEqual([]);
  });

  it('CHECKS holds the very objects the check files export', () => {
    const notSame = CHECKS.filter((c) => modules.get(c.id)?.check !== c).map((c) => c.id);
    expect(notSame, `CHECKS entries not imported from src/checks/<id>.ts: ${notSame.join(', ')}`).toEqual([]);
  });

  it('every listed check id is a root-cause id and has its own file', () => {
    const known = new Set<string>(ROOT_CAUSE_IDS);
    const unknown = CHECKS.map((c) => c.id).filter((id) => !known.has(id));
    expect(unknown, `ids not in ROOT_CAUSE_IDS (src/checks/types.ts): ${unknown.join(', ')}`).toEqual([]);
    const noFile = CHECKS.map((c) => c.id).filter((id) => !checkFiles.includes(id));
    expect(noFile, `checks without a file src/checks/<id>.ts: ${noFile.join(', ')}`).toEqual([]);
    expect(CHECKS.map((c) => c.id)).not.toContain('healthy');
  });

  it('check ids are unique', () => {
    const ids = CHECKS.map((c) => c.id);
    const dups = ids.filter((id, i) => ids.indexOf(id) !== i);
    expect(dups, `duplicate ids in CHECKS: ${dups.join(', ')}`).toEqual([]);
  });

  it('every check file has a test file beside it', () => {
    const noTest = checkFiles.filter((f) => !files.includes(`${f}.test.ts`));
    expect(noTest, `missing tests: ${noTest.map((f) => `src/checks/${f}.test.ts`).join(', ')}`).toEqual([]);
  });

  it('every check has a title, a step 1..9 and a severity', () => {
    for (const c of CHECKS) {
      expect(c.title, c.id).toBeTruthy();
      expect(c.step, c.id).toBeGreaterThanOrEqual(1);
      expect(c.step, c.id).toBeLessThanOrEqual(9);
      expect(['critical', 'high', 'medium', 'low', 'info'], c.id).toContain(c.severity);
    }
  });

  it('no check finds anything on the healthy fixture, and findings carry their own id', () => {
    const e = healthyEvidence();
    for (const c of CHECKS) {
      const r = c.run(contextOf(e));
      expect(r.findings, `${c.id} on healthy evidence`).toEqual([]);
      expect(r.unverified, `${c.id} on healthy evidence`).toEqual([]);
    }
  });

  it('no check throws on skeletal evidence (every probe skipped)', () => {
    const e = healthyEvidence();
    const sk = { status: 'skipped' as const, reason: 'test' };
    const s = e.steps;
    s.s1.trail = { status: 'absent', reason: 'TrailNotFoundException' };
    s.s1.trailsInRegion = sk;
    s.s1.health = sk;
    s.s2.status = sk;
    s.s2.selectors = sk;
    Object.assign(s.s3, { streams: sk, eventCounts: sk, deliveryFailures: sk, newestEventTime: undefined });
    Object.assign(s.s4, { head: sk, location: sk, policy: sk, encryption: sk, kmsKey: sk, kmsKeyPolicy: sk, ownership: sk, objectLock: sk, lifecycle: sk, requestPayment: sk });
    s.s6.listing = sk;
    s.s7.logGroup = sk;
    s.s8.metrics = sk;
    e.gaps = { window: e.window, totals: { recorded: 0, delivered: 0, missing: 0, sampled: false }, gaps: [], status: 'could-not-check', reason: 'test' };
    for (const c of CHECKS) expect(() => c.run(contextOf(e)), c.id).not.toThrow();
  });
});
