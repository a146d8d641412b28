import type { ScanResult } from '../scan/model.js';
import { renderScanText } from './scan-text.js';
import { renderScanJson } from './scan-json.js';
import { renderScanCsv } from './scan-csv.js';
import { renderScanOcsf } from './scan-ocsf.js';
import { renderScanMarkdown } from './scan-markdown.js';
import { renderScanHtml } from './scan-html.js';

export const SCAN_FORMATS = ['text', 'json', 'markdown', 'html', 'csv', 'ocsf'] as const;
export type ScanFormat = (typeof SCAN_FORMATS)[number];

/** One scan result, six media. Pure: the same result in, a string out. */
export function renderScan(r: ScanResult, format: ScanFormat, opts: { color: boolean; width?: number }): string {
  switch (format) {
    case 'text':
      return renderScanText(r, opts);
    case 'json':
      return renderScanJson(r);
    case 'csv':
      return renderScanCsv(r);
    case 'ocsf':
      return renderScanOcsf(r);
    case 'markdown':
      return renderScanMarkdown(r);
    case 'html':
      return renderScanHtml(r);
    default:
      throw new Error(`unknown scan format: ${String(format)}`);
  }
}
