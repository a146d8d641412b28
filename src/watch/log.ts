import { inertLine } from '../util/text.js';

/**
 * watch's logs on stderr: one line per event. `json` gives one JSON object a line (time, level,
 * event, then the fields) for log shippers; `text` a readable line. Field values that come from
 * outside (alert labels, AWS error messages) are made inert and capped.
 */
export type LogFormat = 'text' | 'json';
export type Level = 'debug' | 'info' | 'warn' | 'error';
export type Fields = Record<string, string | number | boolean | undefined | null>;

export interface Logger {
  log(level: Level, event: string, fields?: Fields): void;
}

export function createLogger(out: NodeJS.WritableStream, format: LogFormat, now: () => Date = () => new Date()): Logger {
  return {
    log(level, event, fields = {}) {
      const clean: Record<string, string | number | boolean> = {};
      for (const [k, v] of Object.entries(fields)) {
        if (v === undefined || v === null) continue;
        clean[k] = typeof v === 'string' ? inertLine(v, 1_000) : v;
      }
      const time = now().toISOString();
      if (format === 'json') {
        out.write(JSON.stringify({ time, level, event, ...clean }) + '\n');
        return;
      }
      const rest = Object.entries(clean)
        .map(([k, v]) => `${k}=${typeof v === 'string' && /[\s"=]/.test(v) ? JSON.stringify(v) : String(v)}`)
        .join(' ');
      out.write(`${time} ${level.toUpperCase().padEnd(5)} ${event}${rest ? ' ' + rest : ''}\n`);
    },
  };
}

/** For tests and embedding: drops everything. */
export const silentLogger: Logger = { log() {} };
