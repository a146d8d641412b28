import type { ScanResult } from '../../src/scan/model.js';

/** A strict RFC 4180 reader (CRLF records, quoted fields, doubled quotes): rejects anything else. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  let field = '';
  while (i < text.length) {
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        if (text[i] === '"' || text[i] === '\n') throw new Error(`bare ${JSON.stringify(text[i])} in an unquoted field at ${i}`);
        field += text[i++];
      }
    }
    if (text[i] === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (text[i] === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else if (i < text.length) {
      throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
    }
  }
  if (field || row.length) throw new Error('last record not terminated by CRLF');
  return rows;
}

/**
 * Required attributes of OCSF 1.x Detection Finding (class 2004): the base event's and the
 * finding's (finding_info with uid; metadata with product and version), with their types.
 */
export function missingOcsfRequired(f: Record<string, any>): string[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  const missing: string[] = [];
  const need = (path: string, ok: (v: unknown) => boolean) => {
    const v = path.split('.').reduce<any>((o, k) => (o == null ? undefined : o[k]), f); // eslint-disable-line @typescript-eslint/no-explicit-any
    if (!ok(v)) missing.push(path);
  };
  const int = (v: unknown) => Number.isInteger(v);
  const str = (v: unknown) => typeof v === 'string' && v.length > 0;
  need('activity_id', int);
  need('category_uid', (v) => v === 2);
  need('class_uid', (v) => v === 2004);
  need('type_uid', (v) => v === 2004 * 100 + f.activity_id);
  need('time', (v) => int(v) && (v as number) > 1_500_000_000_000);
  need('severity_id', (v) => int(v) && [0, 1, 2, 3, 4, 5, 6, 99].includes(v as number));
  need('metadata.version', (v) => typeof v === 'string' && /^1\.\d+\.\d+$/.test(v));
  need('metadata.product', (v) => typeof v === 'object' && v !== null);
  need('metadata.product.name', str);
  need('finding_info', (v) => typeof v === 'object' && v !== null);
  need('finding_info.uid', str);
  // cloud profile: provider is required when `cloud` is present
  if (f.cloud !== undefined) need('cloud.provider', str);
  return missing;
}

/** A result without what differs between two runs of the same scan (timings, call counts, shard). */
export function normalise(r: ScanResult): unknown {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'stats' && k !== 'durationMs' && k !== 'apiCalls').map(([k, x]) => [k, strip(x)]));
    }
    return v;
  };
  const { shard: _s, ...scope } = r.scope;
  return strip({ ...r, scope });
}
