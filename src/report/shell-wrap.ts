import stringWidth from 'string-width';

/**
 * Splits a shell command into words without changing them: quotes and backslash escapes stay in the
 * word they belong to, so joining the words with single spaces (or ` \` + newline) gives the same
 * command to the shell. Whitespace inside quotes never splits.
 */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote) {
      cur += c;
      if (c === '\\' && quote === '"' && i + 1 < command.length) cur += command[++i];
      else if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      cur += c;
    } else if (c === '\\' && i + 1 < command.length) {
      cur += c + command[++i];
    } else if (c === ' ' || c === '\t') {
      if (cur) words.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  if (cur) words.push(cur);
  return words;
}

/**
 * Lays a command out within `width` columns for copy-paste: breaks only between words, with a
 * ` \` line continuation and a deeper indent on continuation lines. A word wider than the line
 * (a long ARN, an inline JSON policy) gets a line of its own and is never cut. A command that
 * already spans lines (a heredoc, a multi-line quoted string) is returned as it is, because
 * re-indenting would change what the shell receives.
 */
export function wrapCommand(command: string, width: number, indent = '', continuation = '    '): string[] {
  if (/[\r\n]/.test(command)) return command.split(/\r?\n/).map((l, i) => (i === 0 ? indent + l : l));
  const words = shellWords(command);
  if (words.length === 0) return [];
  const lines: string[] = [];
  let line = indent + words[0];
  for (const w of words.slice(1)) {
    // room for " word \" on this line
    if (stringWidth(line) + 1 + stringWidth(w) + 2 <= width) line += ' ' + w;
    else {
      lines.push(line + ' \\');
      line = indent + continuation + w;
    }
  }
  lines.push(line);
  return lines;
}
