import type { StepNumber } from '../model/index.js';

/** Titles of the nine playbook steps: one definition, in the shared model. */
export { STEP_TITLES } from '../model/index.js';

/**
 * Emitted while collection runs, for live progress on a TTY. `outcome` summarises the step's probes:
 * `ok` all observed, `partial` some denied/errored, `skipped` nothing to look at.
 */
export interface StepProgressEvent {
  step: StepNumber;
  title: string;
  state: 'started' | 'finished';
  outcome?: 'ok' | 'partial' | 'skipped';
  /** Milliseconds since collection started. */
  elapsedMs: number;
  /** A short note, e.g. "3 of 8 day prefixes listed". */
  note?: string;
}

export type ProgressListener = (e: StepProgressEvent) => void;
