import { spawnSync } from 'node:child_process';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { render } from './index.js';
import { shellWords, wrapCommand } from './shell-wrap.js';
import { inertText } from '../util/text.js';
import { SAMPLE_REPORTS, healthyReport, hostileReport, inconclusiveReport, problemReport } from '../../test/support/reports.js';

const text = (r = problemReport(), color = false, width?: number) => render(r, 'text', { color, width });
const lines = (s: string) => s.replace(/\n$/, '').split('\n');

/** The argv bash would run for a (possibly multi-line, continued) command. */
function argv(command: string): string[] {
  const r = spawnSync('bash', ['--noprofile', '--norc', '-c', `set -f\nprintf '%s\\0' ${command}`], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\0').slice(0, -1);
}

describe('text report layout', () => {
  it('shows the verdict, then the nine steps with marks, root causes, could-not-verify, in that order', () => {
    const out = text();
    const ls = lines(out);
    const verdict = ls.findIndex((l) => l.startsWith('✗ PROBLEM'));
    const steps = ls.indexOf('Playbook steps');
    const causes = ls.indexOf('Root causes, most probable first');
    expect(verdict).toBeGreaterThan(0);
    expect(steps).toBeGreaterThan(verdict);
    expect(causes).toBeGreaterThan(steps);
    const marks = ls.filter((l) => /^ {2}[✓✗?–] \d /.test(l)).map((l) => l.slice(2, 5));
    expect(marks).toEqual(['✓ 1', '✗ 2', '✓ 3', '✗ 4', '✓ 5', '✗ 6', '✓ 7', '– 8', '✓ 9']);
    // ranked as the diagnosis ranked them, with confidence
    expect(out.indexOf('1. s3-bucket-policy-denies (confirmed, critical)')).toBeLessThan(out.indexOf('2. log-file-validation-disabled (possible, low)'));
    expect(out).toMatch(/Trigger {2}PutBucketPolicy by arn:aws:iam::123456789012:user\/bob\n {14}at 2026-11-23 10:03:11 UTC from 203\.0\.113\.7/);
    expect(out).toContain('Corrected policy document:');
    expect(out).toContain('"Sid": "AWSCloudTrailWrite"');
  });

  it('lists what could not be verified with the permission that would show it', () => {
    const out = text(inconclusiveReport());
    expect(lines(out).find((l) => l.startsWith('? INCONCLUSIVE'))).toContain('4 things could not be verified');
    const section = out.slice(out.indexOf('Could not verify'));
    for (const needs of ['s3:GetBucketPolicy', 's3:GetEncryptionConfiguration', 'iam:GetRole', 's3:ListBucket']) expect(section).toContain(needs);
    expect(out.indexOf('Could not verify')).toBeGreaterThan(out.indexOf('Playbook steps'));
  });

  it('handles a healthy report with or without the healthy pseudo-cause', () => {
    const r = healthyReport();
    expect(lines(text(r)).find((l) => l.startsWith('✓ HEALTHY'))).toContain('No fault found');
    expect(text(r)).not.toContain('Root cause');
    r.rootCauses = [];
    expect(lines(text(r)).find((l) => l.startsWith('✓ HEALTHY'))).toContain('logging and delivering on schedule');
  });

  it('does not call possible causes of a healthy verdict root causes', () => {
    const r = healthyReport();
    const possible = { ...problemReport().rootCauses[1]! };
    r.rootCauses.push(possible);
    const out = text(r);
    expect(out).toContain('Worth knowing: a possible reason events are missing');
    expect(out).not.toContain('Root cause');
    expect(out).toContain('1. log-file-validation-disabled (possible, low)');
  });

  it('draws the sparkline over the window only: an interval starting at its end is not in it', () => {
    const r = healthyReport();
    r.timeline!.s3.push({ t: r.timeline!.end, count: 0 });
    const s3 = lines(text(r)).find((l) => l.startsWith('  S3 files'))!;
    expect(s3).not.toContain('·');
  });

  it('fits 80 columns except where a line cannot be broken without breaking copy-paste', () => {
    for (const [name, make] of Object.entries(SAMPLE_REPORTS)) {
      const r = make();
      const out = text(r);
      const commands = r.rootCauses.flatMap((c) => c.remediation.commands);
      const policyLines = new Set(lines(out).filter((l) => /^ {7,}[\]["{}]|^ {7,}"/.test(l)));
      for (const l of lines(out)) {
        if (stringWidth(l) <= 80) continue;
        // allowed: a line of the corrected policy (JSON strings cannot wrap) or one unbreakable command word
        const isPolicy = policyLines.has(l);
        const isOneWord = shellWords(l.trim().replace(/ \\$/, '')).length === 1;
        const isVerbatimMultiline = commands.some((c) => c.includes('\n') && inertText(c).includes(l.trim()));
        expect(isPolicy || isOneWord || isVerbatimMultiline, `${name}: ${JSON.stringify(l)}`).toBe(true);
      }
    }
  });

  it('honours a narrower or wider terminal within 40..100 columns', () => {
    const r = healthyReport();
    for (const l of lines(text(r, false, 60))) expect(stringWidth(l)).toBeLessThanOrEqual(60);
    const wide = text(r, false, 300);
    expect(Math.max(...lines(wide).map((l) => stringWidth(l)))).toBeLessThanOrEqual(100);
  });

  it('lays commands out so that a copy-paste runs exactly the same command', () => {
    const r = problemReport();
    const out = text(r, false, 60);
    for (const cmd of r.rootCauses.flatMap((c) => c.remediation.commands)) {
      const first = cmd.split(' ').slice(0, 3).join(' ');
      const ls = lines(out);
      const start = ls.findIndex((l) => l.trim().startsWith(first));
      expect(start).toBeGreaterThan(0);
      let end = start;
      while (ls[end]!.endsWith(' \\')) end++;
      const pasted = ls.slice(start, end + 1).join('\n');
      expect(argv(pasted)).toEqual(argv(cmd));
      expect(end).toBeGreaterThanOrEqual(start);
    }
  });

  it('colours only when asked', () => {
    // eslint-disable-next-line no-control-regex
    expect(text(problemReport(), false)).not.toMatch(/\u001b/);
    expect(text(problemReport(), true)).toContain('\u001b[');
  });

  it('matches snapshots', () => {
    expect(text(problemReport())).toMatchSnapshot('problem');
    expect(text(inconclusiveReport())).toMatchSnapshot('inconclusive');
  });
});

describe('text report safety', () => {
  it('strips escape sequences and control characters from every account string', () => {
    for (const color of [false, true]) {
      const out = text(hostileReport(), color);
      const withoutOurColours = out.replace(/\u001b\[[0-9;]*m/g, '');
      // eslint-disable-next-line no-control-regex
      expect(withoutOurColours).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
      expect(out).not.toContain('pwned-title\u0007');
      expect(out).not.toContain('\u001b]');
      expect(withoutOurColours).toContain('REDa|b|c'); // the text stays, its escapes go
    }
  });
});

describe('wrapCommand', () => {
  const cases = [
    'aws s3api put-bucket-policy --bucket acme-trail-logs --policy file://policy.json',
    `aws logs filter-log-events --log-group-name "CloudTrail/main group" --filter-pattern '{ ($.eventName = StopLogging) || ($.eventName = DeleteTrail) }' --start-time 1700000000000`,
    'aws iam put-role-policy --role-name r --policy-name p --policy-document "{\\"Version\\": \\"2012-10-17\\", \\"Statement\\": []}"',
    `aws cloudtrail put-event-selectors --trail-name main --event-selectors '[{"ReadWriteType": "All","IncludeManagementEvents": true}]'`,
    'echo a\\ b   c',
  ];
  for (const cmd of cases) {
    it(`keeps the argv of: ${cmd.slice(0, 50)}…`, () => {
      for (const width of [30, 50, 80]) {
        const wrapped = wrapCommand(cmd, width, '  ');
        expect(argv(wrapped.join('\n'))).toEqual(argv(cmd));
        for (const l of wrapped) {
          const words = shellWords(l.replace(/ \\$/, ''));
          if (words.length > 1) expect(stringWidth(l)).toBeLessThanOrEqual(width);
        }
      }
    });
  }

  it('returns a multi-line command as it is', () => {
    const cmd = "cat > p.json <<'EOF'\n{}\nEOF";
    expect(wrapCommand(cmd, 20, '  ')).toEqual(["  cat > p.json <<'EOF'", '{}', 'EOF']);
  });
});
