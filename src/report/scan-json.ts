import type { ScanResult } from '../scan/model.js';

/** `scan --format json`: the ScanResult as it is (the contract in README), one document. */
export function renderScanJson(r: ScanResult): string {
  return JSON.stringify(r, null, 2) + '\n';
}
