import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fleetStandin } from '../../bench/scan/fleet-standin.js';
import { assumeRoleAccess } from '../../src/scan/fleet-calls.js';
import { runScan } from '../../src/scan/engine.js';
import { mergeScans, MergeError } from '../../src/scan/merge.js';
import type { ScanResult } from '../../src/scan/model.js';
import { renderScanText } from '../../src/report/scan-text.js';
import { CSV_COLUMNS, csvCell, renderScanCsv } from '../../src/report/scan-csv.js';
import { renderScanHtml } from '../../src/report/scan-html.js';
import { renderScanMarkdown } from '../../src/report/scan-markdown.js';
import { createScanProgress, etaText } from '../../src/report/scan-progress.js';
import { run } from '../../src/cli/main.js';
import type { CliContext } from '../../src/cli/context.js';
import { parseCsv } from './formats.js';

const now = new Date('2026-11-24T04:00:00Z');
const window = { start: new Date(now.getTime() - 86_400_000), end: now };

async function scanned(): Promise<ScanResult> {
  const f = fleetStandin({ members: 4, regions: ['eu-west-1', 'us-east-1'], latencyMs: 1, now, window });
  return runScan({
    access: assumeRoleAccess(f.caller, f.makeClients, { roleName: 'OrganizationAccountAccessRole' }),
    organization: true,
    roleName: 'OrganizationAccountAccessRole',
    regions: 'enabled',
    concurrency: 4,
    window,
    now,
    deep: false,
  });
}

const HOSTILE = '=HYPERLINK("http://x")\x1b[31m<script>alert(1)</script>|*x*';

function ctx(): CliContext & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (d: Buffer) => (o += d.toString()));
  stderr.on('data', (d: Buffer) => (e += d.toString()));
  return { stdout, stderr, env: { NO_COLOR: '1', AWS_REGION: 'eu-west-1' }, now: () => now, makeClients: () => { throw new Error('no AWS calls expected'); }, exitCode: 0, out: () => o, err: () => e };
}

describe('scan renderers keep untrusted names inert', () => {
  it('text: the summary table, uncovered regions, problems with fixes; no escape sequence survives', async () => {
    const r = await scanned();
    r.accounts[1]!.name = HOSTILE;
    const t = renderScanText(r, { color: false, width: 100 });
    expect(t).toMatch(/^PROBLEMS FOUND/);
    expect(t).toMatch(/ACCOUNT\s+REGIONS\s+TRAIL\s+VERDICT\s+TOP ROOT CAUSE\s+TRIGGER/);
    expect(t).toContain('logging-stopped');
    expect(t).toContain('Regions not covered');
    expect(t).toContain('aws cloudtrail start-logging');
    expect(t).not.toContain('\x1b');
  });

  it('CSV: formula cells are neutralised and quoting is RFC 4180', async () => {
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    const r = await scanned();
    r.accounts[1]!.name = HOSTILE;
    const rows = parseCsv(renderScanCsv(r));
    const names = rows.map((x) => x[CSV_COLUMNS.indexOf('account_name')]);
    expect(names.filter((n) => n?.includes('HYPERLINK')).every((n) => n!.startsWith("'="))).toBe(true);
  });

  it('HTML and markdown escape the names', async () => {
    const r = await scanned();
    r.accounts[1]!.name = HOSTILE;
    const page = renderScanHtml(r);
    expect(page).not.toContain('<script>');
    expect(page).toContain('&lt;script&gt;');
    expect(renderScanMarkdown(r)).not.toContain('<script>');
  });

  it('ETA from the accounts done so far', () => {
    expect(etaText(0, 10, 1000)).toBe('');
    expect(etaText(5, 10, 10_000)).toBe('10s');
    expect(etaText(1, 10, 20_000)).toBe('3m 0s');
    expect(etaText(10, 10, 5_000)).toBe('');
  });
});

describe('scan merge refuses what it cannot combine', () => {
  it('different windows are an error', async () => {
    const a = await scanned();
    const b = { ...a, window: { ...a.window, start: '2026-11-20T00:00:00.000Z' } };
    expect(() => mergeScans([a, b])).toThrow(MergeError);
  });

  it('the CLI: a file that is not a scan result is a usage error (exit 2, one line); shards merge with the scan exit code', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'td-merge-'));
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ schemaVersion: 1, verdict: 'healthy' }));
    let c = ctx();
    expect(await run(['scan', 'merge', join(dir, 'bad.json')], c)).toBe(2);
    expect(c.err()).toMatch(/^trail-doctor: .*bad\.json is not a trail-doctor scan result.*\n$/);
    const r = await scanned();
    await writeFile(join(dir, 'a.json'), JSON.stringify(r));
    c = ctx();
    expect(await run(['scan', 'merge', join(dir, 'a.json'), '--format', 'csv'], c)).toBe(1);
    expect(parseCsv(c.out())[0]).toEqual([...CSV_COLUMNS]);
  });
});

describe('scan bad input: one line, exit 2, no AWS call', () => {
  for (const args of [
    ['--shard', '3/3'],
    ['--shard', 'x'],
    ['--accounts', '12345'],
    ['--regions', 'mars-1'],
    ['--format', 'pdf'],
    ['--concurrency', '0'],
    ['--role-name', 'bad role'],
    ['--since', 'forever'],
  ]) {
    it(args.join(' '), async () => {
      const c = ctx();
      expect(await run(['scan', ...args], c)).toBe(2);
      expect(c.err().trim().split('\n')).toHaveLength(1);
      expect(c.err()).toMatch(/^trail-doctor: /);
    });
  }
});

describe('scan text at fleet size', () => {
  it('details the first 50 problems and counts the rest by id', async () => {
    const f = fleetStandin({ members: 60, regions: ['eu-west-1', 'us-east-1'], latencyMs: 0, now, window });
    const r = await runScan({
      access: assumeRoleAccess(f.caller, f.makeClients, { roleName: 'OrganizationAccountAccessRole' }),
      organization: true, roleName: 'OrganizationAccountAccessRole', regions: 'enabled', concurrency: 16, window, now, deep: false,
    });
    expect(r.findings.length).toBeGreaterThan(50);
    const t = renderScanText(r, { color: false });
    expect(t.match(/^✗ /gm)).toHaveLength(50);
    expect(t).toContain(`… and ${r.findings.length - 50} more problems (`);
  });
});

describe('scan progress', () => {
  const sink = (isTTY: boolean) => {
    const s = new PassThrough() as PassThrough & { isTTY?: boolean };
    s.isTTY = isTTY;
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString()));
    return { s, text: () => text };
  };
  it('writes nothing when stderr is not a terminal', async () => {
    const { s, text } = sink(false);
    const p = createScanProgress(s);
    p.update({ done: 1, total: 4, startedAt: 0 });
    p.stop();
    await new Promise((r) => setImmediate(r));
    expect(text()).toBe('');
  });
  it('on a terminal: accounts done / total and an ETA, rewritten in place, cleared at the end', async () => {
    const { s, text } = sink(true);
    let t = 10_000;
    const p = createScanProgress(s, () => t);
    p.update({ done: 2, total: 4, startedAt: 0 });
    t += 50;
    p.update({ done: 3, total: 4, startedAt: 0 }); // throttled: under 100 ms since the last one
    t += 200;
    p.update({ done: 4, total: 4, startedAt: 0 });
    p.stop();
    await new Promise((r) => setImmediate(r));
    expect(text()).toBe('\r\x1b[2Kscan: 2/4 accounts · ETA 10s\r\x1b[2Kscan: 4/4 accounts\r\x1b[2K');
  });
});
