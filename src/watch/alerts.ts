import { z } from 'zod';
import { isValidRegion } from '../aws/regions.js';

/**
 * Alertmanager's webhook payload, version 4 (prometheus.io/docs/alerting/latest/configuration/#webhook_config).
 * A group carries several alerts, firing and resolved mixed; only firing alerts that name a trail
 * (label `trail_arn`) ask for a diagnosis. Label values are untrusted text: capped here.
 */
const labels = z.record(z.string(), z.string().max(2_000)).default({});

const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels,
  annotations: labels,
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

export const webhookSchema = z.object({
  version: z.string(),
  groupKey: z.string().optional(),
  truncatedAlerts: z.number().optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().optional(),
  groupLabels: labels,
  commonLabels: labels,
  commonAnnotations: labels,
  externalURL: z.string().optional(),
  alerts: z.array(alertSchema).max(10_000),
});

export type WebhookPayload = z.infer<typeof webhookSchema>;
export type Alert = z.infer<typeof alertSchema>;

export interface DiagnosisRequest {
  trailArn: string;
  /** The region whose delivery alerted (a shadow of a multi-region trail may differ from its home). */
  region: string;
  account?: string;
  alertname?: string;
  labels: Record<string, string>;
}

export interface Intake {
  requests: DiagnosisRequest[];
  firing: number;
  resolved: number;
  /** Firing alerts without a trail_arn label (another team's alert routed here). */
  ignored: number;
}

export class PayloadError extends Error {
  override name = 'PayloadError';
}

const TRAIL_ARN = /^arn:aws[a-z-]*:cloudtrail:([a-z0-9-]+):(\d{12}):trail\/[A-Za-z0-9._-]{3,128}$/;

export function parseWebhook(body: unknown): WebhookPayload {
  const r = webhookSchema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new PayloadError(`not an Alertmanager webhook payload: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  if (r.data.version !== '4') throw new PayloadError(`unsupported Alertmanager webhook version ${JSON.stringify(r.data.version.slice(0, 20))} (expected "4")`);
  return r.data;
}

/** One request per distinct (trail, region) among the firing alerts; resolved ones are only counted. */
export function intake(payload: WebhookPayload): Intake {
  const out: Intake = { requests: [], firing: 0, resolved: 0, ignored: 0 };
  const seen = new Set<string>();
  for (const a of payload.alerts) {
    if (a.status === 'resolved') {
      out.resolved++;
      continue;
    }
    out.firing++;
    const arn = a.labels.trail_arn;
    const m = arn ? TRAIL_ARN.exec(arn) : null;
    if (!arn || !m) {
      out.ignored++;
      continue;
    }
    const region = a.labels.region && isValidRegion(a.labels.region) ? a.labels.region : m[1]!;
    const key = `${arn}\u0000${region}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.requests.push({ trailArn: arn, region, account: a.labels.account ?? m[2], alertname: a.labels.alertname, labels: { ...a.labels } });
  }
  return out;
}
