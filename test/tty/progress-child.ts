/**
 * Child process for the progress display tests: shows live progress on stdout (a pseudo-terminal
 * or a pipe, as the test decides), runs nine fake steps, stops the display and prints the report.
 * Usage: node --import tsx test/tty/progress-child.ts [--color] [--step-ms N] [--pretend-tty] [--hang]
 */
import { createProgressDisplay } from '../../src/report/progress.js';
import { render } from '../../src/report/index.js';
import { STEP_TITLES } from '../../src/collect/progress.js';
import type { StepNumber } from '../../src/checks/types.js';
import { problemReport } from '../support/reports.js';

const args = process.argv.slice(2);
const color = args.includes('--color') && !process.env.NO_COLOR;
const stepMs = Number(args[args.indexOf('--step-ms') + 1] ?? 40) || 40;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (args.includes('--pretend-tty')) Object.assign(process.stdout, { isTTY: true, columns: 80 });
const display = createProgressDisplay(process.stdout, { color });
if (args.includes('--hang')) {
  // started steps that never finish: the test interrupts the process
  display.listener({ step: 1, title: STEP_TITLES[1], state: 'started', elapsedMs: 0 });
  setInterval(() => {}, 1_000);
  await new Promise(() => {});
}
const t0 = Date.now();
const steps = [1, 2, 3, 4, 5, 6, 7, 8, 9] as StepNumber[];
// steps run concurrently in pairs, as the collectors do
for (let i = 0; i < steps.length; i += 2) {
  const pair = steps.slice(i, i + 2);
  for (const step of pair) display.listener({ step, title: STEP_TITLES[step], state: 'started', elapsedMs: Date.now() - t0 });
  await sleep(stepMs);
  for (const step of pair) {
    display.listener({ step, title: STEP_TITLES[step], state: 'finished', outcome: step === 5 ? 'partial' : step === 8 ? 'skipped' : 'ok', elapsedMs: Date.now() - t0, note: step === 6 ? '8 of 8 day prefixes listed' : undefined });
  }
}
display.stop();
process.stdout.write(render(problemReport(), 'text', { color: false, width: process.stdout.columns }));
