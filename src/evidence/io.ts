import { readFile } from 'node:fs/promises';
import { evidenceSchema, type Evidence } from './schema.js';
import { EVIDENCE_SCHEMA_VERSION } from './version.js';
import { EvidenceError } from './file.js';

/** Evidence files are ours, but may be hand-edited or truncated: cap the size before parsing. */
export const MAX_EVIDENCE_BYTES = 64 * 1024 * 1024;

export function parseEvidence(text: string, source = 'evidence'): Evidence {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new EvidenceError(`${source} is not valid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new EvidenceError(`${source} is not a trail-doctor evidence object`);
  }
  const version = (raw as { schemaVersion?: unknown }).schemaVersion;
  if (version !== EVIDENCE_SCHEMA_VERSION) {
    throw new EvidenceError(
      `${source} has schemaVersion ${JSON.stringify(version)}; this trail-doctor reads version ${EVIDENCE_SCHEMA_VERSION}`,
    );
  }
  const parsed = evidenceSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? first.path.join('.') || '(root)' : '(root)';
    throw new EvidenceError(`${source} is not valid evidence: ${where}: ${first?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

export async function readEvidenceFile(path: string): Promise<Evidence> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new EvidenceError(code === 'ENOENT' ? `evidence file not found: ${path}` : `cannot read evidence file ${path}: ${code ?? (e as Error).message}`);
  }
  if (buf.length > MAX_EVIDENCE_BYTES) throw new EvidenceError(`evidence file ${path} is larger than ${MAX_EVIDENCE_BYTES} bytes`);
  return parseEvidence(buf.toString('utf8'), path);
}
