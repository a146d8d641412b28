import { inertLine } from '../util/text.js';
import type { FileResult, Notice, ValidationResult } from '../integrity/model.js';

/** Text output with `aws cloudtrail validate-logs` wording (cloudtrail-files.md §5.8). */

const KIND_LABEL = { digest: 'Digest file', 'backfill-digest': '(backfill) Digest file', log: 'Log file' } as const;

export function fileLine(f: FileResult): string {
  const where = `s3://${inertLine(f.bucket, 200)}/${inertLine(f.key, 2_000)}`;
  if (f.verdict === 'valid') return `${KIND_LABEL[f.kind]}\t${where}\tvalid`;
  if (f.verdict === 'unlisted') return `${KIND_LABEL[f.kind]}\t${where}\tUNLISTED: ${f.reason ?? 'not named by any digest'}`;
  return `${KIND_LABEL[f.kind]}\t${where}\tINVALID: ${inertLine(f.reason ?? 'invalid', 500)}`;
}

/** Streams status lines: valid ones to stdout (verbose only), problems and notices to stderr. */
export class TextStatusPrinter {
  private lastWasVerbose = false;
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly err: NodeJS.WritableStream,
    private readonly verbose: boolean,
  ) {}

  header(trailArn: string, start: string, end: string): void {
    this.out.write(`Validating log files for trail ${inertLine(trailArn, 500)} between ${start} and ${end}\n\n`);
  }

  file = (f: FileResult): void => {
    if (f.verdict === 'valid') {
      if (!this.verbose) return;
      this.out.write(`${fileLine(f)}\n`);
      this.lastWasVerbose = true;
      return;
    }
    this.problem(fileLine(f));
  };

  notice = (n: Notice): void => {
    this.problem(inertLine(n.message, 2_000));
  };

  private problem(line: string): void {
    if (this.lastWasVerbose) this.err.write('\n');
    this.err.write(`${line}\n\n`);
    this.lastWasVerbose = false;
  }

  summary(r: ValidationResult): void {
    const o = this.out;
    if (this.lastWasVerbose) o.write('\n');
    o.write(`Results requested for ${r.window.start} to ${r.window.end}\n`);
    if (r.status === 'could-not-check') {
      o.write(`Could not check: ${inertLine(r.error?.message ?? 'unknown error', 1_000)}\n`);
      if (r.error?.needs) o.write(`Needs: ${r.error.needs}\n`);
      return;
    }
    const s = r.summary;
    const standard = { valid: s.digests.valid - s.backfillDigests.valid, bad: s.digests.invalid + s.digests.missing - s.backfillDigests.invalid - s.backfillDigests.missing };
    const backfill = { valid: s.backfillDigests.valid, bad: s.backfillDigests.invalid + s.backfillDigests.missing };
    if (standard.valid + standard.bad + backfill.valid + backfill.bad === 0) {
      o.write('No digests found\n');
      if (r.status === 'no-digests') o.write('(is log file validation enabled for this trail, and are --region, --account and the bucket/prefix right?)\n');
      return;
    }
    if (s.digests.valid === 0) o.write('No valid digests found in range\n');
    else o.write(`Results found for ${r.found?.start} to ${r.found?.end}:\n`);
    const line = (v: number, bad: number, name: string) => {
      const total = v + bad;
      if (total === 0) return;
      o.write(`\n${v}/${total} ${name} files valid`);
      if (bad > 0) o.write(`, ${bad}/${total} ${name} files INVALID`);
    };
    line(standard.valid, standard.bad, 'digest');
    line(backfill.valid, backfill.bad, 'backfill digest');
    line(s.logs.valid, s.logs.invalid + s.logs.missing, 'log');
    o.write('\n');
    // trail-doctor's own checks, beyond the CLI's (§5.10)
    const extra: string[] = [];
    if (s.logs.unlisted > 0) extra.push(`${s.logs.unlisted} log file${s.logs.unlisted === 1 ? '' : 's'} in S3 named by no digest (UNLISTED)`);
    if (s.linkMismatches > 0) extra.push(`${s.linkMismatches} digest link${s.linkMismatches === 1 ? '' : 's'} whose previousDigestHashValue/Signature does not match`);
    if (extra.length) o.write(`\n${extra.join('\n')}\n`);
  }
}

/** `--format json`: one object. */
export function toJson(r: ValidationResult, verbose: boolean): Record<string, unknown> {
  return {
    trail: r.trailArn,
    bucket: r.bucket,
    prefix: r.prefix,
    status: r.status,
    window: r.window,
    ...(r.found ? { found: r.found } : {}),
    summary: {
      digests: r.summary.digests,
      logs: r.summary.logs,
      backfillDigests: r.summary.backfillDigests,
      linkMismatches: r.summary.linkMismatches,
    },
    chains: r.chains,
    notices: r.notices.map((n) => ({ kind: n.kind, account: n.account, region: n.region, message: inertLine(n.message, 2_000), problem: n.problem })),
    ...(verbose ? { files: (r.files ?? []).map(jsonFile) } : {}),
    problems: r.problems.slice(0, 1_000).map(jsonFile),
    problemsTruncated: r.problemsTruncated || r.problems.length > 1_000,
    ...(r.error ? { error: r.error } : {}),
    exitCode: r.exitCode,
    stats: r.stats,
  };
}

function jsonFile(f: FileResult) {
  return {
    type: f.kind,
    bucket: f.bucket,
    key: f.key,
    verdict: f.verdict,
    ...(f.reason ? { reason: f.reason } : {}),
    ...(f.detail ? { detail: f.detail } : {}),
    account: f.account,
    region: f.region,
  };
}
