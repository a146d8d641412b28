import { createLogUpdate } from 'log-update';
import { createColors } from 'picocolors';
import type { ProgressListener, StepProgressEvent } from '../collect/progress.js';
import { STEP_TITLES, type StepNumber } from '../model/index.js';
import { inertLine } from '../util/text.js';

/**
 * Live progress while the playbook steps run: on a TTY, one line per step (pending, running with a
 * spinner, finished with its mark and elapsed time) redrawn in place; stop() erases the block so
 * that only the report that follows remains. Not a TTY (a pipe, a file, CI): a no-op that writes
 * nothing, so the stream carries only the report.
 */
export interface ProgressDisplay {
  listener: ProgressListener;
  /**
   * Work after the nine steps (digest validation, the audit-gap fallback): one more line with a
   * spinner and its own elapsed time, so the display never looks frozen; undefined clears it.
   */
  phase(text: string | undefined): void;
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const TICK_MS = 100;
const HIDE_CURSOR = '\u001b[?25l';
const SHOW_CURSOR = '\u001b[?25h';
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

interface StepState {
  state: 'pending' | 'running' | 'done';
  outcome?: StepProgressEvent['outcome'];
  startedMs?: number;
  elapsedMs?: number;
  note?: string;
}

export function createProgressDisplay(
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
  opts: { color: boolean },
): ProgressDisplay {
  if (!stream.isTTY) return { listener: () => {}, phase: () => {}, stop: () => {} };

  const c = createColors(opts.color);
  // log-update hides the cursor on process.stderr whatever the stream; we manage it on ours.
  const update = createLogUpdate(stream, { showCursor: true });
  const steps = new Map<StepNumber, StepState>();
  for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9] as StepNumber[]) steps.set(n, { state: 'pending' });
  const t0 = Date.now();
  let frame = 0;
  let stopped = false;
  let lastElapsed = 0;
  let phase: { text: string; startedMs: number } | undefined;

  // The cursor is hidden while the block redraws; it must come back however the process ends:
  // normal exit, stop(), or Ctrl-C / SIGTERM in the middle (then the block is erased too and the
  // signal is re-raised so that the process still dies of it, unless someone else handles it).
  const restoreCursor = () => stream.write(SHOW_CURSOR);
  const onSignal = (signal: NodeJS.Signals) => {
    cleanup();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const cleanup = () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    update.clear();
    update.done();
    restoreCursor();
    process.removeListener('exit', restoreCursor);
    for (const sig of SIGNALS) process.removeListener(sig, onSignal);
  };
  stream.write(HIDE_CURSOR);
  process.once('exit', restoreCursor);
  for (const sig of SIGNALS) process.once(sig, onSignal);

  const draw = () => {
    if (stopped) return;
    const width = Math.max(30, (stream.columns || 80) - 1);
    const col = Math.min(width - 9, 64);
    const now = Math.max(lastElapsed, Date.now() - t0);
    const done = [...steps.values()].filter((s) => s.state === 'done').length;
    const lines = [c.bold(`Diagnosing… ${done}/9 steps`.padEnd(col + 2)) + c.dim(` ${seconds(now)}`)];
    for (const [n, s] of steps) {
      const title = inertLine(STEP_TITLES[n], 80);
      let mark: string;
      let tail = '';
      if (s.state === 'pending') mark = c.dim('·');
      else if (s.state === 'running') {
        mark = c.cyan(FRAMES[frame % FRAMES.length]!);
        tail = seconds(Math.max(0, now - (s.startedMs ?? now)));
      } else {
        mark = s.outcome === 'partial' ? c.yellow('?') : s.outcome === 'skipped' ? c.dim('–') : c.green('✓');
        tail = s.elapsedMs === undefined ? '' : seconds(s.elapsedMs);
      }
      const note = s.note ? ` — ${inertLine(s.note, 120)}` : '';
      // elapsed times in one column at the right of the titles
      const text = fit(`${n} ${title}${note}`, col).padEnd(col);
      lines.push(`${mark} ${s.state === 'pending' ? c.dim(text) : text} ${c.dim(tail)}`.trimEnd());
    }
    if (phase) {
      const text = fit(inertLine(phase.text, 200), col).padEnd(col);
      lines.push(`${c.cyan(FRAMES[frame % FRAMES.length]!)} ${text} ${c.dim(seconds(Math.max(0, Date.now() - phase.startedMs)))}`.trimEnd());
    }
    update(lines.join('\n'));
  };

  const timer = setInterval(() => {
    frame++;
    draw();
  }, TICK_MS);
  timer.unref?.();
  draw();

  const listener: ProgressListener = (e) => {
    if (stopped) return;
    const s = steps.get(e.step);
    if (!s) return;
    lastElapsed = Math.max(lastElapsed, e.elapsedMs);
    if (e.state === 'started') {
      if (s.state === 'pending') {
        s.state = 'running';
        s.startedMs = e.elapsedMs;
      }
    } else {
      s.state = 'done';
      s.outcome = e.outcome ?? 'ok';
      s.elapsedMs = s.startedMs !== undefined ? Math.max(0, e.elapsedMs - s.startedMs) : e.elapsedMs;
    }
    if (e.note !== undefined) s.note = e.note;
    draw();
  };

  return {
    listener,
    phase(text) {
      if (stopped) return;
      // A new text for the same phase (a progress note) keeps its clock; a new phase restarts it.
      const same = phase && text && phase.text.split(' — ')[0] === text.split(' — ')[0];
      phase = text === undefined ? undefined : { text, startedMs: same ? phase!.startedMs : Date.now() };
      draw();
    },
    stop: cleanup,
  };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** Cuts to `max` columns with an ellipsis (titles and notes are single-width text). */
function fit(s: string, max: number): string {
  if (max <= 1) return '';
  return s.length <= max ? s : s.slice(0, max - 1) + '…';
}
