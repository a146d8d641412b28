import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CHECKS, HEALTHY } from './index.js';
import { PRECEDENCE_TIERS, ROOT_CAUSE_IDS, type CauseDefinition, type RootCauseId } from './types.js';
import { healthyEvidence } from '../evidence/builder.js';
import { evidenceSchema } from '../evidence/schema.js';
import { contextOf } from './util.js';
import { CHANGE_EVENT_CATALOGUE, LOOKUP_NAMES_BY_SOURCE } from '../evidence/change-events.js';
import { changeFilterPatterns } from '../collect/step9-changes.js';
import { SCENARIOS } from '../demo/scenarios.js';
import { PRECEDENCE } from '../diagnosis/engine.js';

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

/**
 * Parity of a root cause's pieces: each test names the file to add or the field to declare, so a
 * newcomer following README's "Adding a root cause" sees exactly what is left.
 */
const root = join(dir, '..', '..');
const causes: readonly CauseDefinition[] = CHECKS;
const registered = new Set<string>(causes.map((c) => c.id));
const missing = (what: string, list: string[]) => [`${what}:`, ...list].join('\n  ');

describe('root-cause parity: every piece of every cause is in place', () => {
  it('ROOT_CAUSE_IDS is exactly the registry plus healthy', () => {
    const ids = new Set<string>(ROOT_CAUSE_IDS);
    const notRegistered = ROOT_CAUSE_IDS.filter((id) => id !== 'healthy' && !registered.has(id)).map((id) => `src/checks/${id}.ts (or remove ${id} from ROOT_CAUSE_IDS)`);
    expect(notRegistered, missing('ids in ROOT_CAUSE_IDS without a cause in CHECKS', notRegistered)).toEqual([]);
    expect(causes.filter((c) => !ids.has(c.id)).map((c) => c.id)).toEqual([]);
  });

  it('every cause has a precedence tier and a rank unique in its tier; the derived PRECEDENCE lists each id once', () => {
    const bad = causes.filter((c) => !c.precedence || !(PRECEDENCE_TIERS as readonly string[]).includes(c.precedence.tier) || !Number.isFinite(c.precedence.rank));
    expect(bad.map((c) => `src/checks/${c.id}.ts: declare precedence: { tier: one of ${PRECEDENCE_TIERS.join(' | ')}, rank }`)).toEqual([]);
    const places = [...causes, HEALTHY].map((c) => `${c.precedence.tier}/${c.precedence.rank}`);
    const clash = [...causes, HEALTHY].filter((c, i) => places.indexOf(places[i]!) !== i).map((c) => `${c.id} shares ${c.precedence.tier} rank ${c.precedence.rank}`);
    expect(clash, missing('ranks must be unique in a tier', clash)).toEqual([]);
    const flat = PRECEDENCE.flat();
    expect([...flat].sort()).toEqual([...ROOT_CAUSE_IDS].sort());
    expect(flat.at(-1)).toBe('healthy');
  });

  it('every cause has its docs page docs/causes/<id>.md, led by its meaning, with the four sections', () => {
    const problems: string[] = [];
    for (const c of [...causes, HEALTHY]) {
      const file = join(root, 'docs', 'causes', `${c.id}.md`);
      if (!existsSync(file)) {
        problems.push(`docs/causes/${c.id}.md is missing`);
        continue;
      }
      const text = readFileSync(file, 'utf8');
      if (!text.startsWith(`# \`${c.id}\``)) problems.push(`docs/causes/${c.id}.md must start with "# \`${c.id}\`"`);
      if (!text.includes(`**In short:** ${c.meaning}\n`)) problems.push(`docs/causes/${c.id}.md must lead with "**In short:** ${c.meaning}" (the cause's \`meaning\`)`);
      for (const h of ['## What it means', '## The signal that proves it', '## How to fix it', '## False-alarm traps']) if (!text.includes(`\n${h}\n`)) problems.push(`docs/causes/${c.id}.md lacks "${h}"`);
    }
    const pages = readdirSync(join(root, 'docs', 'causes')).filter((f) => f.endsWith('.md')).map((f) => f.slice(0, -3));
    for (const p of pages) if (p !== 'healthy' && !registered.has(p)) problems.push(`docs/causes/${p}.md documents no registered cause`);
    expect(problems, missing('docs', problems)).toEqual([]);
  });

  it('every cause has a demo scenario src/demo/scenarios/<id>.ts, or declares why not (noDemo)', () => {
    const demos = new Set(SCENARIOS.map((s) => s.id));
    const none = causes.filter((c) => !demos.has(c.id) && !c.noDemo).map((c) => `src/demo/scenarios/${c.id}.ts (listed in SCENARIOS), or noDemo: '<why>' in src/checks/${c.id}.ts`);
    expect(none, missing('no demo scenario', none)).toEqual([]);
    const both = causes.filter((c) => demos.has(c.id) && c.noDemo).map((c) => `src/checks/${c.id}.ts declares noDemo but has a scenario`);
    expect(both).toEqual([]);
  });

  it('every check test is a table: src/checks/<id>.test.ts calls testCheck(check, …)', () => {
    const notTable = causes.filter((c) => existsSync(join(dir, `${c.id}.test.ts`)) && !/testCheck\(check,/.test(readFileSync(join(dir, `${c.id}.test.ts`), 'utf8'))).map((c) => `src/checks/${c.id}.test.ts`);
    expect(notTable, missing('check tests not using testCheck (test/support/check-tester.ts)', notTable)).toEqual([]);
  });

  it('every trigger event a cause declares is collected by step 9 (log-group filter patterns, and event history by name)', () => {
    const patterns = changeFilterPatterns().join(' ');
    const lookedUp = new Set(Object.values(LOOKUP_NAMES_BY_SOURCE).flat());
    const recordedAs = new Map(CHANGE_EVENT_CATALOGUE.filter((e) => 'recordedAs' in e).map((e) => [e.eventName as string, (e as { recordedAs: string }).recordedAs]));
    const problems: string[] = [];
    for (const c of causes) {
      for (const t of c.triggerEvents) {
        if (!patterns.includes(`($.eventName = "${t}")`)) problems.push(`${c.id}: ${t} is not in step 9's log-group filter patterns`);
        const asked = recordedAs.get(t) ?? t;
        if (!lookedUp.has(asked)) problems.push(`${c.id}: ${t} is never asked of event history`);
      }
      const dups = c.triggerEvents.filter((t, i) => c.triggerEvents.indexOf(t) !== i);
      if (dups.length) problems.push(`${c.id}: duplicate trigger events ${dups.join(', ')}`);
    }
    expect(problems, missing('trigger events nothing collects', problems)).toEqual([]);
  });

  it('every evidence path a cause reads exists in the evidence model', () => {
    const top = evidenceSchema.shape as Record<string, unknown>;
    const steps = evidenceSchema.shape.steps.shape as Record<string, { shape: Record<string, unknown> }>;
    const known = (ref: string) => {
      const [step, key] = ref.split('.');
      if (!key) return ref in top;
      return !!steps[step!] && key in steps[step!]!.shape;
    };
    const bad = causes.flatMap((c) => c.reads.filter((r) => !known(r)).map((r) => `${c.id} reads ${r}`));
    expect(bad, missing('unknown evidence paths', bad)).toEqual([]);
    expect(causes.filter((c) => !c.reads.length).map((c) => c.id)).toEqual([]);
  });

  it('relations name registered causes, never the cause itself, and residue groups have no cycle', () => {
    const problems: string[] = [];
    const edges = new Map<string, string[]>();
    for (const c of causes) {
      const r = c.relations ?? {};
      const named = [...(r.residueOf ?? []), ...(r.explainedBy ?? []).map((x) => x.cause)];
      for (const id of named) {
        if (!registered.has(id)) problems.push(`${c.id} relates to unregistered ${id}`);
        if (id === c.id) problems.push(`${c.id} relates to itself`);
      }
      edges.set(c.id, named);
      if (r.explainsSilence && r.silenceSymptom) problems.push(`${c.id} cannot both explain silence and be its symptom`);
    }
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (id: string, path: string[]): void => {
      if (done.has(id)) return;
      if (visiting.has(id)) {
        problems.push(`relation cycle ${[...path, id].join(' → ')}`);
        return;
      }
      visiting.add(id);
      for (const n of edges.get(id) ?? []) visit(n, [...path, id]);
      visiting.delete(id);
      done.add(id);
    };
    for (const id of edges.keys()) visit(id, []);
    expect(problems, missing('relations', problems)).toEqual([]);
  });

  it("README's root-cause table is the registry: one row per cause and healthy, each with the cause's meaning", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## What it concludes'), readme.indexOf('## JSON report'));
    const rows = new Map([...section.matchAll(/^\| `([a-z0-9-]+)` \| (.+) \|$/gm)].map((m) => [m[1]!, m[2]!]));
    const problems: string[] = [];
    for (const c of [...causes, HEALTHY]) {
      const row = rows.get(c.id);
      if (row === undefined) problems.push(`README.md "What it concludes" lacks the row | \`${c.id}\` | ${c.meaning} |`);
      else if (row !== c.meaning) problems.push(`README.md row ${c.id} says "${row}", its meaning (src/checks/${c.id}.ts) says "${c.meaning}"`);
    }
    for (const id of rows.keys()) if (id !== 'healthy' && !registered.has(id as RootCauseId)) problems.push(`README.md lists ${id}, which is not registered`);
    expect(problems, missing('README root-cause table', problems)).toEqual([]);
  });
});
