/**
 * Untrusted text stays inert. Everything shown comes from the account (names, keys, policies, error
 * messages): these helpers are the single place that neutralises it for each medium.
 */

// C0 controls except tab/newline, DEL, C1 controls, and Unicode bidi overrides/isolates that can
// reorder what a terminal or browser shows.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// ANSI/VT escape sequences (CSI, OSC, and two-character ESC forms), removed whole, not just their ESC.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;

/** Strips escape sequences and control characters and caps the length. Keeps newlines and tabs. */
export function inertText(s: string, max = 4_000): string {
  let out = String(s).replace(ANSI, '').replace(CONTROL, '');
  if (out.length > max) out = out.slice(0, max) + `… (${out.length - max} more characters)`;
  return out;
}

/** One line: also folds newlines and tabs to spaces. */
export function inertLine(s: string, max = 500): string {
  return inertText(s, max).replace(/[\r\n\t]+/g, ' ');
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(s: string): string {
  return inertText(s, 100_000).replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c]!);
}

/** Markdown: escape table and emphasis breakers in inline text. */
export function escapeMarkdown(s: string): string {
  return inertLine(s, 2_000).replace(/([\\`*_{}[\]<>()#+!|~])/g, '\\$1');
}

/** A fenced block that the content cannot close: the fence is longer than any backtick run inside. */
export function markdownFence(content: string, lang = ''): string {
  const body = inertText(content, 50_000);
  const longest = Math.max(2, ...Array.from(body.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${body}\n${fence}`;
}
