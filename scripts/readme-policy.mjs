// Writes the output of `trail-doctor policy` into README.md between the policy markers, so the
// README shows exactly the policy the tool prints (test/readme.test.ts fails when they drift).
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const readme = new URL('../README.md', import.meta.url);
const policy = execFileSync(process.execPath, [new URL('../dist/cli/bin.js', import.meta.url).pathname, 'policy'], { encoding: 'utf8' });
const text = readFileSync(readme, 'utf8');
const block = '<!-- policy:start -->\n```json\n' + policy.trimEnd() + '\n```\n<!-- policy:end -->';
writeFileSync(readme, text.replace(/<!-- policy:start -->[\s\S]*?<!-- policy:end -->/, block));
