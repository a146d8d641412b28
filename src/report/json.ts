import type { Report, RootCause, StepReport, Timeline } from './model.js';
import type { Remediation, Trigger, Unverified } from '../model/index.js';

/**
 * `--format json`: schemaVersion 1 of ../shared/reference/root-causes.md, a public contract.
 * Keys come in a fixed order (the contract's first, then additive fields) so that diffs of two
 * reports show only what changed. Values are the report's, unchanged: free-form objects (step
 * details, policies, request parameters) keep the order they were built in.
 */
export function renderJson(report: Report): string {
  return inertJson(JSON.stringify(ordered(report), null, 2)) + '\n';
}

/** Drops undefined values so that optional fields are absent rather than `null`. */
function obj(entries: [string, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) if (v !== undefined) out[k] = v;
  return out;
}

/** Keys a renderer does not know about are kept after the known ones, in their own order. */
function withRest(known: [string, unknown][], source: object): Record<string, unknown> {
  const names = new Set(known.map(([k]) => k));
  const rest = Object.entries(source).filter(([k]) => !names.has(k));
  return obj([...known, ...rest]);
}

function ordered(r: Report): Record<string, unknown> {
  return withRest(
    [
      ['schemaVersion', r.schemaVersion],
      ['tool', withRest([['name', r.tool.name], ['version', r.tool.version]], r.tool)],
      ['generatedAt', r.generatedAt],
      [
        'trail',
        withRest(
          [
            ['name', r.trail.name],
            ['arn', r.trail.arn],
            ['region', r.trail.region],
            ['homeRegion', r.trail.homeRegion],
          ],
          r.trail,
        ),
      ],
      ['window', withRest([['start', r.window.start], ['end', r.window.end]], r.window)],
      ['verdict', r.verdict],
      ['rootCauses', r.rootCauses.map(rootCause)],
      ['steps', r.steps.map(step)],
      ['unverified', r.unverified.map(unverified)],
      ['timeline', r.timeline && timeline(r.timeline)],
      ['integrity', r.integrity],
      ['gaps', r.gaps],
      ['stats', r.stats && withRest([['durationMs', r.stats.durationMs], ['apiCalls', r.stats.apiCalls], ['longestChain', r.stats.longestChain]], r.stats)],
    ],
    r,
  );
}

function rootCause(c: RootCause): Record<string, unknown> {
  return withRest(
    [
      ['id', c.id],
      ['confidence', c.confidence],
      ['summary', c.summary],
      ['evidence', c.evidence],
      ['trigger', c.trigger && trigger(c.trigger)],
      ['remediation', remediation(c.remediation)],
      ['severity', c.severity],
      ['title', c.title],
      ['data', c.data],
    ],
    c,
  );
}

function trigger(t: Trigger): Record<string, unknown> {
  return withRest(
    [
      ['eventName', t.eventName],
      ['eventTime', t.eventTime],
      ['actor', t.actor],
      ['source', t.source],
      ['sourceIPAddress', t.sourceIPAddress],
      ['eventId', t.eventId],
      ['requestParameters', t.requestParameters],
    ],
    t,
  );
}

function remediation(m: Remediation): Record<string, unknown> {
  return withRest(
    [
      ['summary', m.summary],
      ['commands', m.commands],
      ['policy', m.policy],
    ],
    m,
  );
}

function step(s: StepReport): Record<string, unknown> {
  return withRest(
    [
      ['step', s.step],
      ['title', s.title],
      ['status', s.status],
      ['summary', s.summary],
      ['details', s.details],
    ],
    s,
  );
}

function unverified(u: Unverified): Record<string, unknown> {
  return withRest(
    [
      ['step', u.step],
      ['what', u.what],
      ['needs', u.needs],
      ['reason', u.reason],
    ],
    u,
  );
}

function timeline(t: Timeline): Record<string, unknown> {
  return withRest(
    [
      ['start', t.start],
      ['end', t.end],
      ['now', t.now],
      ['intervalMinutes', t.intervalMinutes],
      ['startLoggingTime', t.startLoggingTime],
      ['stopLoggingTime', t.stopLoggingTime],
      ['s3', t.s3],
      ['cloudwatchLogs', t.cloudwatchLogs],
      ['metrics', t.metrics],
      ['gaps', t.gaps],
      ['changes', t.changes],
    ],
    t,
  );
}

/**
 * JSON.stringify already escapes C0 controls (ESC becomes \u001b); this also escapes DEL, the C1
 * controls (U+009B is a CSI on some terminals), bidi overrides and line/paragraph separators, so
 * that `cat report.json` on a terminal is inert. The escaped JSON decodes to the same strings.
 */
function inertJson(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
