/**
 * Keeps a copy of a log file's compressed body while validation hashes it, so another reader of
 * the same run (the diagnosis's gap measurement) parses it without a second GET. Bounded: past
 * `cap` bytes the copy is dropped (that file is read again on demand); only a body read to its end
 * counts, so a read that broke off hands nothing over.
 */
export interface BodyTap {
  body: AsyncIterable<Uint8Array>;
  /** The whole body, when it was read to its end within the cap. */
  bytes(): Buffer | undefined;
}

export function tapBody(source: AsyncIterable<Uint8Array>, cap: number): BodyTap {
  let parts: Buffer[] | undefined = [];
  let n = 0;
  let complete = false;
  async function* body(): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      if (parts) {
        n += chunk.byteLength;
        // copied: a socket chunk may be a view into a larger buffer that would stay alive with it
        if (n > cap) parts = undefined;
        else parts.push(Buffer.from(chunk));
      }
      yield chunk;
    }
    complete = true;
  }
  return { body: body(), bytes: () => (complete && parts ? Buffer.concat(parts, n) : undefined) };
}
