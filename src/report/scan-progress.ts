/**
 * Progress of a fleet scan on a terminal: "scan: 12/200 accounts · ETA 1m 20s", rewritten in place
 * on stderr, at most ten times a second. Nothing at all when stderr is not a TTY (pipes, CI logs).
 */
export interface ScanProgress {
  update(p: { done: number; total: number; startedAt: number }): void;
  stop(): void;
}

export function etaText(done: number, total: number, elapsedMs: number): string {
  if (done === 0 || done >= total) return '';
  const s = Math.round(((elapsedMs / done) * (total - done)) / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s}s`;
}

export function createScanProgress(stream: NodeJS.WritableStream & { isTTY?: boolean }, now: () => number = Date.now): ScanProgress {
  if (!stream.isTTY) return { update() {}, stop() {} };
  let last = 0;
  let shown = false;
  return {
    update({ done, total, startedAt }) {
      const t = now();
      if (done < total && t - last < 100) return;
      last = t;
      const eta = etaText(done, total, t - startedAt);
      stream.write(`\r\x1b[2Kscan: ${done}/${total} accounts${eta ? ` · ETA ${eta}` : ''}`);
      shown = true;
    },
    stop() {
      if (shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}
