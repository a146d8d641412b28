import { renderJson } from '../report/json.js';
import type { Report } from '../report/model.js';
import { inertLine } from '../util/text.js';

/**
 * Where a verdict goes after a diagnosis on alert. `json`: the diagnose JSON contract (schemaVersion
 * 1) with one additive key, `alert` (the labels of the alert that asked for it). `slack`: an
 * incoming-webhook message that Slack and Mattermost both render (verdict, root cause, trigger,
 * first fix command).
 */
export type NotifyFormat = 'json' | 'slack';

export interface AlertContext {
  alertname?: string;
  labels: Record<string, string>;
}

/** Root causes a diagnosis stands behind: what the metric and the message name. */
export const namedCauses = (r: Report) => r.rootCauses.filter((c) => c.confidence === 'confirmed' || c.confidence === 'likely');

export function jsonPayload(report: Report, alert: AlertContext): string {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(alert.labels).slice(0, 64)) labels[inertLine(k, 100)] = inertLine(v, 1_000);
  const doc = renderJson(report).replace(/\n}\n$/, '');
  return `${doc},\n  "alert": ${JSON.stringify({ labels })}\n}\n`;
}

/** Slack's three control characters (api.slack.com/reference/surfaces/formatting#escaping). */
const slackText = (s: string, max = 500) => inertLine(s, max).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const slackCode = (s: string, max = 1_500) => slackText(s, max).replace(/`/g, "'");

export function slackPayload(report: Report, alert: AlertContext): string {
  const causes = namedCauses(report);
  const top = causes[0] ?? report.rootCauses[0];
  const where = `\`${slackCode(report.trail.name, 200)}\` (${slackText(report.trail.region, 40)}${alert.labels.account ? `, ${slackText(alert.labels.account, 20)}` : ''})`;
  const icon = report.verdict === 'healthy' ? ':white_check_mark:' : report.verdict === 'problem' ? ':rotating_light:' : ':grey_question:';
  const lines = [`${icon} *${slackText(alert.alertname ?? 'alert')}* on trail ${where}: trail-doctor verdict *${report.verdict}*`];
  if (top) lines.push(`*Root cause:* \`${slackCode(top.id, 100)}\` (${top.confidence}): ${slackText(top.summary)}`);
  if (causes.length > 1) lines.push(`*Also:* ${causes.slice(1, 4).map((c) => `\`${slackCode(c.id, 100)}\``).join(', ')}`);
  const t = top?.trigger;
  if (t) lines.push(`*Trigger:* ${slackText(t.eventName, 100)} at ${slackText(t.eventTime, 40)}${t.actor ? ` by ${slackText(t.actor, 300)}` : ''}${t.sourceIPAddress ? ` from ${slackText(t.sourceIPAddress, 60)}` : ''}`);
  const fix = top?.remediation.commands[0];
  if (fix) lines.push(`*First fix:*\n\`\`\`${slackCode(fix)}\`\`\``);
  else if (top?.remediation.summary) lines.push(`*Fix:* ${slackText(top.remediation.summary)}`);
  if (report.unverified.length) lines.push(`_${report.unverified.length} check(s) could not be verified; see the full report._`);
  return JSON.stringify({ text: lines.join('\n') });
}

export interface Notifier {
  send(report: Report, alert: AlertContext): Promise<void>;
}

export interface NotifierOptions {
  url: string;
  format: NotifyFormat;
  timeoutMs?: number;
  /** Attempts for a 5xx or network failure (a 4xx is the receiver's final answer). */
  attempts?: number;
  fetchImpl?: typeof fetch;
}

export class NotifyError extends Error {
  override name = 'NotifyError';
}

export function createNotifier(o: NotifierOptions): Notifier {
  const doFetch = o.fetchImpl ?? fetch;
  const attempts = o.attempts ?? 3;
  return {
    async send(report, alert) {
      const body = o.format === 'slack' ? slackPayload(report, alert) : jsonPayload(report, alert);
      let last = '';
      for (let i = 0; i < attempts; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 500 * 2 ** i));
        try {
          const res = await doFetch(o.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'user-agent': 'trail-doctor-watch' },
            body,
            signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
            redirect: 'error',
          });
          await res.arrayBuffer().catch(() => undefined);
          if (res.ok) return;
          last = `HTTP ${res.status}`;
          if (res.status < 500 && res.status !== 429) break;
        } catch (e) {
          last = inertLine((e as Error)?.message ?? String(e), 200);
        }
      }
      throw new NotifyError(`posting the verdict failed: ${last}`);
    },
  };
}
