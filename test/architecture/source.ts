import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The repository's src/ folder. */
export const SRC = join(import.meta.dirname, '..', '..', 'src');

/** Every .ts file under `dir`, as paths relative to src/ with forward slashes. */
export function sourceFiles(dir = SRC): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts')) out.push(relative(SRC, p).split('\\').join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

export const readSource = (file: string): string => readFileSync(join(SRC, file), 'utf8');

export const isTest = (file: string): boolean => file.endsWith('.test.ts');
