import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import xterm from '@xterm/headless';
import { describe, expect, it } from 'vitest';
import { createProgressDisplay } from '../../src/report/progress.js';
import { render } from '../../src/report/index.js';
import { STEP_TITLES } from '../../src/collect/progress.js';
import { problemReport } from '../support/reports.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = 'test/tty/progress-child.ts';
const COLS = 100;
const ROWS = 40;

/**
 * What a real terminal shows after `data`: every line of the buffer, scrollback included, with
 * soft-wrapped rows joined back into the logical line. `convertEol` does what a pty's onlcr does
 * for a program writing to a terminal device.
 */
async function screen(data: string, cols = COLS, rows = ROWS): Promise<string[]> {
  const term = new xterm.Terminal({ cols, rows, scrollback: 5_000, allowProposedApi: true, convertEol: true });
  await new Promise<void>((resolve) => term.write(data, resolve));
  const buf = term.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < buf.length; i++) {
    const line = buf.getLine(i)!;
    if (line.isWrapped && lines.length > 0) lines[lines.length - 1] += line.translateToString(true);
    else lines.push(line.translateToString(true));
  }
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  term.dispose();
  return lines;
}

class Capture extends Writable {
  chunks: string[] = [];
  constructor(readonly isTTY: boolean, readonly columns = 80) {
    super();
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.chunks.push(chunk.toString());
    cb();
  }
  get text(): string {
    return this.chunks.join('');
  }
}

function runSteps(listener: ReturnType<typeof createProgressDisplay>['listener']): void {
  for (const step of [1, 2, 3, 4, 5, 6, 7, 8, 9] as const) {
    listener({ step, title: STEP_TITLES[step], state: 'started', elapsedMs: step * 100 });
    listener({ step, title: STEP_TITLES[step], state: 'finished', outcome: step === 4 ? 'partial' : 'ok', elapsedMs: step * 100 + 250 });
  }
}

