import { describe, expect, it } from 'vitest';
import { healthyEvidence } from '../../src/evidence/builder.js';
import type { Evidence } from '../../src/evidence/schema.js';
import type { CauseDefinition, CheckResult, Confidence, Finding, RootCauseId, Unverified } from '../../src/checks/types.js';
import { contextOf } from '../../src/checks/util.js';

/**
 * A table-driven tester for root-cause checks, in the spirit of ESLint's RuleTester. Every case
 * starts from the healthy fixture (src/evidence/builder.ts) changed by `evidence`, runs the check
 * and compares with the table:
 *  - `valid`: no finding and nothing unverified;
 *  - `invalid`: exactly the findings listed (id, confidence, evidence lines, ...), and the unverified
 *    entries listed (none when omitted);
 *  - `unverified`: no finding, exactly the unverified entries listed.
 * Every finding is also held to the registry: its id is the check's (or a declared one), and any
 * `triggerEvents` it names narrow the cause's declared `triggerEvents`.
 * `assert` takes the remaining, case-specific expectations (exact commands, data fields).
 */

export interface CheckCase {
  name: string;
  /** Turns the healthy fixture into the case's account (mutate it in place). */
  evidence?: (e: Evidence) => void;
  /** Further expectations on the check's result. */
  assert?: (result: CheckResult, evidence: Evidence) => void;
}

export interface ExpectedFinding {
  /** Defaults to the check's own id. */
  id?: RootCauseId;
  confidence: Confidence;
  /** Lines that must appear in the finding's evidence, in this order (a string is exact, a RegExp matches). */
  evidence?: readonly (string | RegExp)[];
  summary?: string | RegExp;
  since?: string | null;
  /** The finding's effective trigger events (its own, else the cause's). */
  triggerEvents?: readonly string[];
  /** Other fields, compared with toMatchObject. */
  match?: Partial<Finding> | Record<string, unknown>;
}

export interface InvalidCase extends CheckCase {
  findings: readonly ExpectedFinding[];
  unverified?: readonly Partial<Unverified>[];
}

export interface UnverifiedCase extends CheckCase {
  unverified: readonly Partial<Unverified>[];
}

export interface CheckTable {
  valid?: readonly CheckCase[];
  invalid?: readonly InvalidCase[];
  unverified?: readonly UnverifiedCase[];
}

/** Runs a check on the healthy fixture changed by `mut`, as the diagnosis would (clock = collectedAt). */
export function runCheck(check: CauseDefinition, mut?: (e: Evidence) => void): { result: CheckResult; evidence: Evidence } {
  const e = healthyEvidence();
  mut?.(e);
  return { result: check.run(contextOf(e)), evidence: e };
}

function expectLines(actual: readonly string[], wanted: readonly (string | RegExp)[], what: string): void {
  let from = 0;
  for (const w of wanted) {
    const i = actual.findIndex((line, k) => k >= from && (typeof w === 'string' ? line === w : w.test(line)));
    expect(i, `${what}: no evidence line ${String(w)} (after line ${from}) in\n  ${actual.join('\n  ')}`).toBeGreaterThanOrEqual(0);
    from = i + 1;
  }
}

function expectFinding(check: CauseDefinition, f: Finding, want: ExpectedFinding, label: string): void {
  expect(f.id, `${label}: id`).toBe(want.id ?? check.id);
  expect(f.confidence, `${label}: confidence`).toBe(want.confidence);
  if (want.evidence) expectLines(f.evidence, want.evidence, label);
  if (want.summary !== undefined) {
    if (typeof want.summary === 'string') expect(f.summary, `${label}: summary`).toBe(want.summary);
    else expect(f.summary, `${label}: summary`).toMatch(want.summary);
  }
  if (want.since !== undefined) expect(f.since ?? null, `${label}: since`).toBe(want.since);
  if (want.triggerEvents) expect(f.triggerEvents ?? check.triggerEvents, `${label}: trigger events`).toEqual(want.triggerEvents);
  if (want.match) expect(f, `${label}`).toMatchObject(want.match);
}

/** Registry invariants every finding of a check holds, whatever the case. */
function expectRegistered(check: CauseDefinition, f: Finding, label: string): void {
  const declared = new Set<string>(check.triggerEvents);
  const extra = (f.triggerEvents ?? []).filter((t) => !declared.has(t));
  expect(extra, `${label}: trigger events not declared in src/checks/${check.id}.ts triggerEvents`).toEqual([]);
  expect(f.summary.length, `${label}: empty summary`).toBeGreaterThan(0);
}

function expectUnverified(actual: readonly Unverified[], wanted: readonly Partial<Unverified>[], label: string): void {
  expect(actual, `${label}: unverified`).toEqual(wanted.map((u) => expect.objectContaining(u)));
}

/** Declares the vitest suite of one check from its table. */
export function testCheck(check: CauseDefinition, table: CheckTable): void {
  describe(`${check.id} (check table)`, () => {
    it('finds nothing on the healthy fixture', () => {
      expect(runCheck(check).result).toEqual({ findings: [], unverified: [] });
    });
    for (const c of table.valid ?? []) {
      it(`valid: ${c.name}`, () => {
        const { result, evidence } = runCheck(check, c.evidence);
        expect(result.findings, 'findings').toEqual([]);
        expect(result.unverified, 'unverified').toEqual([]);
        c.assert?.(result, evidence);
      });
    }
    for (const c of table.invalid ?? []) {
      it(`invalid: ${c.name}`, () => {
        const { result, evidence } = runCheck(check, c.evidence);
        expect(result.findings.map((f) => `${f.id}(${f.confidence})`), 'findings').toEqual(c.findings.map((w) => `${w.id ?? check.id}(${w.confidence})`));
        result.findings.forEach((f, i) => {
          expectRegistered(check, f, `finding ${i}`);
          expectFinding(check, f, c.findings[i]!, `finding ${i}`);
        });
        expectUnverified(result.unverified, c.unverified ?? [], c.name);
        c.assert?.(result, evidence);
      });
    }
    for (const c of table.unverified ?? []) {
      it(`unverified: ${c.name}`, () => {
        const { result, evidence } = runCheck(check, c.evidence);
        expect(result.findings, 'findings').toEqual([]);
        expectUnverified(result.unverified, c.unverified, c.name);
        c.assert?.(result, evidence);
      });
    }
  });
}
