import { z } from 'zod';
import { PROBE_STATUSES } from './probe.js';

/** The zod schema of a probe; its type and helpers are in probe.ts (why: schema.ts). */
export const substituteSchema = z.object({ failed: z.string(), reason: z.string(), answeredBy: z.string() });

export const probeSchema = <T extends z.ZodType>(value: T) =>
  z.object({
    status: z.enum(PROBE_STATUSES),
    value: value.optional(),
    reason: z.string().optional(),
    errorCode: z.string().optional(),
    needs: z.string().optional(),
    call: z.string().optional(),
    optional: z.boolean().optional(),
    substitute: substituteSchema.optional(),
  });
