/**
 * The nine playbook steps of the runbook, by number. Every layer speaks of steps: collectors record
 * what each step observed, checks say which step proves a cause, the report has one section per step.
 */
export const STEP_NUMBERS = [1, 2, 3, 4, 5, 6, 7, 8, 9] as const;
export type StepNumber = (typeof STEP_NUMBERS)[number];

/** Titles of the nine playbook steps, as progress and the report show them. */
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
