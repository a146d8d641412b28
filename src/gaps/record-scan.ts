import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { RecordSplitter, DEFAULT_READ_LIMITS, type ReadLimits } from './logfile.js';

/**
 * Streams one gzip CloudTrail log file and hands over the records worth parsing: the byte-level
 * splitter of logfile.ts cuts records out, `wanted` looks at their raw bytes (a needle search, no
 * JSON parse), and only those are parsed. `onRecord` returning true stops the read (found what it
 * looked for). Memory stays bounded by the largest record; a truncated or corrupt file rejects,
 * after the records before the damage were handed over.
 */
export async function scanLogFile(
  body: Readable | AsyncIterable<Uint8Array> | Uint8Array,
  wanted: (json: Buffer) => boolean,
  onRecord: (record: Record<string, unknown>, size: number) => boolean | void,
  limits: ReadLimits = DEFAULT_READ_LIMITS,
): Promise<{ stopped: boolean }> {
  let stopped = false;
  const splitter = new RecordSplitter((json, size) => {
    if (stopped || !json || !wanted(json)) return;
    let r: unknown;
    try {
      r = JSON.parse(json.toString('utf8'));
    } catch {
      return; // a corrupt record is not one looked for
    }
    if (r && typeof r === 'object' && onRecord(r as Record<string, unknown>, size) === true) stopped = true;
  }, limits.maxRecordBytes);
  const source = body instanceof Uint8Array ? Readable.from([body]) : body instanceof Readable ? body : Readable.from(body);
  let inflated = 0;
  try {
    await pipeline(source, createGunzip(), async (chunks: AsyncIterable<Buffer>) => {
      for await (const chunk of chunks) {
        inflated += chunk.length;
        if (inflated > limits.maxInflatedBytes) throw new Error(`inflated size over the cap of ${limits.maxInflatedBytes} bytes`);
        splitter.push(chunk);
        if (stopped) return;
      }
    });
    if (!stopped) splitter.end();
  } catch (e) {
    if (!stopped) throw e;
  }
  return { stopped };
}
