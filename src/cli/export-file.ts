import { createWriteStream } from 'node:fs';
import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { MissingExport } from '../gaps/engine.js';

/** `gaps --export <file.jsonl.gz>`: the missing events as gzip JSON lines, streamed to the file. */
export function gzipJsonLinesFile(path: string): MissingExport {
  return {
    path,
    async write(lines) {
      async function* gen() {
        for (const l of lines) yield `${l}\n`;
      }
      await pipeline(Readable.from(gen()), createGzip(), createWriteStream(path));
    },
  };
}
