import { escapeHtml } from '../util/text.js';

/**
 * The one place HTML is escaped. `html` is a tagged template whose interpolations are escaped by
 * default: only a SafeHtml (the result of another `html` template, or `trusted()` of a constant
 * this module family writes) passes through. Arrays are concatenated, null/undefined/false render
 * as nothing. Interpolate untrusted values only in text content or in double-quoted attribute
 * values, never in unquoted attributes, URLs, `style` or `<script>`.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += toHtml(values[i]) + strings[i + 1]!;
  return new SafeHtml(out);
}

function toHtml(v: HtmlValue): string {
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(toHtml).join('');
  if (v === null || v === undefined || v === false || v === true) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '0';
  return escapeHtml(String(v));
}

/** Marks markup written by the renderer itself (CSS, a script, an entity) as safe. Never account data. */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** A coordinate for SVG: one decimal, finite. */
export function num(n: number): string {
  return Number.isFinite(n) ? (Math.round(n * 10) / 10).toString() : '0';
}