describe('progress display (in process)', () => {
  it('writes nothing at all when the stream is not a TTY', () => {
    const out = new Capture(false);
    const d = createProgressDisplay(out, { color: true });
    runSteps(d.listener);
    d.stop();
    expect(out.chunks).toEqual([]);
  });

  it('on a TTY shows each step with its mark and elapsed time, then erases itself on stop()', async () => {
    const out = new Capture(true);
    const d = createProgressDisplay(out, { color: false });
    runSteps(d.listener);
    const live = await screen(out.text, 80, 24);
    expect(live[0]).toMatch(/^Diagnosing… 9\/9 steps +\d+\.\ds$/);
    expect(live[1]).toMatch(/^✓ 1 Trail exists and service health +0\.3s$/);
    expect(live[4]).toMatch(/^\? 4 S3 bucket configuration +0\.3s$/);
    expect(new Set(live.map((l) => l.indexOf('0.3s')).filter((i) => i > 0)).size).toBe(1); // one column
    expect(live).toHaveLength(10);
    d.stop();
    expect(await screen(out.text, 80, 24)).toEqual([]);
    expect(out.text.lastIndexOf('\u001b[?25h')).toBeGreaterThan(out.text.lastIndexOf('\u001b[?25l')); // cursor back
    const before = out.text.length;
    d.listener({ step: 1, title: STEP_TITLES[1], state: 'started', elapsedMs: 1 });
    d.stop();
    expect(out.text.length).toBe(before); // nothing after stop
  });

  it('uses no colour when color is false (NO_COLOR / --no-color), colour when true', () => {
    const plain = new Capture(true);
    const d1 = createProgressDisplay(plain, { color: false });
    runSteps(d1.listener);
    d1.stop();
    expect(plain.text).not.toMatch(/\u001b\[[0-9;]*m/);
    const coloured = new Capture(true);
    const d2 = createProgressDisplay(coloured, { color: true });
    runSteps(d2.listener);
    d2.stop();
    expect(coloured.text).toMatch(/\u001b\[32m✓/);
  });

  it('shows work after the nine steps (integrity, audit gap) on a line of its own, and clears it', async () => {
    const out = new Capture(true);
    const d = createProgressDisplay(out, { color: false });
    runSteps(d.listener);
    d.phase('Validating log file integrity (digest chain)');
    let live = await screen(out.text, 80, 24);
    expect(live).toHaveLength(11);
    expect(live[10]).toMatch(/^. Validating log file integrity \(digest chain\) +\d+\.\ds$/);
    d.phase('Measuring the audit gap \u001b[31m— 3/10 calls');
    live = await screen(out.text, 80, 24);
    expect(live[10]).toMatch(/^. Measuring the audit gap — 3\/10 calls +\d+\.\ds$/); // escape sequence stripped
    d.phase(undefined);
    live = await screen(out.text, 80, 24);
    expect(live).toHaveLength(10);
    d.stop();
    expect(await screen(out.text, 80, 24)).toEqual([]);
  });

  it('keeps lines within a narrow terminal', async () => {
    const out = new Capture(true, 40);
    const d = createProgressDisplay(out, { color: false });
    runSteps(d.listener);
    const lines = await screen(out.text, 40, 24);
    expect(lines).toHaveLength(10);
    for (const l of lines) expect(l.length).toBeLessThan(40); // none soft-wrapped onto a second row
    expect(lines[2]).toBe('✓ 2 Trail configuration and log… 0.3s');
    d.stop();
  });
});

const haveScript = existsSync('/usr/bin/script');
if (!haveScript) {
  if (process.env.CI === 'true') throw new Error('/usr/bin/script (util-linux) is required for the TTY test under CI');
  console.warn('\n*** SKIPPING pseudo-terminal progress test: /usr/bin/script (util-linux) not found ***\n');
}

describe('progress display in a real process', () => {
  it.skipIf(!haveScript)('under a pseudo-terminal: live steps while running, only the report on screen at the end', async () => {
    const r = spawnSync('script', ['-qfec', `stty cols ${COLS} rows ${ROWS}; exec node --import tsx ${CHILD} --color`, '/dev/null'], {
      cwd: ROOT,
      encoding: 'utf8',
      input: '',
      env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '' },
      timeout: 30_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const raw = r.stdout;
    // it was live: intermediate frames show running and finished steps with elapsed times
    expect(raw).toContain('Diagnosing… 0/9 steps');
    expect(raw).toMatch(/✓\u001b\[39m 1 Trail exists and service health +\u001b\[2m\d+\.\ds/);
    expect(raw).toMatch(/\?\u001b\[39m 5 CloudWatch Logs delivery role/);
    expect(raw).toContain('6 Log files delivered to S3 — 8 of 8 day prefixes listed');
    // and at the end the terminal shows the report and nothing else
    const report = render(problemReport(), 'text', { color: false, width: COLS }).replace(/\n$/, '').split('\n');
    expect(await screen(raw)).toEqual(report);
  });

  it('interrupted (Ctrl-C): erases the block, shows the cursor again and still dies of SIGINT', async () => {
    const child = spawn('node', ['--import', 'tsx', CHILD, '--pretend-tty', '--hang'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('1 Trail exists')) resolve();
      }),
    );
    child.kill('SIGINT');
    expect(await exited).toBe('SIGINT');
    expect(out.startsWith('\u001b[?25l')).toBe(true);
    expect(out.endsWith('\u001b[?25h')).toBe(true);
    expect(await screen(out, 80, 24)).toEqual([]);
  });

  it('not a TTY (a pipe): stdout carries only the report, byte for byte', () => {
    const r = spawnSync('node', ['--import', 'tsx', CHILD, '--color'], { cwd: ROOT, encoding: 'utf8', input: '', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(render(problemReport(), 'text', { color: false }));
    expect(r.stderr).toBe('');
  });
});
