import { z } from 'zod';

/**
 * What the run's guard did (src/aws/guard.ts): services that throttled, answered 5xx, timed out or
 * were given up on, and whether the run's deadline passed. Only troubled services are listed.
 */
export const serviceHealthSchema = z.object({
  /** `service@region` */
  key: z.string(),
  attempts: z.number(),
  throttled: z.number(),
  serverErrors: z.number(),
  timeouts: z.number(),
  refused: z.number(),
  stopped: z.string().optional(),
  concurrency: z.number().optional(),
});

export const runFaultsSchema = z.object({
  deadlineReached: z.boolean(),
  services: z.array(serviceHealthSchema),
});
export type RunFaults = z.infer<typeof runFaultsSchema>;
