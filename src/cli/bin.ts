#!/usr/bin/env node
import { run } from './main.js';

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

process.exitCode = await run(process.argv.slice(2));
