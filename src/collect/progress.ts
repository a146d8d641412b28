import type { StepNumber } from '../checks/types.js';

/** Titles of the nine playbook steps, as the report shows them. */
export const STEP_TITLES: Record<StepNumber, string> = {
  1: 'Trail exists and service health',
  2: 'Trail configuration and logging status',
  3: 'CloudWatch Logs events of the trail',
  4: 'S3 bucket configuration',
  5: 'CloudWatch Logs delivery role',
  6: 'Log files delivered to S3',
  7: 'CloudWatch Logs log group configuration',
  8: 'CloudWatch metrics',
  9: 'Configuration changes in the window',
};

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
