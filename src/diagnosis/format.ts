/** Small formatting helpers for step summaries (figures, not prose). */

/** 2026-11-24T03:57:00Z → 2026-11-24T03:57Z */
export function shortTime(iso: string | undefined): string {
  if (!iso) return 'unknown';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return 'unknown';
  return new Date(ms).toISOString().slice(0, 16) + 'Z';
}

/** 185 → "3h05m"; 3 → "3 min"; 4320 → "3d00h" */
export function duration(minutes: number): string {
  const m = Math.max(0, Math.round(minutes));
  if (m < 60) return `${m} min`;
  const p = (x: number) => String(x).padStart(2, '0');
  if (m < 48 * 60) return `${Math.floor(m / 60)}h${p(m % 60)}m`;
  return `${Math.floor(m / 1440)}d${p(Math.floor((m % 1440) / 60))}h`;
}

/** "3 min ago" from two ISO times. */
export function ago(iso: string | undefined, now: string): string {
  if (!iso) return 'never';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return 'unknown';
  const d = (Date.parse(now) - ms) / 60_000;
  // Collection takes seconds and `now` is when it began: a time a few seconds later is "just now".
  if (Math.abs(d) < 1) return 'just now';
  return d < 0 ? `${duration(-d)} in the future` : `${duration(d)} ago`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
