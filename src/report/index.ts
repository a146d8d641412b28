import type { Report } from './model.js';
import { renderText } from './text.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderHtml } from './html.js';

export type { Report } from './model.js';
export { createProgressDisplay } from './progress.js';

export type ReportFormat = 'text' | 'json' | 'markdown' | 'html';

export interface RenderOptions {
  /** ANSI colour in the text format (the others ignore it). */
  color: boolean;
  /** Terminal columns for the text format; 80 when unknown, at most 100 used. */
  width?: number;
}

/**
 * One report, four media. Renderers are pure: the same Report in, a string out, no AWS calls and
 * no decisions (ranking and verdict are the diagnosis's). Every renderer neutralises untrusted text
 * for its medium (src/util/text.ts).
 */
export function render(report: Report, format: ReportFormat, opts: RenderOptions): string {
  switch (format) {
    case 'text':
      return renderText(report, opts);
    case 'json':
      return renderJson(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'html':
      return renderHtml(report);
    default:
      throw new Error(`unknown report format: ${String(format)}`);
  }
}

export { renderText, renderJson, renderMarkdown, renderHtml };
