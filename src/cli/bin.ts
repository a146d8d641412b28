#!/usr/bin/env node
import module from 'node:module';

/**
 * The AWS SDK warns on every run under Node 20 that it will need Node 22 from January 2027.
 * Users cannot act on it mid-incident and it pollutes stderr of CI jobs; other warnings still show.
 */
const listeners = process.listeners('warning');
process.removeAllListeners('warning');
process.on('warning', (w: Error) => {
  if (/AWS SDK for JavaScript/i.test(w.message) && /node >=\s*22/i.test(w.message)) return;
  for (const l of listeners) l(w);
});

// Node 22.1+ keeps the compiled code of the modules below on disk (its own cache in the temporary
// folder, as `tsc` does; NODE_DISABLE_COMPILE_CACHE=1 turns it off), so later runs skip compiling
// them. It only applies to modules loaded after this call, hence the dynamic import.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { run } = await import('./main.js');
process.exitCode = await run(process.argv.slice(2));
